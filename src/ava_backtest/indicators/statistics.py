"""Rolling-window statistics: sums, extremes, dispersion, z-score, percentile rank.

Every window includes the current bar and is counted from each column's first valid value.
"""

from __future__ import annotations

from typing import Literal

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_block, as_blocks, first_valid, period, restore
from ava_backtest.indicators.cache import memoized
from ava_backtest.indicators.moving_averages import rolling_window_sum, sma

Ties = Literal["recent", "oldest"]


@nb.njit(cache=True)
def _rolling_max(
    x: np.ndarray,
    first: np.ndarray,
    w: int,
    with_age: bool,
    oldest: bool,
    sign: float,
    out: np.ndarray,
    age: np.ndarray,
) -> None:
    """Max of ``sign * x`` over the last ``w`` bars, times ``sign`` (``sign=-1``: the min) and, if
    asked, its age in bars (0 = this bar; ties go to the most recent bar, or to the oldest with
    ``oldest``). NaN during the warm-up
    and where the window holds no value at all (a gap of ``w`` or more NaN bars); a real infinite
    value in a window stays.

    van Herk / Gil-Werman: cut the rows into blocks of ``w``; a window is the tail of one block
    (a suffix max) joined to the head of the next (a prefix max), so each value costs O(1). One
    block at a time: the previous block's suffix maxima are a (w, cols) buffer and the running
    prefix max one row, so the passes stay in cache. NaNs act as -inf. Every inner loop runs
    along a row with selects only and touches few arrays, so LLVM vectorises it; conditions use
    ``|``/``&``, not ``or``/``and``, whose short-circuit would be a branch in the loop body.
    """
    rows, cols = x.shape
    tail = np.full((w + 1, cols), -np.inf)  # row w stays -inf: a block's last row compares to it
    tail_at = np.zeros((w + 1 if with_age else 1, cols))
    head = np.empty(cols)
    head_at = np.zeros(cols)
    lim = first + (w - 1)  # the first row with a full window
    last = np.full(cols, -w - 1, dtype=np.int64)  # the last row that held a value
    for start in range(0, rows, w):
        stop = min(start + w, rows)
        for i in range(start, stop):
            r = i - start
            first_row = r == 0
            newest = not oldest
            xi = x[i]
            oi = out[i]
            tn = tail[r + 1]
            for j in range(cols):
                last[j] = last[j] if np.isnan(xi[j]) else i
            if with_age:
                fi = float(i)
                for j in range(cols):
                    v = sign * xi[j]
                    v = -np.inf if np.isnan(v) else v
                    h0 = head[j]
                    take = first_row | (v > h0) | ((v == h0) & newest)
                    head[j] = v if take else h0
                    head_at[j] = fi if take else head_at[j]
                ai = age[i]
                tan = tail_at[r + 1]
                for j in range(cols):
                    hv = head[j]
                    t = tn[j]
                    use = (hv > t) | ((hv == t) & newest)
                    bad = (i < lim[j]) | (i - last[j] >= w)
                    ha = head_at[j]
                    ta_ = tan[j]
                    ai[j] = np.nan if bad else fi - (ha if use else ta_)
            else:
                for j in range(cols):
                    v = sign * xi[j]
                    v = -np.inf if np.isnan(v) else v
                    h0 = head[j]
                    head[j] = v if (first_row | (v >= h0)) else h0
            for j in range(cols):
                hv = head[j]
                t = tn[j]
                bad = (i < lim[j]) | (i - last[j] >= w)
                oi[j] = np.nan if bad else sign * (hv if hv >= t else t)
        for i in range(stop - 1, start - 1, -1):  # this block's suffix maxima, for the next
            r = i - start
            xi = x[i]
            tr = tail[r]
            tn = tail[r + 1] if i < stop - 1 else tail[w]
            end = i == stop - 1
            if with_age:
                fi = float(i)
                ta = tail_at[r]
                tan = tail_at[r + 1]
                for j in range(cols):
                    v = sign * xi[j]
                    v = -np.inf if np.isnan(v) else v
                    t = tn[j]
                    ta_ = tan[j]
                    ta[j] = fi if (end | (v > t) | ((v == t) & oldest)) else ta_
            for j in range(cols):
                v = sign * xi[j]
                v = -np.inf if np.isnan(v) else v
                t = tn[j]
                tr[j] = v if (end | (v > t)) else t


@nb.njit(cache=True)
def _rolling_std(x: np.ndarray, first: np.ndarray, n: int, ddof: int, out: np.ndarray) -> None:
    """Sliding Welford update, recomputed exactly (two passes over the window) every ``n`` bars and
    whenever the sum of squares falls below 1/1000 of its peak since the last recompute.

    The update's rounding error scales with the largest recent spread, so a window that goes
    flat after a jump would keep a ~1e-8 ghost deviation; the recompute gives the exact value
    (0 for a flat window) while the cost stays O(1) amortised.

    Per row: one branch-free loop over the columns does the update (vectorised), then the columns
    due for a recompute are redone, then the output row is written.
    """
    rows, cols = x.shape
    mean = np.zeros(cols)
    m2 = np.zeros(cols)
    peak = np.zeros(cols)
    since = np.zeros(cols, dtype=np.int64)
    redo = np.zeros(cols, dtype=np.bool_)
    start = first + (n - 1)  # the first row with a full window
    for i in range(rows):
        xi = x[i]
        xo = x[i - n] if i >= n else xi  # the row leaving the window (unused before row n)
        oi = out[i]
        for j in range(cols):
            active = i >= start[j]
            forced = i == start[j] or since[j] == n
            old = xo[j]
            new = xi[j]
            mu = mean[j] + (new - old) / n
            sq = m2[j] + (new - old) * (new - mu + old - mean[j])
            top = max(peak[j], sq)
            step = active and not forced
            mean[j] = mu if step else mean[j]
            m2[j] = sq if step else m2[j]
            peak[j] = top if step else peak[j]
            since[j] = since[j] + 1 if step else since[j]
            r = active and (forced or sq < 1e-3 * top)
            redo[j] = r
        n_redo = 0
        for j in range(cols):
            n_redo += redo[j]
        if n_redo:
            for j in range(cols):
                if not redo[j]:
                    continue
                acc = 0.0
                for q in range(i - n + 1, i + 1):
                    acc += x[q, j]
                mu = acc / n
                ss = 0.0
                for q in range(i - n + 1, i + 1):
                    d = x[q, j] - mu
                    ss += d * d
                mean[j] = mu
                m2[j] = ss
                peak[j] = ss
                since[j] = 1
        for j in range(cols):
            oi[j] = np.sqrt(m2[j] / (n - ddof)) if i >= start[j] else np.nan


@nb.njit(cache=True)
def _percentile_rank(x: np.ndarray, first: np.ndarray, n: int, out: np.ndarray) -> None:
    """Counts the window directly, four window rows per pass along a row of the block (vector
    lanes across the columns); counts are small integers held exactly in floats."""
    rows, cols = x.shape
    count = np.zeros(cols)
    for i in range(rows):
        xi = x[i]
        oi = out[i]
        count[:] = 0.0
        q = max(i - n, 0)
        while q + 4 <= i:
            xa = x[q]
            xb = x[q + 1]
            xc = x[q + 2]
            xd = x[q + 3]
            for j in range(cols):
                v = xi[j]
                count[j] += (
                    (1.0 if xa[j] <= v else 0.0)
                    + (1.0 if xb[j] <= v else 0.0)
                    + (1.0 if xc[j] <= v else 0.0)
                    + (1.0 if xd[j] <= v else 0.0)
                )
            q += 4
        while q < i:
            xa = x[q]
            for j in range(cols):
                count[j] += 1.0 if xa[j] <= xi[j] else 0.0
            q += 1
        for j in range(cols):
            oi[j] = 100.0 * count[j] / n if i - first[j] >= n else np.nan


def _extreme(
    x: np.ndarray, w: int, lowest_: bool, with_age: bool = False, ties: str = "recent"
) -> tuple[np.ndarray, np.ndarray, bool]:
    if ties not in ("recent", "oldest"):
        raise ValueError(f"ties must be 'recent' or 'oldest', got {ties!r}")
    a, flat = as_block(x)
    out = np.empty_like(a)
    age = np.empty_like(a) if with_age else np.empty((1, 1))
    sign = -1.0 if lowest_ else 1.0
    _rolling_max(a, first_valid(a), w, with_age, ties == "oldest", sign, out, age)
    return out, age, flat


@memoized
def highest(x: np.ndarray, n: int) -> np.ndarray:
    """Highest value of the last ``n`` bars, this bar included (TA-Lib MAX, Pine ta.highest)."""
    out, _, flat = _extreme(x, period(n, "highest period"), False)
    return restore(out, flat)


@memoized
def lowest(x: np.ndarray, n: int) -> np.ndarray:
    """Lowest value of the last ``n`` bars, this bar included (TA-Lib MIN, Pine ta.lowest)."""
    out, _, flat = _extreme(x, period(n, "lowest period"), True)
    return restore(out, flat)


@memoized
def bars_since_highest(x: np.ndarray, n: int, ties: Ties = "recent") -> np.ndarray:
    """Bars since the highest value of the last ``n`` bars (0 = this bar). Equal highs: the most
    recent one counts (``ties="recent"``, TA-Lib AROON, Pine ta.highestbars) or the oldest
    (``ties="oldest"``, e.g. a first-occurrence argmax). A NaN bar counts as the lowest possible
    value, so it is never the extreme unless the window's extreme is itself infinite."""
    _, age, flat = _extreme(x, period(n, "bars_since_highest period"), False, True, ties)
    return restore(age, flat)


@memoized
def bars_since_lowest(x: np.ndarray, n: int, ties: Ties = "recent") -> np.ndarray:
    """Bars since the lowest value of the last ``n`` bars (0 = this bar); ``ties`` as in
    :func:`bars_since_highest`."""
    _, age, flat = _extreme(x, period(n, "bars_since_lowest period"), True, True, ties)
    return restore(age, flat)


@memoized
def rolling_sum(x: np.ndarray, n: int) -> np.ndarray:
    """Sum of the last ``n`` values (Kahan-compensated, TA-Lib SUM)."""
    n = period(n, "rolling_sum period")
    a, flat = as_block(x)
    out = np.empty_like(a)
    rolling_window_sum(a, n, 1.0, out)
    return restore(out, flat)


@memoized
def stddev(x: np.ndarray, n: int, ddof: int = 0) -> np.ndarray:
    """Rolling standard deviation; ``ddof=0`` is the population form (TA-Lib STDDEV, Pine
    ta.stdev, Bollinger's), ``ddof=1`` the sample form (pandas' default)."""
    n = period(n, "stddev period")
    if ddof not in (0, 1) or n - ddof < 1:
        raise ValueError(f"ddof must be 0 or 1 and smaller than the period, got {ddof!r}")
    a, flat = as_block(x)
    out = np.empty_like(a)
    _rolling_std(a, first_valid(a), n, int(ddof), out)
    return restore(out, flat)


@memoized
def zscore(x: np.ndarray, n: int, ddof: int = 0) -> np.ndarray:
    """(x - sma(x, n)) / stddev(x, n, ddof); 0 where the window is flat."""
    sd = stddev(x, n, ddof)
    (a, mean, dev), flat = as_blocks(x=x, mean=sma(x, n), sd=sd)
    out = np.empty_like(a)
    _zscore(a, mean, dev, out)
    return restore(out, flat)


@nb.njit(cache=True, error_model="numpy")  # x / 0 is IEEE (then discarded), not an exception
def _zscore(x: np.ndarray, mean: np.ndarray, sd: np.ndarray, out: np.ndarray) -> None:
    rows, cols = x.shape
    for i in range(rows):
        xi = x[i]
        mi = mean[i]
        si = sd[i]
        oi = out[i]
        for j in range(cols):
            s = si[j]
            z = (xi[j] - mi[j]) / s
            oi[j] = z if s > 0.0 else (np.nan if np.isnan(s) else 0.0)


@memoized
def percentile_rank(x: np.ndarray, n: int) -> np.ndarray:
    """Percent (0..100) of the previous ``n`` values that are <= the current one (Pine
    ta.percentrank). Needs n earlier bars, so the first value is at bar n."""
    n = period(n, "percentile_rank period")
    a, flat = as_block(x)
    out = np.empty_like(a)
    _percentile_rank(a, first_valid(a), n, out)
    return restore(out, flat)


@memoized
def rank_below(x: np.ndarray, n: int) -> np.ndarray:
    """100 * count{j in t-n+1..t : x(j) < x(t)} / n: the share of the last ``n`` values (the
    current one included) strictly below the current one. NaN until the window holds ``n`` defined
    values (any NaN in the window gives NaN). Unlike :func:`percentile_rank` (Pine's, <= over the
    n earlier values) the current bar is in the window and ties do not count."""
    n = period(n, "rank_below period")
    a, flat = as_block(x)
    out = np.empty_like(a)
    _rank_below(a, n, out)
    return restore(out, flat)


@nb.njit(cache=True)
def _rank_below(x: np.ndarray, n: int, out: np.ndarray) -> None:
    """Counts the window directly: O(n) per value, but each count is a compare-and-add along a
    row of the block, four window rows per pass, so a row of columns goes through in vector
    lanes. Counts are small integers held exactly in floats. NaNs in the window are counted as
    they enter and leave."""
    rows, cols = x.shape
    nans = np.zeros(cols)
    below = np.zeros(cols)
    for i in range(rows):
        xi = x[i]
        oi = out[i]
        xo = x[i - n] if i >= n else xi  # the row leaving the window (unused before row n)
        for j in range(cols):
            gone = 1.0 if i >= n and np.isnan(xo[j]) else 0.0
            nans[j] += (1.0 if np.isnan(xi[j]) else 0.0) - gone
        if i < n - 1:
            oi[:] = np.nan
            continue
        below[:] = 0.0
        q = i - n + 1
        while q + 3 <= i:
            xa = x[q]
            xb = x[q + 1]
            xc = x[q + 2]
            xd = x[q + 3]
            for j in range(cols):
                v = xi[j]
                below[j] += (
                    (1.0 if xa[j] < v else 0.0)
                    + (1.0 if xb[j] < v else 0.0)
                    + (1.0 if xc[j] < v else 0.0)
                    + (1.0 if xd[j] < v else 0.0)
                )
            q += 4
        while q <= i:
            xa = x[q]
            for j in range(cols):
                below[j] += 1.0 if xa[j] < xi[j] else 0.0
            q += 1
        for j in range(cols):
            oi[j] = np.nan if nans[j] > 0.0 else 100.0 * below[j] / n
