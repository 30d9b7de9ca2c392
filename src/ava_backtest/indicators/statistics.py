"""Rolling-window statistics: sums, extremes, dispersion, z-score, percentile rank.

Every window includes the current bar and is counted from each column's first valid value.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_block, first_valid, period, restore
from ava_backtest.indicators.cache import memoized
from ava_backtest.indicators.moving_averages import rolling_window_sum, sma


@nb.njit(cache=True)
def _rolling_max(
    x: np.ndarray,
    first: np.ndarray,
    w: int,
    with_age: bool,
    sign: float,
    out: np.ndarray,
    age: np.ndarray,
) -> None:
    """Max of ``sign * x`` over the last ``w`` bars, times ``sign`` (``sign=-1``: the min) and, if
    asked, its age in bars (0 = this bar; ties go to the most recent bar).

    van Herk / Gil-Werman: cut the rows into blocks of ``w``; a window is the tail of one block
    (a suffix max) joined to the head of the next (a prefix max), so each value costs O(1). One
    block at a time: the previous block's suffix maxima are a (w, cols) buffer and the running
    prefix max one row, so the passes stay in cache. Leading NaNs act as -inf and are masked at
    the end.
    """
    rows, cols = x.shape
    tail = np.full((w, cols), -np.inf)
    tail_at = np.zeros((w if with_age else 1, cols), dtype=np.int64)
    head = np.empty(cols)
    head_at = np.zeros(cols, dtype=np.int64)
    for start in range(0, rows, w):
        stop = min(start + w, rows)
        for i in range(start, stop):
            r = i - start
            whole = r == w - 1  # the window is this block
            for j in range(cols):
                v = sign * x[i, j]
                v = -np.inf if np.isnan(v) else v
                if r == 0 or v >= head[j]:
                    head[j] = v
                    if with_age:
                        head_at[j] = i
                a = head[j]
                use_head = True if whole else a >= tail[r + 1, j]
                out[i, j] = sign * (a if use_head else tail[r + 1, j])
                if with_age:
                    age[i, j] = i - (head_at[j] if use_head else tail_at[r + 1, j])
                if i - first[j] < w - 1:
                    out[i, j] = np.nan
                    if with_age:
                        age[i, j] = np.nan
        for i in range(stop - 1, start - 1, -1):  # this block's suffix maxima, for the next
            r = i - start
            last = i == stop - 1
            for j in range(cols):
                v = sign * x[i, j]
                v = -np.inf if np.isnan(v) else v
                if last or v > tail[r + 1, j]:
                    tail[r, j] = v
                    if with_age:
                        tail_at[r, j] = i
                else:
                    tail[r, j] = tail[r + 1, j]
                    if with_age:
                        tail_at[r, j] = tail_at[r + 1, j]


@nb.njit(cache=True)
def _rolling_std(x: np.ndarray, first: np.ndarray, n: int, ddof: int, out: np.ndarray) -> None:
    """Sliding Welford update, recomputed exactly (two passes over the window) every ``n`` bars and
    whenever the sum of squares falls below 1/1000 of its peak since the last recompute.

    The update's rounding error scales with the largest recent spread, so a window that goes
    flat after a jump would keep a ~1e-8 ghost deviation; the recompute gives the exact value
    (0 for a flat window) while the cost stays O(1) amortised.
    """
    rows, cols = x.shape
    mean = np.zeros(cols)
    m2 = np.zeros(cols)
    peak = np.zeros(cols)
    since = np.zeros(cols, dtype=np.int64)
    for i in range(rows):
        for j in range(cols):
            k = i - first[j]
            if k < n - 1:
                out[i, j] = np.nan
                continue
            exact = k == n - 1 or since[j] == n
            if not exact:
                old = x[i - n, j]
                new = x[i, j]
                mu = mean[j] + (new - old) / n
                m2[j] += (new - old) * (new - mu + old - mean[j])
                mean[j] = mu
                since[j] += 1
                peak[j] = max(peak[j], m2[j])
                exact = m2[j] < 1e-3 * peak[j]
            if exact:
                s = 0.0
                for q in range(i - n + 1, i + 1):
                    s += x[q, j]
                mu = s / n
                ss = 0.0
                for q in range(i - n + 1, i + 1):
                    d = x[q, j] - mu
                    ss += d * d
                mean[j] = mu
                m2[j] = ss
                peak[j] = ss
                since[j] = 1
            out[i, j] = np.sqrt(m2[j] / (n - ddof))


@nb.njit(cache=True)
def _percentile_rank(x: np.ndarray, first: np.ndarray, n: int, out: np.ndarray) -> None:
    rows, cols = x.shape
    count = np.zeros(cols)
    for i in range(rows):
        count[:] = 0.0
        for q in range(max(i - n, 0), i):
            for j in range(cols):
                count[j] += 1.0 if x[q, j] <= x[i, j] else 0.0
        for j in range(cols):
            out[i, j] = 100.0 * count[j] / n if i - first[j] >= n else np.nan


def _extreme(
    x: np.ndarray, w: int, lowest_: bool, with_age: bool = False
) -> tuple[np.ndarray, np.ndarray, bool]:
    a, flat = as_block(x)
    out = np.empty_like(a)
    age = np.empty_like(a) if with_age else np.empty((1, 1))
    _rolling_max(a, first_valid(a), w, with_age, -1.0 if lowest_ else 1.0, out, age)
    _blank_empty_windows(a, w, out, age, with_age)
    return out, age, flat


def _blank_empty_windows(
    a: np.ndarray, w: int, out: np.ndarray, age: np.ndarray, with_age: bool
) -> None:
    """NaN where a window holds no value at all (a gap of ``w`` or more NaN bars inside a column):
    the kernel reads NaN as -inf, which would otherwise come out as the window's extreme (+inf
    for a lowest). A real infinite value in a window that holds it stays."""
    suspect = np.isinf(out)
    if not suspect.any():  # the usual case costs one pass
        return
    seen = np.zeros((a.shape[0] + 1, a.shape[1]))
    np.cumsum(~np.isnan(a), axis=0, out=seen[1:])
    lo = np.maximum(np.arange(1, a.shape[0] + 1) - w, 0)
    empty = suspect & (seen[1:] - seen[lo] == 0)
    out[empty] = np.nan
    if with_age:
        age[empty] = np.nan


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
def bars_since_highest(x: np.ndarray, n: int) -> np.ndarray:
    """Bars since the highest value of the last ``n`` bars (0 = this bar; ties: the most recent)."""
    _, age, flat = _extreme(x, period(n, "bars_since_highest period"), False, True)
    return restore(age, flat)


@memoized
def bars_since_lowest(x: np.ndarray, n: int) -> np.ndarray:
    """Bars since the lowest value of the last ``n`` bars (0 = this bar; ties: the most recent)."""
    _, age, flat = _extreme(x, period(n, "bars_since_lowest period"), True, True)
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
    dev = np.asarray(x, dtype=np.float64) - sma(x, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0.0, dev / sd, np.where(np.isnan(sd), np.nan, 0.0))


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
    out = np.full(a.shape, np.nan)
    if a.shape[0] < n:
        return restore(out, flat)
    # Each value's rank in its column: 1 + the number of the column's values below it (equal
    # values share one), -1 for NaN; the kernel walks each column as a contiguous row.
    cols = np.ascontiguousarray(a.T)
    order = np.argsort(cols, axis=1)  # NaNs last; ties in any order share one rank
    ordered = np.take_along_axis(cols, order, axis=1)
    pos = np.arange(cols.shape[1])
    starts = np.ones(cols.shape, dtype=np.bool_)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=1)
    rank = np.empty(cols.shape, dtype=np.int64)
    np.put_along_axis(rank, order, first + 1, axis=1)
    rank[np.isnan(cols)] = -1
    out_t = np.full(cols.shape, np.nan)
    _rank_below(rank, n, out_t)
    return restore(np.ascontiguousarray(out_t.T), flat)


@nb.njit(cache=True)
def _rank_below(rank: np.ndarray, n: int, out: np.ndarray) -> None:
    """rank_below of each row of ``rank`` (a column of the caller's block, its values replaced by
    their ranks, -1 for NaN) in O(len log len): the window's ranks are counted in a Fenwick tree
    (add the new one, drop the one leaving, count those of a lower rank)."""
    cols, rows = rank.shape
    tree = np.zeros(rows + 1, dtype=np.int64)
    for j in range(cols):
        rk = rank[j]
        tree[:] = 0
        nans = 0
        for i in range(rows):
            r = rk[i]
            if r < 0:
                nans += 1
            else:
                while r <= rows:
                    tree[r] += 1
                    r += r & -r
            if i >= n:
                r = rk[i - n]
                if r < 0:
                    nans -= 1
                else:
                    while r <= rows:
                        tree[r] -= 1
                        r += r & -r
            if i < n - 1 or nans:
                continue
            below = 0
            r = rk[i] - 1
            while r > 0:
                below += tree[r]
                r -= r & -r
            out[j, i] = 100.0 * below / n
