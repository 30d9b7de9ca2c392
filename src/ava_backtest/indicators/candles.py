"""Transforms of OHLC bars: typical/median price, Heikin-Ashi, pivots and fractals, floor pivots.

A swing high or low at bar t is only known once the ``right`` bars after it have printed, so pivots
and fractals are reported on the confirming bar t + right, never on bar t: a signal built on them
cannot see the future.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_block, as_blocks, first_valid, lag, period, restore
from ava_backtest.indicators.cache import memoized
from ava_backtest.indicators.moving_averages import ewm


class HeikinAshi(NamedTuple):
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray


class Fractals(NamedTuple):
    high: np.ndarray  # the fractal high's price on its confirming bar, NaN elsewhere
    low: np.ndarray


class PivotPoints(NamedTuple):
    pivot: np.ndarray
    r1: np.ndarray
    s1: np.ndarray
    r2: np.ndarray
    s2: np.ndarray
    r3: np.ndarray
    s3: np.ndarray


@memoized
def typical_price(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> np.ndarray:
    """(high + low + close) / 3 (TA-Lib TYPPRICE, Pine hlc3)."""
    (h, lo, c), flat = as_blocks(high=high, low=low, close=close)
    out = h + lo
    out += c
    out /= 3.0
    return restore(out, flat)


@memoized
def median_price(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """(high + low) / 2 (TA-Lib MEDPRICE, Pine hl2)."""
    (h, lo), flat = as_blocks(high=high, low=low)
    out = h + lo
    out /= 2.0
    return restore(out, flat)


@memoized
def heikin_ashi(
    open: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray
) -> HeikinAshi:
    """Heikin-Ashi candles: close = (o + h + l + c) / 4; open = (previous HA open + previous HA
    close) / 2, starting from (o + c) / 2 on a column's first bar; high/low = the extremes of the
    bar's high/low and the HA open and close."""
    (o, h, lo, c), flat = as_blocks(open=open, high=high, low=low, close=close)
    ha_close = o + h  # then in place: the same sums, no temporaries
    ha_close += lo
    ha_close += c
    ha_close /= 4.0
    # ha_open[t] = ha_open[t-1] + 0.5 (ha_close[t-1] - ha_open[t-1]): an EMA with alpha = 1/2 of the
    # previous HA close, seeded with the first bar's (o + c) / 2.
    z = lag(ha_close)
    first = first_valid(o, h, lo, c)
    cols = np.flatnonzero(first < len(o))
    z[first[cols], cols] = (o[first[cols], cols] + c[first[cols], cols]) / 2.0
    ha_open = ewm(z, 0.5)
    ha_high = np.maximum(ha_open, ha_close)
    np.maximum(h, ha_high, out=ha_high)
    ha_low = np.minimum(ha_open, ha_close)
    np.minimum(lo, ha_low, out=ha_low)
    return HeikinAshi(*(restore(a, flat) for a in (ha_open, ha_high, ha_low, ha_close)))


@nb.njit(cache=True)
def _pivot_kernel(x: np.ndarray, left: int, right: int, sign: float, out: np.ndarray) -> None:
    """out[t] = x[t - right] where sign * x[t - right] is strictly above sign * x at each of the
    ``left`` bars before it and the ``right`` bars after it (NaN compares False), NaN elsewhere."""
    rows, cols = x.shape
    ok = np.empty(cols, dtype=np.bool_)
    for t in range(rows):
        ot = out[t]
        if t < right + left:
            ot[:] = np.nan
            continue
        ct = x[t - right]
        for j in range(cols):
            ok[j] = not np.isnan(ct[j])
        for k in range(t - right - left, t + 1):
            if k == t - right:
                continue
            xk = x[k]
            for j in range(cols):
                ok[j] = ok[j] & (sign * ct[j] > sign * xk[j])  # &: no branch in the vector loop
        for j in range(cols):
            ot[j] = ct[j] if ok[j] else np.nan


def _pivot(x: np.ndarray, left: int, right: int, sign: float) -> np.ndarray:
    a, flat = as_block(x)
    out = np.empty_like(a)
    _pivot_kernel(a, left, right, sign, out)
    return restore(out, flat)


@memoized
def pivot_high(high: np.ndarray, left: int = 2, right: int = 2) -> np.ndarray:
    """Swing high: the high of bar t - right when it is strictly above the ``left`` highs before it
    and the ``right`` highs after it; reported on the confirming bar t (as Pine ta.pivothigh), NaN
    elsewhere."""
    return _pivot(high, period(left, "pivot left", 0), period(right, "pivot right", 0), 1.0)


@memoized
def pivot_low(low: np.ndarray, left: int = 2, right: int = 2) -> np.ndarray:
    """Swing low: mirror image of :func:`pivot_high`."""
    return _pivot(low, period(left, "pivot left", 0), period(right, "pivot right", 0), -1.0)


@memoized
def fractals(high: np.ndarray, low: np.ndarray, k: int = 2) -> Fractals:
    """Bill Williams fractals (k bars each side, 2 classically), reported k bars after the fractal
    bar, when they are confirmed."""
    k = period(k, "fractal k")
    return Fractals(pivot_high(high, k, k), pivot_low(low, k, k))


@memoized
def pivot_points(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> PivotPoints:
    """Classic floor-trader pivots from the previous bar's high, low and close, so bar t's levels
    are known at its open: P = (H + L + C) / 3, R1 = 2P - L, S1 = 2P - H, R2 = P + (H - L),
    S2 = P - (H - L), R3 = H + 2 (P - L), S3 = L - 2 (H - P). For daily levels on intraday bars,
    pass the previous session's values aligned to each bar."""
    (h, lo, c), flat = as_blocks(high=high, low=low, close=close)
    h, lo, c = lag(h), lag(lo), lag(c)
    p = (h + lo + c) / 3.0
    levels = (
        p,
        2.0 * p - lo,
        2.0 * p - h,
        p + (h - lo),
        p - (h - lo),
        h + 2.0 * (p - lo),
        lo - 2.0 * (h - p),
    )
    return PivotPoints(*(restore(a, flat) for a in levels))
