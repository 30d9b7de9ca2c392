"""Trend indicators: ADX/DMI, Aroon, Supertrend, Ichimoku, Parabolic SAR."""

from __future__ import annotations

from typing import Literal, NamedTuple

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_blocks, first_valid, lag, period, restore
from ava_backtest.indicators.cache import memoized
from ava_backtest.indicators.candles import median_price
from ava_backtest.indicators.conventions import Convention, is_talib
from ava_backtest.indicators.moving_averages import sma
from ava_backtest.indicators.statistics import (
    bars_since_highest,
    bars_since_lowest,
    highest,
    lowest,
)
from ava_backtest.indicators.volatility import atr, true_range


class ADX(NamedTuple):
    adx: np.ndarray
    plus_di: np.ndarray
    minus_di: np.ndarray
    dx: np.ndarray


class DirectionalMovement(NamedTuple):
    plus: np.ndarray  # +DM
    minus: np.ndarray  # -DM


class Aroon(NamedTuple):
    up: np.ndarray
    down: np.ndarray
    oscillator: np.ndarray


class Supertrend(NamedTuple):
    line: np.ndarray  # the active band: lower in an uptrend, upper in a downtrend
    direction: np.ndarray  # +1 uptrend, -1 downtrend (Pine's ta.supertrend uses the opposite signs)
    upper: np.ndarray  # final (ratcheted) upper band
    lower: np.ndarray  # final (ratcheted) lower band


class Ichimoku(NamedTuple):
    tenkan: np.ndarray
    kijun: np.ndarray
    span_a: np.ndarray  # leading span A on the bar where it is computed (not displaced)
    span_b: np.ndarray  # leading span B on the bar where it is computed (not displaced)
    cloud_a: (
        np.ndarray
    )  # span A as drawn under the current bar: span_a computed displacement-1 bars ago
    cloud_b: np.ndarray  # span B as drawn under the current bar


@nb.njit(cache=True, error_model="numpy")  # x / 0 is IEEE (then not selected)
def _dmi(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    first: np.ndarray,
    n: int,
    adx_n: int,
    talib: bool,
    plus_out: np.ndarray,
    minus_out: np.ndarray,
    dx_out: np.ndarray,
    adx_out: np.ndarray,
) -> None:
    """Branch-free along each row: every candidate (seed sum, seed, Wilder step) is computed and
    the one for the column's bar count selected, so LLVM vectorises the row."""
    rows, cols = high.shape
    plus = np.zeros(cols)
    minus = np.zeros(cols)
    tr = np.zeros(cols)
    dx_sum = np.zeros(cols)
    adx = np.zeros(cols)
    # Wilder's averages of +DM, -DM and TR. TradingView seeds them with the mean of the first n
    # moves (bars 1..n); TA-Lib with the sum of the first n-1 moves divided by n, then one Wilder
    # step on bar n - as if bar 0 had contributed a zero move.
    seed_at = n - 1 if talib else n
    for i in range(rows):
        hi_row = high[i]
        lo_row = low[i]
        hp_row = high[i - 1] if i > 0 else hi_row  # unused on a column's first bar
        lp_row = low[i - 1] if i > 0 else lo_row
        cp_row = close[i - 1] if i > 0 else close[i]
        po = plus_out[i]
        mo = minus_out[i]
        do = dx_out[i]
        ao = adx_out[i]
        for j in range(cols):
            k = i - first[j]
            hi = hi_row[j]
            lo = lo_row[j]
            up = hi - hp_row[j]
            down = lp_row[j] - lo
            pdm = up if up > down and up > 0.0 else 0.0
            mdm = down if down > up and down > 0.0 else 0.0
            prev = cp_row[j]
            r = hi - lo
            a = abs(hi - prev)
            r = a if a > r else r
            b = abs(lo - prev)
            r = b if b > r else r
            moved = k >= 1
            summing = k < seed_at
            seeding = k == seed_at
            p0 = plus[j]
            m0 = minus[j]
            t0 = tr[j]
            p_sum = p0 + pdm
            m_sum = m0 + mdm
            t_sum = t0 + r
            p1 = p_sum if summing else (p_sum / n if seeding else p0 + (pdm - p0) / n)
            m1 = m_sum if summing else (m_sum / n if seeding else m0 + (mdm - m0) / n)
            t1 = t_sum if summing else (t_sum / n if seeding else t0 + (r - t0) / n)
            p1 = p1 if moved else p0
            m1 = m1 if moved else m0
            t1 = t1 if moved else t0
            plus[j] = p1
            minus[j] = m1
            tr[j] = t1
            pdi = 100.0 * p1 / t1 if t1 > 0.0 else 0.0
            mdi = 100.0 * m1 / t1 if t1 > 0.0 else 0.0
            total = pdi + mdi
            dx = 100.0 * abs(pdi - mdi) / total if total > 0.0 else 0.0
            ready = k >= n
            po[j] = pdi if ready else np.nan
            mo[j] = mdi if ready else np.nan
            do[j] = dx if ready else np.nan
            kk = k - n
            d_sum = dx_sum[j] + dx
            dx_sum[j] = d_sum if (ready and kk < adx_n - 1) else dx_sum[j]
            a0 = adx[j]
            step = (a0 * (adx_n - 1) + dx) / adx_n
            a1 = d_sum / adx_n if kk == adx_n - 1 else (step if kk > adx_n - 1 else a0)
            adx[j] = a1
            ao[j] = a1 if kk >= adx_n - 1 else np.nan


@nb.njit(cache=True)
def _supertrend(
    src: np.ndarray,
    rng: np.ndarray,
    close: np.ndarray,
    first: np.ndarray,
    mult: float,
    line: np.ndarray,
    direction: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
) -> None:
    """Branch-free along each row (selects), each column's state read from the previous row."""
    rows, cols = src.shape
    for i in range(rows):
        p = i - 1 if i > 0 else 0  # the previous row (unused on a column's first bar)
        si = src[i]
        ri = rng[i]
        ci = close[i]
        pup_row = upper[p]
        plo_row = lower[p]
        pc_row = close[p]
        pline_row = line[p]
        li = line[i]
        di = direction[i]
        ui = upper[i]
        loi = lower[i]
        for j in range(cols):
            k = i - first[j]
            up = si[j] + mult * ri[j]
            lo = si[j] - mult * ri[j]
            c = ci[j]
            prev_up = pup_row[j]
            prev_lo = plo_row[j]
            prev_c = pc_row[j]
            # The bands only ratchet towards price, unless the previous close broke through.
            lo2 = lo if (lo > prev_lo or prev_c < prev_lo) else prev_lo
            up2 = up if (up < prev_up or prev_c > prev_up) else prev_up
            more = k > 0
            lo = lo2 if more else lo
            up = up2 if more else up
            if_up = 1.0 if c > up else -1.0
            if_down = -1.0 if c < lo else 1.0
            d = (if_up if pline_row[j] == prev_up else if_down) if more else -1.0
            live = k >= 0
            ui[j] = up if live else np.nan
            loi[j] = lo if live else np.nan
            di[j] = d if live else np.nan
            li[j] = (lo if d > 0.0 else up) if live else np.nan


@nb.njit(cache=True)
def _sar(
    high: np.ndarray,
    low: np.ndarray,
    first: np.ndarray,
    acc: float,
    maximum: float,
    out: np.ndarray,
) -> None:
    rows, cols = high.shape
    is_long = np.zeros(cols, dtype=np.bool_)
    sar = np.zeros(cols)
    ep = np.zeros(cols)
    af = np.zeros(cols)
    new_high = np.zeros(cols)
    new_low = np.zeros(cols)
    for i in range(rows):
        for j in range(cols):
            k = i - first[j]
            if k < 1:
                out[i, j] = np.nan
                continue
            if k == 1:
                # TA-Lib's start: short if bar 1 shows a -DM, long otherwise; the first SAR is the
                # previous bar's extreme, and bar 1 stands in for its own predecessor.
                dm = low[i - 1, j] - low[i, j]
                short = dm > 0.0 and high[i, j] - high[i - 1, j] < dm
                is_long[j] = not short
                if is_long[j]:
                    ep[j] = high[i, j]
                    sar[j] = low[i - 1, j]
                else:
                    ep[j] = low[i, j]
                    sar[j] = high[i - 1, j]
                af[j] = acc
                new_low[j] = low[i, j]
                new_high[j] = high[i, j]
            prev_low = new_low[j]
            prev_high = new_high[j]
            lo = low[i, j]
            hi = high[i, j]
            new_low[j] = lo
            new_high[j] = hi
            s = sar[j]
            if is_long[j]:
                if lo <= s:
                    is_long[j] = False
                    s = max(ep[j], prev_high, hi)
                    out[i, j] = s
                    af[j] = acc
                    ep[j] = lo
                    s = max(s + af[j] * (ep[j] - s), prev_high, hi)
                else:
                    out[i, j] = s
                    if hi > ep[j]:
                        ep[j] = hi
                        af[j] = min(af[j] + acc, maximum)
                    s = min(s + af[j] * (ep[j] - s), prev_low, lo)
            elif hi >= s:
                is_long[j] = True
                s = min(ep[j], prev_low, lo)
                out[i, j] = s
                af[j] = acc
                ep[j] = hi
                s = min(s + af[j] * (ep[j] - s), prev_low, lo)
            else:
                out[i, j] = s
                if lo < ep[j]:
                    ep[j] = lo
                    af[j] = min(af[j] + acc, maximum)
                s = max(s + af[j] * (ep[j] - s), prev_high, hi)
            sar[j] = s


@nb.njit(cache=True)
def _directional_movement(
    high: np.ndarray, low: np.ndarray, undefined: float, plus: np.ndarray, minus: np.ndarray
) -> None:
    rows, cols = high.shape
    for i in range(rows):
        hi = high[i]
        li = low[i]
        hp = high[i - 1] if i > 0 else hi
        lp = low[i - 1] if i > 0 else li
        po = plus[i]
        mo = minus[i]
        for j in range(cols):
            up = hi[j] - hp[j] if i > 0 else np.nan
            down = lp[j] - li[j] if i > 0 else np.nan
            gap = np.isnan(up) or np.isnan(down)
            pdm = up if up > down and up > 0.0 else 0.0
            mdm = down if down > up and down > 0.0 else 0.0
            po[j] = undefined if gap else pdm
            mo[j] = undefined if gap else mdm


@memoized
def directional_movement(
    high: np.ndarray, low: np.ndarray, undefined: float = np.nan
) -> DirectionalMovement:
    """Wilder's directional movement of each bar, the input of :func:`adx`: with up = high -
    previous high and down = previous low - low, +DM = up if up > down and up > 0 else 0, -DM =
    down if down > up and down > 0 else 0. ``undefined`` (NaN by default; 0 for sums that should
    skip it) where a move is missing: the first bar, or a NaN high or low on the bar or the one
    before. For custom DI/ADX smoothings (simple means, EMAs)."""
    (h, lo), flat = as_blocks(high=high, low=low)
    plus, minus = np.empty_like(h), np.empty_like(h)
    _directional_movement(h, lo, float(undefined), plus, minus)
    return DirectionalMovement(restore(plus, flat), restore(minus, flat))


@memoized
def adx(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    n: int = 14,
    adx_n: int | None = None,
    convention: Convention = "tradingview",
) -> ADX:
    """Wilder's directional movement: +DI, -DI (from bar n), DX and ADX = Wilder average of DX over
    ``adx_n`` (default n) bars (from bar n + adx_n - 1).

    ``"tradingview"`` (Pine ta.dmi, Wilder): the averages of +DM, -DM and TR start as the mean of
    bars 1..n. ``"talib"`` (TA-Lib ADX/PLUS_DI/MINUS_DI/DX): they start from the sum of bars
    1..n-1 followed by one Wilder step; the two converge as (1 - 1/n)^t.
    """
    n = period(n, "adx period")
    adx_n = n if adx_n is None else period(adx_n, "adx smoothing period")
    (h, lo, c), flat = as_blocks(high=high, low=low, close=close)
    outs = [np.empty_like(h) for _ in range(4)]
    _dmi(h, lo, c, first_valid(h, lo, c), n, adx_n, is_talib(convention), *outs)
    plus, minus, dx, avg = (restore(a, flat) for a in outs)
    return ADX(avg, plus, minus, dx)


@memoized
def aroon(
    high: np.ndarray, low: np.ndarray, n: int = 25, ties: Literal["recent", "oldest"] = "recent"
) -> Aroon:
    """Aroon up = 100 (n - bars since the highest high of the last n+1 bars) / n; down likewise
    with the lowest low. Equal extremes: the most recent bar counts (TA-Lib AROON/AROONOSC), or
    the oldest with ``ties="oldest"`` (ports that take the first argmax of the window)."""
    n = period(n, "aroon period")
    up = _aroon_line(bars_since_highest(high, n + 1, ties), n)
    down = _aroon_line(bars_since_lowest(low, n + 1, ties), n)
    return Aroon(up, down, up - down)


def _aroon_line(age: np.ndarray, n: int) -> np.ndarray:
    """100 (n - age) / n, in place: ``age`` is the caller's own array."""
    np.subtract(n, age, out=age)
    age *= 100.0
    age /= n
    return age


@memoized
def supertrend(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    n: int = 10,
    mult: float = 3.0,
    atr_smoothing: Literal["rma", "sma"] = "rma",
) -> Supertrend:
    """Supertrend (Pine ta.supertrend): bands hl2 +/- mult x ATR(n) that only ratchet towards
    price; the trend flips when the close crosses the active band. Starts in a downtrend on the
    first ATR bar (n-1), as Pine does.

    ``atr_smoothing="sma"``: the ATR is the plain mean of the last n true ranges (the first bar
    has none), as many pandas ports compute it; the first ATR bar is then n."""
    n = period(n, "supertrend period")
    if atr_smoothing == "rma":
        atr_ = atr(high, low, close, n)
    elif atr_smoothing == "sma":
        atr_ = sma(true_range(high, low, close), n)
    else:
        raise ValueError(f"atr_smoothing must be 'rma' or 'sma', got {atr_smoothing!r}")
    (src, rng, c), flat = as_blocks(src=median_price(high, low), rng=atr_, close=close)
    outs = [np.empty_like(src) for _ in range(4)]
    _supertrend(src, rng, c, first_valid(src, rng, c), float(mult), *outs)
    return Supertrend(*(restore(a, flat) for a in outs))


@memoized
def ichimoku(
    high: np.ndarray,
    low: np.ndarray,
    tenkan: int = 9,
    kijun: int = 26,
    senkou: int = 52,
    displacement: int = 26,
) -> Ichimoku:
    """Ichimoku Kinko Hyo without look-ahead.

    tenkan/kijun = midpoint of the highest high and lowest low over 9/26 bars; span A = (tenkan +
    kijun) / 2 and span B = the 52-bar midpoint, both on the bar where they are computed (charts
    draw them displacement-1 bars ahead). ``cloud_a``/``cloud_b`` are the spans as drawn under the
    current bar (computed displacement-1 bars earlier, as TradingView plots them). The lagging span
    (close drawn 26 bars back) is omitted: compare the close with the close 25 bars earlier.
    """
    disp = period(displacement, "ichimoku displacement")

    def mid(n: int, name: str) -> np.ndarray:
        n = period(n, name)
        out = highest(high, n)  # this call's own array: summed into in place
        out += lowest(low, n)
        out /= 2.0
        return out

    t = mid(tenkan, "ichimoku tenkan")
    k = mid(kijun, "ichimoku kijun")
    a = t + k
    a /= 2.0
    b = mid(senkou, "ichimoku senkou")
    return Ichimoku(t, k, a, b, lag(a, disp - 1), lag(b, disp - 1))


@memoized
def parabolic_sar(
    high: np.ndarray, low: np.ndarray, acceleration: float = 0.02, maximum: float = 0.2
) -> np.ndarray:
    """Wilder's Parabolic SAR as TA-Lib computes it (SAR): the value on bar t is the stop for bar
    t, or the reversal level when bar t penetrates it. Long while the SAR is below the price."""
    if not 0.0 < acceleration <= maximum:
        raise ValueError("need 0 < acceleration <= maximum")
    (h, lo), flat = as_blocks(high=high, low=low)
    out = np.empty_like(h)
    _sar(h, lo, first_valid(h, lo), float(acceleration), float(maximum), out)
    return restore(out, flat)
