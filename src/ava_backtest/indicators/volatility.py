"""Volatility and range indicators: true range, ATR, Bollinger, Keltner, Donchian, Williams VIX Fix."""

from __future__ import annotations

from typing import Literal, NamedTuple

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_block, as_blocks, first_valid, period, restore
from ava_backtest.indicators.cache import memoized
from ava_backtest.indicators.conventions import Convention, is_talib
from ava_backtest.indicators.moving_averages import ema, sma
from ava_backtest.indicators.statistics import highest, lowest, stddev


class Bollinger(NamedTuple):
    upper: np.ndarray
    middle: np.ndarray
    lower: np.ndarray
    bandwidth: np.ndarray  # (upper - lower) / middle, a ratio (not percent)
    percent_b: np.ndarray  # (x - lower) / (upper - lower); 0.5 when the bands collapse


class Keltner(NamedTuple):
    upper: np.ndarray
    middle: np.ndarray
    lower: np.ndarray


class Donchian(NamedTuple):
    upper: np.ndarray
    middle: np.ndarray
    lower: np.ndarray


class VolatilityStop(NamedTuple):
    line: np.ndarray  # the stop: under the close in an uptrend, over it in a downtrend
    direction: np.ndarray  # +1 uptrend, -1 downtrend


@nb.njit(cache=True)
def _atr(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    first: np.ndarray,
    n: int,
    skip: int,
    out: np.ndarray,
) -> None:
    """True range fused with Wilder's average; the first ``skip`` bars of a column carry no range.
    Branch-free along each row (the seed sum, the seed and the recursion are computed and
    selected), so LLVM vectorises it."""
    rows, cols = high.shape
    acc = np.zeros(cols)
    avg = np.zeros(cols)
    for i in range(rows):
        hi_row = high[i]
        lo_row = low[i]
        prev_row = close[i - 1] if i > 0 else close[i]  # unused on a column's first bar
        oi = out[i]
        for j in range(cols):
            k = i - first[j]
            hi = hi_row[j]
            lo = lo_row[j]
            prev = prev_row[j]
            tr = hi - lo
            a = abs(hi - prev)
            b = abs(lo - prev)
            t2 = a if a > tr else tr
            t2 = b if b > t2 else t2
            tr = t2 if k > 0 else tr
            kk = k - skip
            total = acc[j] + tr
            acc[j] = total if (k >= skip and kk < n) else acc[j]
            step = (avg[j] * (n - 1) + tr) / n
            av = total / n if kk == n - 1 else (step if kk > n - 1 else avg[j])
            avg[j] = av
            oi[j] = av if kk >= n - 1 else np.nan


@nb.njit(cache=True, error_model="numpy")  # x / 0 is IEEE (then not selected)
def _bands(
    x: np.ndarray,
    mid: np.ndarray,
    sd: np.ndarray,
    mult: float,
    upper: np.ndarray,
    lower: np.ndarray,
    bandwidth: np.ndarray,
    pct: np.ndarray,
) -> None:
    rows, cols = x.shape
    for i in range(rows):
        xi = x[i]
        mi = mid[i]
        si = sd[i]
        ui = upper[i]
        li = lower[i]
        bi = bandwidth[i]
        pi = pct[i]
        for j in range(cols):
            m = mi[j]
            u = m + mult * si[j]
            lo = m - mult * si[j]
            span = u - lo
            ui[j] = u
            li[j] = lo
            bi[j] = span / m if m != 0.0 else np.nan
            p = (xi[j] - lo) / span if span > 0.0 else 0.5
            pi[j] = np.nan if np.isnan(span) else p


@nb.njit(cache=True)
def _true_range(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, high_low: bool, out: np.ndarray
) -> None:
    """max(high - low, |high - prev close|, |low - prev close|) in one branch-free pass per row.

    ``high_low=False``: NaN wherever any term is (as numpy's ``maximum`` propagates it), so the
    first row has none. ``high_low=True``: a missing previous close drops its terms (``fmax``), and
    the bar's own NaN high, low or close gives NaN."""
    rows, cols = high.shape
    for i in range(rows):
        hi = high[i]
        li = low[i]
        ci = close[i]
        pi = close[i - 1] if i > 0 else close[i]
        oi = out[i]
        for j in range(cols):
            h = hi[j]
            lo = li[j]
            pc = pi[j] if i > 0 else np.nan
            hl = h - lo
            a = abs(h - pc)
            b = abs(lo - pc)
            if high_low:
                m = a if (a >= b or np.isnan(b)) else b  # fmax
                m = hl if (hl >= m or np.isnan(m)) else m
                bad = np.isnan(ci[j]) or np.isnan(h) or np.isnan(lo)
                oi[j] = np.nan if bad else m
            else:
                m = a if (a >= b or np.isnan(a)) else b  # maximum: NaN propagates
                oi[j] = hl if (hl >= m or np.isnan(hl)) else m


@memoized
def true_range(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    first_bar: Literal["nan", "high_low"] = "nan",
) -> np.ndarray:
    """max(high - low, |high - prev close|, |low - prev close|).

    A column's first bar has no previous close: ``"nan"`` leaves it undefined (TA-Lib TRANGE, Pine
    ta.tr), ``"high_low"`` uses high - low (Pine ta.tr(true), what ta.atr averages).
    """
    if first_bar not in ("nan", "high_low"):
        raise ValueError(f"first_bar must be 'nan' or 'high_low', got {first_bar!r}")
    (h, lo, c), flat = as_blocks(high=high, low=low, close=close)
    tr = np.empty_like(h)
    _true_range(h, lo, c, first_bar == "high_low", tr)
    return restore(tr, flat)


@memoized
def atr(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    n: int = 14,
    convention: Convention = "tradingview",
) -> np.ndarray:
    """Average true range: Wilder's average (RMA) of the true range, seeded with the SMA of the
    first ``n`` ranges.

    ``"tradingview"`` (Pine ta.atr, Wilder): the first bar's range is high - low, first value at
    bar n-1. ``"talib"`` (TA-Lib ATR): the first bar has no range, first value at bar n.
    """
    n = period(n, "atr period")
    (h, lo, c), flat = as_blocks(high=high, low=low, close=close)
    out = np.empty_like(h)
    _atr(h, lo, c, first_valid(h, lo, c), n, 1 if is_talib(convention) else 0, out)
    return restore(out, flat)


@memoized
def natr(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    n: int = 14,
    convention: Convention = "tradingview",
) -> np.ndarray:
    """ATR as a percentage of the close (TA-Lib NATR)."""
    c = np.asarray(close, dtype=np.float64)
    out = atr(high, low, close, n, convention)  # this call's own array: scaled in place
    out *= 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        out /= c
    out[c == 0.0] = 0.0
    return out


@memoized
def bollinger(x: np.ndarray, n: int = 20, mult: float = 2.0, ddof: int = 0) -> Bollinger:
    """SMA(n) +/- mult x rolling standard deviation (population by default, as TA-Lib BBANDS and
    Pine ta.bb)."""
    n = period(n, "bollinger period")
    a, flat = as_block(x)
    mid = sma(a, n)
    sd = stddev(a, n, ddof)
    upper, lower, bandwidth, pct = (np.empty_like(a) for _ in range(4))
    _bands(a, mid, sd, float(mult), upper, lower, bandwidth, pct)
    return Bollinger(*(restore(b, flat) for b in (upper, mid, lower, bandwidth, pct)))


@memoized
def keltner(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    n: int = 20,
    mult: float = 2.0,
    atr_n: int = 10,
) -> Keltner:
    """EMA(close, n) +/- mult x ATR(atr_n) (the StockCharts form; Pine's ta.kc uses an EMA of the
    true range over n instead, i.e. ema(true_range(..., "high_low"), n))."""
    mid = ema(close, n)
    width = float(mult) * atr(high, low, close, atr_n)
    return Keltner(mid + width, mid, mid - width)


@memoized
def donchian(high: np.ndarray, low: np.ndarray, n: int = 20) -> Donchian:
    """Highest high and lowest low of the last ``n`` bars, this bar included, and their midpoint.

    A breakout rule compares with the previous bar's channel (close[t] > upper[t-1]): the current
    channel always contains the current bar.
    """
    upper = highest(high, n)
    lower = lowest(low, n)
    mid = upper + lower
    mid /= 2.0
    return Donchian(upper, mid, lower)


@memoized
def williams_vix_fix(close: np.ndarray, low: np.ndarray, n: int = 22) -> np.ndarray:
    """Williams VIX Fix: 100 x (highest close of the last n bars - low) / that highest close.

    Spikes at capitulation lows; the usual signal compares it with bollinger(wvf, 20, 2).upper or
    0.85 x highest(wvf, 50).
    """
    hc = highest(close, n)
    out = hc - np.asarray(low, dtype=np.float64)
    out *= 100.0
    out /= hc
    return out


@nb.njit(cache=True)
def _volatility_stop(
    close: np.ndarray,
    dist: np.ndarray,
    first: np.ndarray,
    line: np.ndarray,
    direction: np.ndarray,
) -> None:
    rows, cols = close.shape
    for j in range(cols):
        for i in range(rows):
            k = i - first[j]
            c = close[i, j]
            d = dist[i, j]
            if k < 0:
                line[i, j] = np.nan
                direction[i, j] = np.nan
                continue
            if k == 0:
                direction[i, j] = 1.0
                line[i, j] = c - d
                continue
            prev = line[i - 1, j]
            if direction[i - 1, j] > 0.0:
                lvl = max(prev, c - d)
                if c < lvl:
                    direction[i, j] = -1.0
                    line[i, j] = c + d
                else:
                    direction[i, j] = 1.0
                    line[i, j] = lvl
            else:
                lvl = min(prev, c + d)
                if c > lvl:
                    direction[i, j] = 1.0
                    line[i, j] = c - d
                else:
                    direction[i, j] = -1.0
                    line[i, j] = lvl


@memoized
def volatility_stop(close: np.ndarray, distance: np.ndarray) -> VolatilityStop:
    """ATR trailing stop ("volatility stop") that flips sides: from the first bar where the close
    and ``distance`` (e.g. 3 x atr) are both valid, in an uptrend the line is the highest
    close - distance so far; a close below it flips to a downtrend with the line at close +
    distance, which then only falls (the lowest close + distance) until a close above it flips back.
    Starts in an uptrend."""
    (c, d), flat = as_blocks(close=close, distance=distance)
    line, direction = np.empty_like(c), np.empty_like(c)
    _volatility_stop(c, d, first_valid(c, d), line, direction)
    return VolatilityStop(restore(line, flat), restore(direction, flat))
