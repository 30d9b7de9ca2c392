"""Volume indicators: on-balance volume, money flow index, session VWAP."""

from __future__ import annotations

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_blocks, first_valid, period, restore
from ava_backtest.indicators.cache import memoized
from ava_backtest.indicators.conventions import TIE, Convention, is_talib


@nb.njit(cache=True)
def _money_flow(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray, i: int, j: int
) -> tuple[float, float]:
    tp = (high[i, j] + low[i, j] + close[i, j]) / 3.0
    prev = (high[i - 1, j] + low[i - 1, j] + close[i - 1, j]) / 3.0
    change = tp - prev
    if abs(change) <= TIE * (abs(tp) + abs(prev)):
        return 0.0, 0.0
    flow = tp * volume[i, j]
    return (flow, 0.0) if change > 0.0 else (0.0, flow)


@nb.njit(cache=True)
def _mfi(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    first: np.ndarray,
    n: int,
    out: np.ndarray,
) -> None:
    rows, cols = high.shape
    pos = np.zeros(cols)
    neg = np.zeros(cols)
    live = np.zeros(cols, dtype=np.int64)  # bars in the window that carry a flow
    since = np.zeros(cols, dtype=np.int64)
    for i in range(rows):
        for j in range(cols):
            k = i - first[j]
            if k < 1:
                out[i, j] = np.nan
                continue
            p, m = _money_flow(high, low, close, volume, i, j)
            if k <= n or since[j] == n:
                if k > n:
                    # Re-sum the window exactly every n bars so rounding cannot accumulate.
                    pos[j] = p
                    neg[j] = m
                    live[j] = 1 if p != 0.0 or m != 0.0 else 0
                    for q in range(i - n + 1, i):
                        a, b = _money_flow(high, low, close, volume, q, j)
                        pos[j] += a
                        neg[j] += b
                        live[j] += 1 if a != 0.0 or b != 0.0 else 0
                    since[j] = 1
                else:
                    pos[j] += p
                    neg[j] += m
                    live[j] += 1 if p != 0.0 or m != 0.0 else 0
                    since[j] = 1
                    if k < n:
                        out[i, j] = np.nan
                        continue
            else:
                a, b = _money_flow(high, low, close, volume, i - n, j)
                pos[j] += p - a
                neg[j] += m - b
                live[j] += (1 if p != 0.0 or m != 0.0 else 0) - (1 if a != 0.0 or b != 0.0 else 0)
                since[j] += 1
            if live[j] == 0:
                pos[j] = 0.0
                neg[j] = 0.0
            up = max(pos[j], 0.0)
            total = up + max(neg[j], 0.0)
            out[i, j] = 100.0 * up / total if total > 0.0 else 50.0


@nb.njit(cache=True)
def _obv(close: np.ndarray, volume: np.ndarray, first: np.ndarray, talib: bool, out: np.ndarray):
    rows, cols = close.shape
    acc = np.zeros(cols)
    for i in range(rows):
        for j in range(cols):
            k = i - first[j]
            if k < 0:
                out[i, j] = np.nan
                continue
            if k == 0:
                acc[j] = volume[i, j] if talib else 0.0
            elif close[i, j] > close[i - 1, j]:
                acc[j] += volume[i, j]
            elif close[i, j] < close[i - 1, j]:
                acc[j] -= volume[i, j]
            out[i, j] = acc[j]


@nb.njit(cache=True)
def _vwap(
    price: np.ndarray, volume: np.ndarray, starts: np.ndarray, first: np.ndarray, out: np.ndarray
) -> None:
    rows, cols = price.shape
    pv = np.zeros(cols)
    vol = np.zeros(cols)
    for i in range(rows):
        for j in range(cols):
            k = i - first[j]
            if k < 0:
                out[i, j] = np.nan
                continue
            if starts[i] or k == 0:
                pv[j] = 0.0
                vol[j] = 0.0
            pv[j] += price[i, j] * volume[i, j]
            vol[j] += volume[i, j]
            out[i, j] = pv[j] / vol[j] if vol[j] > 0.0 else np.nan


@memoized
def obv(
    close: np.ndarray, volume: np.ndarray, convention: Convention = "tradingview"
) -> np.ndarray:
    """On-balance volume: the running sum of +volume on up closes and -volume on down closes.

    ``"tradingview"`` (Pine ta.obv, Granville) starts at 0 on a column's first bar; ``"talib"``
    (TA-Lib OBV) starts at that bar's volume. The two differ by that constant.
    """
    (c, v), flat = as_blocks(close=close, volume=volume)
    out = np.empty_like(c)
    _obv(c, v, first_valid(c, v), is_talib(convention), out)
    return restore(out, flat)


@memoized
def mfi(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray, n: int = 14
) -> np.ndarray:
    """Money Flow Index: 100 x positive flow / (positive + negative flow) over the last n bars,
    flow = typical price x volume, signed by the change in typical price. A change within 1e-14 of
    the prices (adjustment noise) counts as unchanged: no flow. First value at bar n (TA-Lib MFI);
    50 when the window has no flow (TA-Lib: 0)."""
    n = period(n, "mfi period")
    (h, lo, c, v), flat = as_blocks(high=high, low=low, close=close, volume=volume)
    out = np.empty_like(h)
    _mfi(h, lo, c, v, first_valid(h, lo, c, v), n, out)
    return restore(out, flat)


@memoized
def vwap(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    session: np.ndarray,
) -> np.ndarray:
    """Volume-weighted average of the typical price since the start of the bar's session (Pine
    ta.vwap on hlc3 with a session anchor).

    ``session`` is one id per bar, shape (bars,), shared by every column: a new session starts
    wherever the id changes (trading dates for intraday bars, or week/month numbers for an anchored
    VWAP). NaN until the session has traded some volume.
    """
    (h, lo, c, v), flat = as_blocks(high=high, low=low, close=close, volume=volume)
    s = np.asarray(session)
    if s.shape != (len(h),):
        raise ValueError(f"session must have shape ({len(h)},), one id per bar; got {s.shape}")
    starts = np.ones(len(s), dtype=np.bool_)
    starts[1:] = s[1:] != s[:-1]
    price = (h + lo + c) / 3.0
    out = np.empty_like(h)
    _vwap(price, v, starts, first_valid(price, v), out)
    return restore(out, flat)
