"""Volume indicators against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

import ava_backtest.indicators as ind
from ava_backtest.data.sample_store import read_sample

SYMBOL = "MSFT"  # the package's shipped copy of the real sample


@pytest.fixture(scope="module")
def bars() -> dict[str, np.ndarray]:
    df = read_sample("US", SYMBOL)
    f = (df["adj_close"] / df["close"]).to_numpy()
    out = {k: df[k].to_numpy() * f for k in ("open", "high", "low", "close")}
    out["volume"] = df["volume"].to_numpy().astype(float)
    return out


def test_vwap_resets_each_session_by_hand() -> None:
    h = np.array([11.0, 12.0, 13.0, 20.0, 22.0])
    lo = np.array([9.0, 10.0, 11.0, 18.0, 20.0])
    c = np.array([10.0, 11.0, 12.0, 19.0, 21.0])
    v = np.array([100.0, 300.0, 0.0, 50.0, 150.0])
    session = np.array(["d1", "d1", "d1", "d2", "d2"])
    # typical prices 10, 11, 12 | 19, 21
    expected = [10.0, (1000 + 3300) / 400, (1000 + 3300) / 400, 19.0, (950 + 3150) / 200]
    np.testing.assert_allclose(ind.vwap(h, lo, c, v, session), expected, rtol=1e-15)
    # no volume yet in the session: undefined
    v0 = np.array([0.0, 300.0, 0.0, 50.0, 150.0])
    assert np.isnan(ind.vwap(h, lo, c, v0, session)[0])


def test_vwap_on_real_bars_by_hand(bars: dict[str, np.ndarray]) -> None:
    h, lo, c, v = bars["high"], bars["low"], bars["close"], bars["volume"]
    session = np.arange(len(c)) // 7
    tp = (h + lo + c) / 3
    ref = np.empty(len(c))
    for t in range(len(c)):
        s = t - t % 7
        ref[t] = (tp[s : t + 1] * v[s : t + 1]).sum() / v[s : t + 1].sum()
    np.testing.assert_allclose(ind.vwap(h, lo, c, v, session), ref, rtol=1e-12)


def test_obv_conventions_by_hand() -> None:
    c = np.array([10.0, 11.0, 11.0, 10.0, 12.0])
    v = np.array([5.0, 7.0, 9.0, 4.0, 2.0])
    np.testing.assert_array_equal(ind.obv(c, v), [0.0, 7.0, 7.0, 3.0, 5.0])
    np.testing.assert_array_equal(ind.obv(c, v, "talib"), [5.0, 12.0, 12.0, 8.0, 10.0])


def test_mfi_by_hand(bars: dict[str, np.ndarray]) -> None:
    h, lo, c, v = bars["high"], bars["low"], bars["close"], bars["volume"]
    n = 14
    tp = (h + lo + c) / 3
    flow = tp * v
    change = np.r_[np.nan, np.diff(tp)]
    tie = np.abs(change) <= 1e-14 * (np.abs(tp) + np.abs(np.r_[np.nan, tp[:-1]]))
    pos = np.where((change > 0) & ~tie, flow, 0.0)
    neg = np.where((change < 0) & ~tie, flow, 0.0)
    ref = np.full(len(c), np.nan)
    for t in range(n, len(c)):
        p = pos[t - n + 1 : t + 1].sum()
        m = neg[t - n + 1 : t + 1].sum()
        ref[t] = 100 * p / (p + m)
    np.testing.assert_allclose(ind.mfi(h, lo, c, v, n), ref, rtol=1e-11, equal_nan=True)


def test_mfi_without_flow_is_neutral_and_recovers_exactly() -> None:
    rng = np.random.default_rng(3)
    c = 50 + np.cumsum(rng.normal(size=80))
    v = rng.integers(1, 1000, size=80).astype(float)
    v[30:50] = 0.0  # a halt: twenty bars without volume
    m = ind.mfi(c, c, c, v, 5)
    assert (m[35:50] == 50.0).all()
    # once flow returns the window holds only the new bars: 100 or 0 after a one-way move
    c2 = c.copy()
    c2[50:56] = c2[49] + np.arange(1, 7)
    assert ind.mfi(c2, c2, c2, v, 5)[50] == 100.0
