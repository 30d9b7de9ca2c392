"""Momentum oscillators against hand computations and the TradingView conventions."""

from __future__ import annotations

import numpy as np
import pytest

import ava_backtest.indicators as ind
from ava_backtest.data.sample_store import read_sample

SYMBOL = "AAPL"  # the package's shipped copy of the real sample


@pytest.fixture(scope="module")
def bars() -> dict[str, np.ndarray]:
    df = read_sample("US", SYMBOL)
    f = (df["adj_close"] / df["close"]).to_numpy()
    return {k: df[k].to_numpy() * f for k in ("open", "high", "low", "close")}


def _ema_ref(x: np.ndarray, n: int) -> np.ndarray:
    """Pine ta.ema: SMA seed over the first n valid values, then alpha = 2 / (n + 1)."""
    out = np.full(len(x), np.nan)
    start = int(np.argmax(~np.isnan(x)))
    out[start + n - 1] = x[start : start + n].mean()
    for t in range(start + n, len(x)):
        out[t] = out[t - 1] + 2 / (n + 1) * (x[t] - out[t - 1])
    return out


def test_rsi_by_hand() -> None:
    x = np.array([10.0, 11.0, 10.5, 11.5, 11.0, 12.0])
    # changes +1, -0.5, +1, -0.5, +1; n = 2
    # bar 2: gain (1 + 0)/2 = 0.5, loss (0 + 0.5)/2 = 0.25 -> 100 * 0.5 / 0.75
    # bar 3: gain (0.5 + 1)/2 = 0.75, loss 0.25/2 = 0.125 -> 100 * 0.75 / 0.875
    # bar 4: gain 0.375, loss (0.125 + 0.5)/2 = 0.3125
    # bar 5: gain (0.375 + 1)/2 = 0.6875, loss 0.15625
    expected = [
        np.nan,
        np.nan,
        100 * 0.5 / 0.75,
        100 * 0.75 / 0.875,
        100 * 0.375 / 0.6875,
        100 * 0.6875 / 0.84375,
    ]
    np.testing.assert_allclose(ind.rsi(x, 2), expected, rtol=1e-14)


def test_rsi_extremes_and_flat_window() -> None:
    assert (ind.rsi(np.arange(1.0, 30.0), 14)[14:] == 100.0).all()
    assert (ind.rsi(np.arange(30.0, 1.0, -1.0), 14)[14:] == 0.0).all()
    # no move at all: neither overbought nor oversold
    assert (ind.rsi(np.full(30, 5.0), 14)[14:] == 50.0).all()


def test_macd_tradingview_is_two_independent_emas(bars: dict[str, np.ndarray]) -> None:
    c = bars["close"]
    m = ind.macd(c, 12, 26, 9)
    line = _ema_ref(c, 12) - _ema_ref(c, 26)
    signal = _ema_ref(line, 9)
    np.testing.assert_allclose(m.macd, line, rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(m.signal, signal, rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(m.hist, line - signal, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_macd_conventions_differ_only_in_the_fast_seed(bars: dict[str, np.ndarray]) -> None:
    c = bars["close"]
    tv = ind.macd(c)
    ta = ind.macd(c, convention="talib")
    # TA-Lib seeds the fast EMA with the mean of bars 14..25 instead of 0..11
    fast = np.full(len(c), np.nan)
    fast[25] = c[14:26].mean()
    for t in range(26, len(c)):
        fast[t] = fast[t - 1] + 2 / 13 * (c[t] - fast[t - 1])
    np.testing.assert_allclose(
        ta.macd, fast - _ema_ref(c, 26), rtol=1e-12, atol=1e-12, equal_nan=True
    )
    assert tv.macd[25] != ta.macd[25]
    assert abs(tv.macd[-1] - ta.macd[-1]) < 1e-9


def test_stochastic_by_hand() -> None:
    h = np.array([10.0, 11.0, 12.0, 11.0, 13.0])
    lo = np.array([8.0, 9.0, 10.0, 9.0, 10.0])
    c = np.array([9.0, 10.0, 11.0, 10.0, 12.0])
    s = ind.stochastic(h, lo, c, 3, 1, 2)
    # bar 2: (11 - 8) / (12 - 8); bar 3: (10 - 9) / (12 - 9); bar 4: (12 - 9) / (13 - 9)
    raw = [np.nan, np.nan, 75.0, 100 / 3, 75.0]
    np.testing.assert_allclose(s.k, raw, rtol=1e-14)
    np.testing.assert_allclose(
        s.d, [np.nan, np.nan, np.nan, (75 + 100 / 3) / 2, (100 / 3 + 75) / 2]
    )
    slow = ind.stochastic(h, lo, c, 3, 2, 2)
    np.testing.assert_allclose(slow.k, s.d, rtol=1e-14)
    # Williams %R is the same position on a -100..0 scale
    np.testing.assert_allclose(ind.williams_r(h, lo, c, 3), np.array(raw) - 100, rtol=1e-13)


def test_range_oscillators_on_a_flat_window_are_neutral() -> None:
    x = np.full(20, 7.0)
    assert (ind.stochastic(x, x, x, 5, 1, 1).k[4:] == 50.0).all()
    assert (ind.williams_r(x, x, x, 5)[4:] == -50.0).all()
    assert (ind.cci(x, x, x, 5)[4:] == 0.0).all()


def test_cci_by_hand(bars: dict[str, np.ndarray]) -> None:
    h, lo, c = bars["high"], bars["low"], bars["close"]
    n = 20
    tp = (h + lo + c) / 3
    ref = np.full(len(c), np.nan)
    for t in range(n - 1, len(c)):
        w = tp[t - n + 1 : t + 1]
        mean = w.mean()
        md = np.abs(w - mean).mean()
        ref[t] = (tp[t] - mean) / (0.015 * md)
    np.testing.assert_allclose(ind.cci(h, lo, c, n), ref, rtol=1e-10, atol=1e-9, equal_nan=True)


def test_roc_and_momentum_by_hand() -> None:
    x = np.array([0.0, 2.0, 4.0, 3.0])
    np.testing.assert_array_equal(ind.momentum(x, 2), [np.nan, np.nan, 4.0, 1.0])
    # from 0 the change is undefined: 0, as TA-Lib reports it
    np.testing.assert_allclose(ind.roc(x, 2), [np.nan, np.nan, 0.0, 50.0])


def test_tsi_is_double_smoothed_momentum(bars: dict[str, np.ndarray]) -> None:
    c = bars["close"]
    d = np.r_[np.nan, np.diff(c)]
    num = _ema_ref(_ema_ref(d, 25), 13)
    den = _ema_ref(_ema_ref(np.abs(d), 25), 13)
    np.testing.assert_allclose(ind.tsi(c, 25, 13), 100 * num / den, rtol=1e-10, equal_nan=True)
    t = ind.tsi(c)
    assert np.nanmax(np.abs(t)) <= 100


def test_pct_change_is_the_fractional_change_over_n_bars():
    x = np.array([10.0, 11.0, 12.1, np.nan, 0.0, 1.0])
    out = ind.pct_change(x, 1)
    np.testing.assert_allclose(out[:3], [np.nan, 0.1, 0.1])
    assert np.isnan(out[3]) and np.isnan(out[4]) and np.isinf(out[5])


def test_previous_shifts_down_with_nan_above():
    x = np.arange(5.0)[:, None].repeat(2, axis=1)
    out = ind.previous(x, 2)
    assert np.isnan(out[:2]).all()
    np.testing.assert_array_equal(out[2:], x[:3])


def test_cutler_rsi_by_hand() -> None:
    x = np.array([10.0, 11.0, 13.0, 12.0, 12.0, 12.0, 15.0, 14.0])
    # n = 3, windows of changes: (+1, +2, -1), (+2, -1, 0), (-1, 0, 0), (0, 0, +3), (0, +3, -1)
    expected = [np.nan] * 3 + [100 * 3 / 4, 100 * 2 / 3, 0.0, 100.0, 75.0]
    np.testing.assert_allclose(ind.cutler_rsi(x, 3), expected, rtol=1e-14)
    assert ind.cutler_rsi(np.full(10, 5.0), 3)[3:].tolist() == [50.0] * 7
    assert (ind.cutler_rsi(np.arange(1.0, 20.0), 4)[4:] == 100.0).all()
    # A change leaves the window after n bars: no Wilder memory.
    y = np.array([5.0, 1.0, 2.0, 3.0, 4.0])
    assert ind.cutler_rsi(y, 3)[4] == 100.0 and ind.rsi(y, 3)[4] < 100.0
