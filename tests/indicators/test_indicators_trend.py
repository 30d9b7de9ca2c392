"""Trend indicators against Pine Script's definitions written out by hand."""

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


def _rma(x: np.ndarray, n: int) -> np.ndarray:
    """Pine ta.rma: SMA of the first n valid values, then Wilder's recursion."""
    out = np.full(len(x), np.nan)
    start = int(np.argmax(~np.isnan(x)))
    out[start + n - 1] = x[start : start + n].mean()
    for t in range(start + n, len(x)):
        out[t] = (out[t - 1] * (n - 1) + x[t]) / n
    return out


def _dmi_pine(h: np.ndarray, lo: np.ndarray, c: np.ndarray, n: int, adx_n: int):
    """Pine's ta.dmi(n, adx_n), written out."""
    rows = len(h)
    plus_dm = np.full(rows, np.nan)
    minus_dm = np.full(rows, np.nan)
    tr = np.full(rows, np.nan)
    for t in range(1, rows):
        up = h[t] - h[t - 1]
        down = lo[t - 1] - lo[t]
        plus_dm[t] = up if up > down and up > 0 else 0.0
        minus_dm[t] = down if down > up and down > 0 else 0.0
        tr[t] = max(h[t] - lo[t], abs(h[t] - c[t - 1]), abs(lo[t] - c[t - 1]))
    trur = _rma(tr, n)
    plus = 100 * _rma(plus_dm, n) / trur
    minus = 100 * _rma(minus_dm, n) / trur
    total = plus + minus
    dx = np.abs(plus - minus) / np.where(total == 0, 1, total)
    return 100 * _rma(dx, adx_n), plus, minus


def _supertrend_pine(h, lo, c, n, factor, atr=None):
    """Pine's ta.supertrend(factor, n), written out (direction -1 = up there); ``atr`` replaces
    Pine's Wilder ATR."""
    rows = len(h)
    atr = ind.atr(h, lo, c, n) if atr is None else atr
    src = (h + lo) / 2
    st = np.full(rows, np.nan)
    direction = np.full(rows, np.nan)
    upper = np.full(rows, np.nan)
    lower = np.full(rows, np.nan)
    for t in range(rows):
        if np.isnan(atr[t]):
            continue
        up = src[t] + factor * atr[t]
        lo_band = src[t] - factor * atr[t]
        prev_lower = 0.0 if np.isnan(lower[t - 1]) else lower[t - 1]
        prev_upper = 0.0 if np.isnan(upper[t - 1]) else upper[t - 1]
        lower[t] = lo_band if lo_band > prev_lower or c[t - 1] < prev_lower else prev_lower
        upper[t] = up if up < prev_upper or c[t - 1] > prev_upper else prev_upper
        if np.isnan(atr[t - 1]):
            d = 1
        elif st[t - 1] == prev_upper:
            d = -1 if c[t] > upper[t] else 1
        else:
            d = 1 if c[t] < lower[t] else -1
        direction[t] = d
        st[t] = lower[t] if d == -1 else upper[t]
    return st, direction, upper, lower


def _mid(h: np.ndarray, lo: np.ndarray, n: int) -> np.ndarray:
    out = np.full(len(h), np.nan)
    for t in range(n - 1, len(h)):
        out[t] = (h[t - n + 1 : t + 1].max() + lo[t - n + 1 : t + 1].min()) / 2
    return out


def test_adx_tradingview_is_pine_dmi(bars: dict[str, np.ndarray]) -> None:
    h, lo, c = bars["high"], bars["low"], bars["close"]
    for n, adx_n in ((14, 14), (5, 9)):
        adx, plus, minus = _dmi_pine(h, lo, c, n, adx_n)
        ours = ind.adx(h, lo, c, n, adx_n)
        np.testing.assert_allclose(ours.plus_di, plus, rtol=1e-11, equal_nan=True)
        np.testing.assert_allclose(ours.minus_di, minus, rtol=1e-11, equal_nan=True)
        np.testing.assert_allclose(ours.adx, adx, rtol=1e-11, equal_nan=True)


def test_adx_conventions_converge(bars: dict[str, np.ndarray]) -> None:
    h, lo, c = bars["high"], bars["low"], bars["close"]
    tv = ind.adx(h, lo, c, 14)
    ta = ind.adx(h, lo, c, 14, convention="talib")
    assert tv.plus_di[14] != ta.plus_di[14]
    assert abs(tv.adx[-1] - ta.adx[-1]) < 1e-9


def test_supertrend_is_pine_supertrend(bars: dict[str, np.ndarray]) -> None:
    h, lo, c = bars["high"], bars["low"], bars["close"]
    for n, factor in ((10, 3.0), (7, 2.0)):
        st, direction, upper, lower = _supertrend_pine(h, lo, c, n, factor)
        ours = ind.supertrend(h, lo, c, n, factor)
        np.testing.assert_array_equal(ours.line, st)
        np.testing.assert_array_equal(ours.direction, -direction)  # +1 = uptrend here
        np.testing.assert_array_equal(ours.upper, upper)
        np.testing.assert_array_equal(ours.lower, lower)
        flips = np.nansum(np.abs(np.diff(ours.direction))) / 2
        assert 10 < flips < len(c) / 10


def test_supertrend_with_a_simple_mean_atr(bars: dict[str, np.ndarray]) -> None:
    h, lo, c = bars["high"], bars["low"], bars["close"]
    n = 10
    tr = np.r_[
        np.nan,
        [max(h[t] - lo[t], abs(h[t] - c[t - 1]), abs(lo[t] - c[t - 1])) for t in range(1, len(c))],
    ]
    atr = np.full(len(c), np.nan)
    for t in range(n, len(c)):
        atr[t] = tr[t - n + 1 : t + 1].mean()  # the last n true ranges, from bar 1
    st, direction, upper, lower = _supertrend_pine(h, lo, c, n, 3.0, atr)
    ours = ind.supertrend(h, lo, c, n, 3.0, atr_smoothing="sma")
    np.testing.assert_allclose(ours.line, st, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(ours.upper, upper, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(ours.lower, lower, rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(ours.direction, -direction)
    assert np.flatnonzero(~np.isnan(ours.line))[0] == n
    with pytest.raises(ValueError, match="atr_smoothing"):
        ind.supertrend(h, lo, c, n, 3.0, atr_smoothing="ema")  # type: ignore[arg-type]


def test_ichimoku_by_hand_and_without_displacement(bars: dict[str, np.ndarray]) -> None:
    h, lo = bars["high"], bars["low"]
    ich = ind.ichimoku(h, lo, 9, 26, 52, 26)
    tenkan, kijun, span_b = _mid(h, lo, 9), _mid(h, lo, 26), _mid(h, lo, 52)
    np.testing.assert_array_equal(ich.tenkan, tenkan)
    np.testing.assert_array_equal(ich.kijun, kijun)
    np.testing.assert_array_equal(ich.span_a, (tenkan + kijun) / 2)
    np.testing.assert_array_equal(ich.span_b, span_b)
    # the cloud under bar t is what was computed 25 bars earlier (TradingView's offset)
    np.testing.assert_array_equal(ich.cloud_a[25:], ich.span_a[:-25])
    np.testing.assert_array_equal(ich.cloud_b[25:], ich.span_b[:-25])


def test_aroon_by_hand_with_ties_going_to_the_most_recent_bar() -> None:
    h = np.array([1.0, 3.0, 2.0, 3.0, 1.0, 0.5])
    lo = np.array([0.5, 2.0, 0.5, 2.0, 0.8, 0.4])
    a = ind.aroon(h, lo, 3)
    # bar 3: window bars 0..3, highest 3 at bars 1 and 3 -> bar 3 (0 bars ago) -> up = 100
    # bar 4: window 1..4, highest 3 at bar 3 (1 bar ago) -> 100 (3 - 1) / 3
    # bar 5: window 2..5, highest 3 at bar 3 (2 bars ago) -> 100 / 3
    np.testing.assert_allclose(a.up, [np.nan] * 3 + [100.0, 200 / 3, 100 / 3], rtol=1e-15)
    # lowest: bar 3 -> 0.5 at bars 0 and 2 -> bar 2 (1 ago); bar 4 -> 0.5 at bar 2 (2 ago);
    # bar 5 -> 0.4 now
    np.testing.assert_allclose(a.down, [np.nan] * 3 + [200 / 3, 100 / 3, 100.0], rtol=1e-15)
    np.testing.assert_allclose(a.oscillator, a.up - a.down, rtol=1e-15)


def test_aroon_with_ties_going_to_the_oldest_bar() -> None:
    h = np.array([1.0, 3.0, 2.0, 3.0, 1.0, 0.5])
    lo = np.array([0.5, 2.0, 0.5, 2.0, 0.8, 0.4])
    a = ind.aroon(h, lo, 3, ties="oldest")
    # bar 3: highest 3 at bars 1 and 3 -> bar 1 (2 bars ago) -> up = 100 (3 - 2) / 3
    # bar 4: window 1..4 -> bar 1 (3 ago) -> 0; bar 5: window 2..5 -> bar 3 (2 ago) -> 100 / 3
    np.testing.assert_allclose(a.up, [np.nan] * 3 + [100 / 3, 0.0, 100 / 3], rtol=1e-15)
    # lowest: bar 3 -> 0.5 at bars 0 and 2 -> bar 0 (3 ago) -> 0; bar 4 -> bar 2 (2 ago)
    np.testing.assert_allclose(a.down, [np.nan] * 3 + [0.0, 100 / 3, 100.0], rtol=1e-15)


def test_directional_movement_by_hand() -> None:
    h = np.array([10.0, 11.0, 10.5, 12.0, np.nan, 13.0, 13.0])
    lo = np.array([9.0, 9.5, 8.0, 9.0, 9.0, 12.0, 11.0])
    dm = ind.directional_movement(h, lo)
    # bar 1: up 1, down -0.5 -> +DM 1; bar 2: up -0.5, down 1.5 -> -DM 1.5; bar 3: up 1.5,
    # down -1 -> +DM 1.5; bars 4 and 5 have a missing high on the bar or the one before;
    # bar 6: up 0, down 1 -> -DM 1
    nan = np.nan
    np.testing.assert_array_equal(dm.plus, [nan, 1.0, 0.0, 1.5, nan, nan, 0.0])
    np.testing.assert_array_equal(dm.minus, [nan, 0.0, 1.5, 0.0, nan, nan, 1.0])
    zero = ind.directional_movement(h, lo, undefined=0.0)
    np.testing.assert_array_equal(zero.plus, np.nan_to_num(dm.plus))
    # equal moves count for neither side
    tie = ind.directional_movement(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    np.testing.assert_array_equal(tie.plus, [nan, 0.0])
    np.testing.assert_array_equal(tie.minus, [nan, 0.0])


def test_parabolic_sar_by_hand() -> None:
    h = np.array([10.0, 11.0, 12.0, 13.0, 12.5, 11.0, 10.0])
    lo = np.array([9.0, 10.0, 11.0, 12.0, 11.0, 9.5, 8.0])
    # Bar 1 shows no -DM, so the trend starts long: SAR = low[0] = 9, EP = high[1] = 11.
    # bar 1: output 9; next = 9 + 0.02 (11 - 9) = 9.04 (kept below lows 10, 10)
    # bar 2: output 9.04; new high 12 -> EP 12, AF .04; next = 9.04 + .04 (12 - 9.04) = 9.1584
    # bar 3: output 9.1584; EP 13, AF .06; next = 9.1584 + .06 (13 - 9.1584) = 9.388896
    # bar 4: output 9.388896; no new high; next = 9.388896 + .06 (13 - 9.388896) = 9.60556224
    # bar 5: low 9.5 <= 9.60556224 -> reverse: SAR = EP 13, output 13; EP = 9.5, AF .02
    #        next = 13 + .02 (9.5 - 13) = 12.93, raised to the two bars' highs 12.5, 11 -> 12.93
    # bar 6: output 12.93
    expected = [np.nan, 9.0, 9.04, 9.1584, 9.388896, 13.0, 12.93]
    np.testing.assert_allclose(ind.parabolic_sar(h, lo), expected, rtol=1e-14)
