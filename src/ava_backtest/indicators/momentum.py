"""Momentum oscillators: RSI, MACD, stochastic, Williams %R, CCI, ROC, momentum, TSI.

Where an oscillator is a ratio whose numerator and denominator are both zero (a perfectly flat
window) it returns its neutral midpoint (RSI 50, %K 50, %R -50, CCI 0) rather than NaN or TA-Lib's
0, so no overbought/oversold rule fires on a halted stock.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_block, as_blocks, first_valid, lag, period, restore
from ava_backtest.indicators.cache import memoized
from ava_backtest.indicators.candles import typical_price
from ava_backtest.indicators.conventions import TIE, Convention, Seed, is_talib
from ava_backtest.indicators.moving_averages import ema, ewm, sma
from ava_backtest.indicators.statistics import highest, lowest


class MACD(NamedTuple):
    macd: np.ndarray
    signal: np.ndarray
    hist: np.ndarray


class Stochastic(NamedTuple):
    k: np.ndarray
    d: np.ndarray


@nb.njit(cache=True, error_model="numpy")  # x / 0 is IEEE (then not selected)
def _rsi(x: np.ndarray, first: np.ndarray, n: int, out: np.ndarray) -> None:
    """Wilder averages of gains and losses; branch-free along each row (seed sums, seed and
    recursion computed and selected), so LLVM vectorises it."""
    rows, cols = x.shape
    gain = np.zeros(cols)
    loss = np.zeros(cols)
    for i in range(rows):
        xi = x[i]
        xp = x[i - 1] if i > 0 else xi
        oi = out[i]
        for j in range(cols):
            k = i - first[j]
            d = xi[j] - xp[j]
            g = d if d > 0.0 else 0.0
            lo = -d if d < 0.0 else 0.0
            g0 = gain[j]
            l0 = loss[j]
            if_sum_g = g0 + g
            if_sum_l = l0 + lo
            wg = (g0 * (n - 1) + g) / n
            wl = (l0 * (n - 1) + lo) / n
            g1 = g0 if k < 1 else (if_sum_g if k < n else (if_sum_g / n if k == n else wg))
            l1 = l0 if k < 1 else (if_sum_l if k < n else (if_sum_l / n if k == n else wl))
            gain[j] = g1
            loss[j] = l1
            total = g1 + l1
            r = 100.0 * g1 / total if total > 0.0 else 50.0
            oi[j] = r if k >= n else np.nan


@nb.njit(cache=True, error_model="numpy")  # x / 0 is IEEE (then not selected)
def _cutler_rsi(x: np.ndarray, first: np.ndarray, n: int, out: np.ndarray) -> None:
    """Each window summed afresh (n is small), so no running-sum drift: a window without a loss
    has a loss sum of exactly 0. The sums run along rows with selects (vector lanes across the
    columns), each column's changes added oldest first; a NaN change makes the gain NaN."""
    rows, cols = x.shape
    gain = np.zeros(cols)
    loss = np.zeros(cols)
    for i in range(rows):
        gain[:] = 0.0
        loss[:] = 0.0
        for q in range(max(i - n + 1, 1), i + 1):
            xq = x[q]
            xp = x[q - 1]
            for j in range(cols):
                d = xq[j] - xp[j]
                g = gain[j] + d if d > 0.0 else gain[j]
                gain[j] = np.nan if d != d else g
                loss[j] = loss[j] - d if d < 0.0 else loss[j]
        oi = out[i]
        for j in range(cols):
            g = gain[j]
            total = g + loss[j]
            r = 100.0 * g / total if total > 0.0 else 50.0
            oi[j] = np.nan if (i - first[j] < n or g != g) else r


@nb.njit(cache=True)
def _cci(tp: np.ndarray, first: np.ndarray, n: int, out: np.ndarray) -> None:
    """Mean absolute deviation has no O(1) update; the window loops run across columns so they
    stay on contiguous memory."""
    rows, cols = tp.shape
    mean = np.zeros(cols)
    dev = np.zeros(cols)
    for i in range(rows):
        if i < n - 1:
            out[i, :] = np.nan
            continue
        mean[:] = 0.0
        dev[:] = 0.0
        for q in range(i - n + 1, i + 1):
            for j in range(cols):
                mean[j] += tp[q, j]
        for j in range(cols):
            mean[j] /= n
        for q in range(i - n + 1, i + 1):
            for j in range(cols):
                dev[j] += abs(tp[q, j] - mean[j])
        for j in range(cols):
            diff = tp[i, j] - mean[j]
            md = dev[j] / n
            scale = TIE * abs(mean[j])
            if i - first[j] < n - 1:
                out[i, j] = np.nan
            else:
                out[i, j] = diff / (0.015 * md) if abs(diff) > scale and md > scale else 0.0


@nb.njit(cache=True, error_model="numpy")  # x / 0 is IEEE (then not selected)
def _range_position(
    close: np.ndarray, hh: np.ndarray, ll: np.ndarray, williams: bool, out: np.ndarray
) -> None:
    """Where the close sits in the high-low range: %K (0..100) or Williams %R (-100..0)."""
    rows, cols = close.shape
    mid = -50.0 if williams else 50.0
    for i in range(rows):
        ci = close[i]
        hi = hh[i]
        li = ll[i]
        oi = out[i]
        for j in range(cols):
            span = hi[j] - li[j]
            pct_r = -100.0 * (hi[j] - ci[j]) / span
            pct_k = 100.0 * (ci[j] - li[j]) / span
            v = (pct_r if williams else pct_k) if span > 0.0 else mid
            oi[j] = np.nan if np.isnan(span) else v


def _position(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int, williams: bool
) -> tuple[np.ndarray, bool]:
    (h, lo, c), flat = as_blocks(high=high, low=low, close=close)
    out = np.empty_like(c)
    _range_position(c, highest(h, n), lowest(lo, n), williams, out)
    return out, flat


@memoized
def rsi(x: np.ndarray, n: int = 14) -> np.ndarray:
    """Wilder's RSI: 100 x avg gain / (avg gain + avg loss), both Wilder averages of the bar-to-bar
    changes seeded with the mean of the first n changes; first value at bar n (TA-Lib RSI and Pine
    ta.rsi agree)."""
    n = period(n, "rsi period")
    a, flat = as_block(x)
    out = np.empty_like(a)
    _rsi(a, first_valid(a), n, out)
    return restore(out, flat)


@memoized
def cutler_rsi(x: np.ndarray, n: int = 14) -> np.ndarray:
    """Cutler's RSI: 100 x G / (G + L), G and L the plain means of the gains and the losses among
    the last n bar-to-bar changes (no Wilder smoothing, so it forgets a change n bars later);
    first value at bar n. No loss in the window gives 100, no gain 0, a flat window 50."""
    n = period(n, "cutler_rsi period")
    a, flat = as_block(x)
    out = np.empty_like(a)
    _cutler_rsi(a, first_valid(a), n, out)
    return restore(out, flat)


@memoized
def macd(
    x: np.ndarray,
    fast: int = 12,
    slow: int = 26,
    signal: int = 9,
    convention: Convention = "tradingview",
) -> MACD:
    """MACD line = ema(fast) - ema(slow), signal = ema(line, signal), hist = line - signal.

    ``"tradingview"`` (Pine ta.macd): both EMAs SMA-seeded on their own first n bars.
    ``"talib"`` (TA-Lib MACD): the fast EMA is seeded later, with the mean of the ``fast`` bars
    ending where the slow EMA starts (bar slow-1), so both lines begin together.
    The line exists from bar slow-1, the signal and histogram from bar slow+signal-2 (TA-Lib
    reports all three only from the latter).
    """
    fast = period(fast, "macd fast")
    slow = period(slow, "macd slow")
    signal = period(signal, "macd signal")
    if is_talib(convention):
        line = ewm(x, 2.0 / (fast + 1), fast, max(fast, slow) - 1)
    else:
        line = ema(x, fast)
    line -= ema(x, slow)  # in place: the fast EMA is this call's own array
    sig = ema(line, signal)
    return MACD(line, sig, line - sig)


@memoized
def stochastic(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    k_period: int = 14,
    k_smooth: int = 3,
    d_period: int = 3,
) -> Stochastic:
    """Stochastic oscillator. Raw %K = 100 (close - lowest low) / (highest high - lowest low) over
    ``k_period`` bars; k = sma(raw %K, k_smooth); d = sma(k, d_period).

    ``k_smooth=1`` is the fast stochastic (TA-Lib STOCHF: fastk, fastd); ``k_smooth=3`` the slow
    one (TA-Lib STOCH with SMA averages: slowk, slowd).
    """
    raw, flat = _position(high, low, close, period(k_period, "stochastic k_period"), False)
    k = sma(raw, period(k_smooth, "stochastic k_smooth"))
    d = sma(k, period(d_period, "stochastic d_period"))
    return Stochastic(restore(k, flat), restore(d, flat))


@memoized
def williams_r(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int = 14) -> np.ndarray:
    """Williams %R = -100 (highest high - close) / (highest high - lowest low), in [-100, 0]
    (TA-Lib WILLR)."""
    out, flat = _position(high, low, close, period(n, "williams_r period"), True)
    return restore(out, flat)


@memoized
def cci(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int = 20) -> np.ndarray:
    """Commodity Channel Index: (tp - sma(tp)) / (0.015 x mean absolute deviation of tp), tp the
    typical price (TA-Lib CCI, Pine ta.cci on hlc3). 0 when tp sits on its mean or the window is
    flat, to within 1e-14 of the mean (adjustment noise), as TA-Lib does."""
    n = period(n, "cci period")
    (tp,), flat = as_blocks(tp=typical_price(high, low, close))
    out = np.empty_like(tp)
    _cci(tp, first_valid(tp), n, out)
    return restore(out, flat)


@memoized
def roc(x: np.ndarray, n: int = 10) -> np.ndarray:
    """Rate of change in percent: 100 (x / x[t-n] - 1) (TA-Lib ROC, Pine ta.roc); 0 if x[t-n] is 0."""
    n = period(n, "roc period")
    a, flat = as_block(x)
    out = np.empty_like(a)
    _roc(a, n, out)
    return restore(out, flat)


@nb.njit(cache=True, error_model="numpy")  # x / 0 is IEEE (then replaced), not an exception
def _roc(x: np.ndarray, n: int, out: np.ndarray) -> None:
    rows, cols = x.shape
    for i in range(rows):
        xi = x[i]
        oi = out[i]
        if i < n:
            oi[:] = np.nan
            continue
        xp = x[i - n]
        for j in range(cols):
            v = xi[j]
            p = xp[j]
            r = (v / p - 1.0) * 100.0 if p != 0.0 else 0.0
            oi[j] = np.nan if (np.isnan(p) or np.isnan(v)) else r


@memoized
def momentum(x: np.ndarray, n: int = 10) -> np.ndarray:
    """x - x[t-n] (TA-Lib MOM, Pine ta.mom)."""
    n = period(n, "momentum period")
    a, flat = as_block(x)
    out = lag(a, n)
    np.subtract(a, out, out=out)
    return restore(out, flat)


@memoized
def tsi(x: np.ndarray, long: int = 25, short: int = 13, seed: Seed = "sma") -> np.ndarray:
    """True Strength Index, in percent: 100 x ema(ema(dx, long), short) / ema(ema(|dx|, long), short)
    with dx the bar-to-bar change (Blau; Pine's ta.tsi returns the same ratio without the x100)."""
    long = period(long, "tsi long")
    short = period(short, "tsi short")
    a, flat = as_block(x)
    d = a - lag(a)
    num = ema(ema(d, long, seed), short, seed)
    den = ema(ema(np.abs(d), long, seed), short, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0.0, 100.0 * num / den, 0.0)
    out[np.isnan(den)] = np.nan
    return restore(out, flat)


@memoized
def pct_change(x: np.ndarray, n: int = 1) -> np.ndarray:
    """(x - x[t-n]) / x[t-n] as a fraction; NaN for the first ``n`` bars or where either is NaN
    (and +-inf where x[t-n] is 0: no return is defined from a zero price)."""
    n = period(n, "pct_change period")
    a, flat = as_block(x)
    prev = lag(a, n)
    out = a - prev
    with np.errstate(divide="ignore", invalid="ignore"):
        out /= prev
    return restore(out, flat)


@memoized
def previous(x: np.ndarray, n: int = 1) -> np.ndarray:
    """The value ``n`` bars ago (NaN for the first ``n`` bars): a rule that compares today with a
    level computed up to yesterday, e.g. ``close > previous(highest(high, 20))``."""
    n = period(n, "previous offset")
    a, flat = as_block(x)
    return restore(lag(a, n), flat)
