"""Volatility indicators and the TradingView conventions, against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ava_backtest.indicators as ind
from ava_backtest.data.sample_store import read_sample

SYMBOL = "AAPL"  # the package's shipped copy of the real sample


@pytest.fixture(scope="module")
def bars() -> dict[str, np.ndarray]:
    df = read_sample("US", SYMBOL)
    f = (df["adj_close"] / df["close"]).to_numpy()
    return {k: df[k].to_numpy() * f for k in ("open", "high", "low", "close")}


def _tr_pine(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Pine ta.tr(true): high - low on the first bar."""
    tr = np.empty(len(h))
    tr[0] = h[0] - lo[0]
    for t in range(1, len(h)):
        tr[t] = max(h[t] - lo[t], abs(h[t] - c[t - 1]), abs(lo[t] - c[t - 1]))
    return tr


def _rma_ref(x: np.ndarray, n: int, start: int = 0) -> np.ndarray:
    out = np.full(len(x), np.nan)
    out[start + n - 1] = x[start : start + n].mean()
    for t in range(start + n, len(x)):
        out[t] = (out[t - 1] * (n - 1) + x[t]) / n
    return out


def _ema_ref(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full(len(x), np.nan)
    out[n - 1] = x[:n].mean()
    for t in range(n, len(x)):
        out[t] = out[t - 1] + 2 / (n + 1) * (x[t] - out[t - 1])
    return out


def test_true_range_by_hand() -> None:
    h = np.array([10.0, 12.0, 11.0, 15.0])
    lo = np.array([9.0, 10.5, 8.0, 14.0])
    c = np.array([9.5, 11.0, 10.0, 14.5])
    # bar 1: max(1.5, |12 - 9.5|, |10.5 - 9.5|) = 2.5; bar 2: max(3, 0, 3) = 3; bar 3: max(1, 5, 4) = 5
    np.testing.assert_array_equal(ind.true_range(h, lo, c), [np.nan, 2.5, 3.0, 5.0])
    np.testing.assert_array_equal(ind.true_range(h, lo, c, "high_low"), [1.0, 2.5, 3.0, 5.0])


def test_atr_tradingview_is_pine_ta_atr(bars: dict[str, np.ndarray]) -> None:
    h, lo, c = bars["high"], bars["low"], bars["close"]
    for n in (1, 5, 14):
        ref = _rma_ref(_tr_pine(h, lo, c), n)
        np.testing.assert_allclose(ind.atr(h, lo, c, n), ref, rtol=1e-13, equal_nan=True)
        np.testing.assert_allclose(ind.natr(h, lo, c, n), 100 * ref / c, rtol=1e-13, equal_nan=True)


def test_atr_conventions_differ_at_the_start_and_converge(bars: dict[str, np.ndarray]) -> None:
    h, lo, c = bars["high"], bars["low"], bars["close"]
    tv = ind.atr(h, lo, c, 14)
    ta = ind.atr(h, lo, c, 14, "talib")
    assert np.isnan(ta[13]) and not np.isnan(tv[13])
    assert tv[14] != ta[14]
    assert abs(tv[-1] - ta[-1]) < 1e-12 * tv[-1]


def test_bollinger_by_hand() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 4.0, 4.0, 4.0])
    b = ind.bollinger(x, 3, 2.0)
    # window (1, 2, 3): mean 2, population std sqrt(2/3)
    sd = np.sqrt(2 / 3)
    assert b.middle[2] == 2.0
    np.testing.assert_allclose([b.upper[2], b.lower[2]], [2 + 2 * sd, 2 - 2 * sd], rtol=1e-15)
    np.testing.assert_allclose(b.bandwidth[2], 4 * sd / 2, rtol=1e-15)
    np.testing.assert_allclose(b.percent_b[2], (3 - (2 - 2 * sd)) / (4 * sd), rtol=1e-15)
    # a flat window: the bands collapse onto the mean, %B is 0.5, bandwidth 0
    assert b.upper[6] == b.lower[6] == b.middle[6] == 4.0
    assert b.percent_b[6] == 0.5 and b.bandwidth[6] == 0.0
    assert np.isnan(b.percent_b[:2]).all() and np.isnan(b.bandwidth[:2]).all()


def test_bollinger_sample_std_matches_pandas(bars: dict[str, np.ndarray]) -> None:
    c = bars["close"]
    b = ind.bollinger(c, 20, 2.5, ddof=1)
    s = pd.Series(c).rolling(20)
    np.testing.assert_allclose(
        b.upper, (s.mean() + 2.5 * s.std(ddof=1)).to_numpy(), rtol=1e-12, equal_nan=True
    )


def test_keltner_is_ema_plus_atr(bars: dict[str, np.ndarray]) -> None:
    h, lo, c = bars["high"], bars["low"], bars["close"]
    k = ind.keltner(h, lo, c, 20, 1.5, 10)
    mid = _ema_ref(c, 20)
    width = 1.5 * _rma_ref(_tr_pine(h, lo, c), 10)
    np.testing.assert_allclose(k.middle, mid, rtol=1e-13, equal_nan=True)
    np.testing.assert_allclose(k.upper, mid + width, rtol=1e-13, equal_nan=True)
    np.testing.assert_allclose(k.lower, mid - width, rtol=1e-13, equal_nan=True)


def test_donchian_by_hand() -> None:
    h = np.array([5.0, 7.0, 6.0, 4.0, 8.0])
    lo = np.array([4.0, 5.0, 3.0, 2.0, 6.0])
    d = ind.donchian(h, lo, 3)
    np.testing.assert_array_equal(d.upper, [np.nan, np.nan, 7.0, 7.0, 8.0])
    np.testing.assert_array_equal(d.lower, [np.nan, np.nan, 3.0, 2.0, 2.0])
    np.testing.assert_array_equal(d.middle, [np.nan, np.nan, 5.0, 4.5, 5.0])


def test_williams_vix_fix_by_hand() -> None:
    c = np.array([10.0, 12.0, 11.0, 9.0])
    lo = np.array([9.0, 11.0, 9.0, 6.0])
    # highest close of 3 bars: 12 at bars 2 and 3; WVF = 100 (12 - low) / 12
    np.testing.assert_allclose(
        ind.williams_vix_fix(c, lo, 3), [np.nan, np.nan, 25.0, 50.0], rtol=1e-15
    )


def _volatility_stop_ref(c: np.ndarray, d: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    line, direction = np.full(len(c), np.nan), np.full(len(c), np.nan)
    line[start], direction[start] = c[start] - d[start], 1.0
    for t in range(start + 1, len(c)):
        if direction[t - 1] > 0:
            line[t] = max(line[t - 1], c[t] - d[t])
            direction[t] = 1.0
            if c[t] < line[t]:
                line[t], direction[t] = c[t] + d[t], -1.0
        else:
            line[t] = min(line[t - 1], c[t] + d[t])
            direction[t] = -1.0
            if c[t] > line[t]:
                line[t], direction[t] = c[t] - d[t], 1.0
    return line, direction


def test_volatility_stop_by_hand_and_on_the_sample(bars: dict[str, np.ndarray]) -> None:
    c = np.array([10.0, 11.0, 12.0, 11.5, 9.0, 8.0, 8.5, 10.5, 11.0])
    vs = ind.volatility_stop(c, np.full(len(c), 1.0))
    # up from 9; ratchets to 11 at bar 2, holds through 11.5; 9 < 11 flips down to 10, then
    # 9 and 9 again (8 + 1 < 10, 8.5 + 1 = 9.5 > 9); 10.5 > 9 flips up to 9.5, then 10
    np.testing.assert_array_equal(vs.line, [9, 10, 11, 11, 10, 9, 9, 9.5, 10])
    np.testing.assert_array_equal(vs.direction, [1, 1, 1, 1, -1, -1, -1, 1, 1])
    h, lo, cl = bars["high"], bars["low"], bars["close"]
    dist = 3.0 * ind.atr(h, lo, cl, 14)
    line, direction = _volatility_stop_ref(cl, dist, 13)
    ours = ind.volatility_stop(cl, dist)
    np.testing.assert_array_equal(ours.line, line)
    np.testing.assert_array_equal(ours.direction, direction)
    flips = np.nansum(np.abs(np.diff(ours.direction))) / 2
    assert 10 < flips < len(cl) / 10
