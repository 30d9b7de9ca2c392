"""The per-curve statistics behind the metrics panel, one compiled pass set per equity curve.

``curve_stats`` measures every column of an equity block (bars x curves); ``compute_metrics``
measures one curve by calling it with a one-column block, so a study's thousands of trials and a
single backtest of the same parameters go through the same arithmetic and agree to the last bit.
Sums run left to right (two passes for variances), order statistics come from an in-place
selection: the values agree with numpy's, empyrical's and quantstats' to ~1e-13 relative, which
the metric tests check.

Each curve's returns are r_t = equity_t / equity_{t-1} - 1 while it is alive; a curve that
reaches zero (or below) stops at that close with a return of -100%. Statistics that are not
defined for a curve are NaN (the panel shows them as None).
"""

from __future__ import annotations

import numba as nb
import numpy as np

SLOTS = (
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe",
    "sortino",
    "omega",
    "max_drawdown",
    "max_drawdown_duration",
    "max_drawdown_days",
    "ulcer_index",
    "calmar",
    "value_at_risk",
    "cvar",
    "tail_ratio",
    "skew",
    "kurtosis",
    "stability",
    "exposure",
    "final_equity",
    "alpha",
    "beta",
    "information_ratio",
)
"""The statistics of one curve, in the order of ``curve_stats``' output columns."""

TAIL_CUTOFF = 0.05
"""VaR / CVaR / tail-ratio tail: the worst 5% of bars (95% confidence)."""
_NS_PER_DAY = 86_400_000_000_000.0


def curve_stats(
    equity: np.ndarray,
    capital: np.ndarray,
    days: np.ndarray,
    exposure: np.ndarray | None,
    bench_returns: np.ndarray | None,
    periods_per_year: float,
    rf_per_period: float,
) -> np.ndarray:
    """(curves x len(SLOTS)) statistics of the columns of ``equity`` (bars x curves, finite).

    ``capital`` is each curve's initial capital, ``days`` the bars' datetime64[ns] stamps,
    ``exposure`` gross exposure / equity per bar and curve (NaN: unknown), ``bench_returns`` the
    benchmark's simple returns between consecutive bars (bars - 1 values, NaN where a close is
    missing)."""
    eq = np.asarray(equity, dtype=np.float64)
    n = eq.shape[1]
    out = np.full((n, len(SLOTS)), np.nan)
    expo = np.empty((1, 1)) if exposure is None else np.asarray(exposure, dtype=np.float64)
    bench = np.empty(1) if bench_returns is None else np.asarray(bench_returns, dtype=np.float64)
    kernel = _curves_parallel if n >= _PARALLEL_FROM else _curves_serial
    kernel(
        eq,
        np.asarray(capital, dtype=np.float64),
        days.view(np.int64),
        expo,
        exposure is not None,
        bench,
        bench_returns is not None,
        float(periods_per_year),
        float(rf_per_period),
        out,
    )
    return out


_PARALLEL_FROM = 64
"""Curves from which a call spreads over numba's threads (waking them costs more than one curve)."""


@nb.njit(cache=True, parallel=True)
def _curves_parallel(eq, capital, days, expo, has_expo, bench, has_bench, p, rf_p, out):  # type: ignore[no-untyped-def]
    for j in nb.prange(eq.shape[1]):  # each curve alone: the same numbers on any number of threads
        _column(eq, capital, days, expo, has_expo, bench, has_bench, p, rf_p, out, j)


@nb.njit(cache=True)
def _curves_serial(eq, capital, days, expo, has_expo, bench, has_bench, p, rf_p, out):  # type: ignore[no-untyped-def]
    for j in range(eq.shape[1]):
        _column(eq, capital, days, expo, has_expo, bench, has_bench, p, rf_p, out, j)


@nb.njit(cache=True)
def _column(eq, capital, days, expo, has_expo, bench, has_bench, p, rf_p, out, j):  # type: ignore[no-untyped-def]
    t = eq.shape[0]
    col = np.empty(t)
    ecol = np.empty(t)
    r = np.empty(max(t - 1, 1))
    sel = np.empty(max(t - 1, 1))
    top = np.empty(max(t - 1, 1))
    for i in range(t):
        col[i] = eq[i, j]
    if has_expo:
        for i in range(t):
            ecol[i] = expo[i, j]
    _one(col, capital[j], days, ecol, has_expo, bench, has_bench, p, rf_p, r, sel, top, out[j])


@nb.njit(cache=True)
def _one(eq, capital, days, expo, has_expo, bench, has_bench, p, rf_p, r, sel, top, o):  # type: ignore[no-untyped-def]
    t = eq.size
    # Returns while alive; the close at or below zero ends them with -100%.
    gone = -1
    for i in range(t):
        if eq[i] <= 0.0:
            gone = i
            break
    n = t - 1 if gone < 0 else gone
    for i in range(n):
        r[i] = eq[i + 1] / eq[i] - 1.0
    if gone > 0:
        r[n - 1] = 0.0 / eq[n - 1] - 1.0

    growth = eq[t - 1] / capital
    o[0] = growth - 1.0
    cagr = np.nan
    if t > 1:
        cagr = growth ** (p / (t - 1)) - 1.0 if growth > 0 else -1.0
    o[1] = cagr
    o[18] = eq[t - 1]
    _returns(r, n, p, rf_p, o)
    _drawdowns(eq, capital, days, cagr, o)
    _distribution(r, n, sel, top, o)
    if has_expo:
        s = 0.0
        k = 0
        for i in range(t):
            if not np.isnan(expo[i]):
                s += expo[i]
                k += 1
        if k:
            o[17] = s / k
    if has_bench:
        _benchmark(r, n, bench, p, rf_p, o)


@nb.njit(cache=True)
def _mean_sd(x, n):  # type: ignore[no-untyped-def]
    """Mean and standard deviation (ddof=1) of x[:n], n >= 2."""
    s = 0.0
    for i in range(n):
        s += x[i]
    mean = s / n
    q = 0.0
    for i in range(n):
        d = x[i] - mean
        q += d * d
    return mean, np.sqrt(q / (n - 1))


@nb.njit(cache=True)
def _returns(r, n, p, rf_p, o):  # type: ignore[no-untyped-def]
    if n < 2:
        return
    root_p = np.sqrt(p)
    _, sd = _mean_sd(r, n)
    o[2] = sd * root_p
    lo = np.inf
    hi = -np.inf
    gains = 0.0
    pains = 0.0
    down = 0.0
    s = 0.0
    for i in range(n):
        x = r[i] - rf_p
        s += x
        lo = min(lo, x)
        hi = max(hi, x)
        under = min(x, 0.0)
        gains += max(x, 0.0)
        pains -= under
        down += under * under
    mean_x = s / n
    if hi > lo:
        q = 0.0
        for i in range(n):
            d = r[i] - rf_p - mean_x
            q += d * d
        o[3] = mean_x / np.sqrt(q / (n - 1)) * root_p
    downside = np.sqrt(down / n)
    if downside > 0:
        o[4] = mean_x / downside * root_p
    if pains > 0:
        o[5] = gains / pains


@nb.njit(cache=True)
def _drawdowns(eq, capital, days, cagr, o):  # type: ignore[no-untyped-def]
    """Max drawdown (the running peak starts at the capital), ulcer index, and the longest
    drawdown in bars and calendar days, from the peak bar to the recovery bar (or the last bar)."""
    t = eq.size
    peak = capital
    mdd = 0.0
    sq = 0.0
    best_bars = 0
    best_days = -np.inf
    start = -1
    first = True
    for b in range(t + 1):
        under = False
        if b < t:
            peak = max(peak, eq[b])
            dd = eq[b] / peak - 1.0
            if first or dd < mdd:
                mdd = dd
                first = False
            sq += dd * dd
            under = dd < 0
        if under and start < 0:
            start = b
        elif not under and start >= 0:
            recovered = 1 if b < t else 0
            best_bars = max(best_bars, b - start + recovered)
            peak_at = days[max(start - 1, 0)]
            end_at = days[min(b, t - 1)]
            best_days = max(best_days, (end_at - peak_at) / _NS_PER_DAY)
            start = -1
    o[6] = mdd
    o[7] = best_bars
    o[8] = best_days if best_days > -np.inf else 0.0
    o[9] = np.sqrt(sq / t)
    if not np.isnan(cagr) and mdd < 0:
        o[10] = cagr / -mdd


@nb.njit(cache=True)
def _select(a, lo, hi, k):  # type: ignore[no-untyped-def]
    """Reorder a[lo..hi] so that a[k] holds its k-th smallest value, with nothing larger before
    it and nothing smaller after it (Hoare selection, median-of-three pivot)."""
    while hi > lo:
        mid = (lo + hi) >> 1
        if a[mid] < a[lo]:
            a[mid], a[lo] = a[lo], a[mid]
        if a[hi] < a[lo]:
            a[hi], a[lo] = a[lo], a[hi]
        if a[hi] < a[mid]:
            a[hi], a[mid] = a[mid], a[hi]
        pivot = a[mid]
        i = lo
        j = hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return


@nb.njit(cache=True)
def _lerp(a, b, g):  # type: ignore[no-untyped-def]
    """numpy's linear-interpolation percentile between neighbouring order statistics."""
    diff = b - a
    return b - diff * (1.0 - g) if g >= 0.5 else a + diff * g


@nb.njit(cache=True)
def _kth(a, m, k):  # type: ignore[no-untyped-def]
    """The k-th and (k+1)-th smallest of a[:m] (the same one twice when k + 1 == m); a[:k + 1]
    then holds the k + 1 smallest."""
    _select(a, 0, m - 1, k)
    nxt = a[k]
    if k + 1 < m:
        nxt = a[k + 1]
        for i in range(k + 2, m):
            nxt = min(nxt, a[i])
    return a[k], nxt


@nb.njit(cache=True)
def _tails(r, n, sel, top, o):  # type: ignore[no-untyped-def]
    """5th and 95th percentiles (numpy's linear rule) and CVaR, the mean of the k + 1 smallest
    returns, k = floor(0.05 (n - 1)).

    The order statistics are exact; to find them without reordering all n returns, a strided
    sample of the returns sets two thresholds that each leave somewhat more than the tail
    outside, and only the returns beyond them are searched (all of them when the sample
    misjudged, e.g. for heavily tied returns)."""
    v_lo = TAIL_CUTOFF * (n - 1)
    k = int(v_lo)
    v_hi = (1.0 - TAIL_CUTOFF) * (n - 1)
    kh = int(v_hi)
    lo_cut = np.inf
    hi_cut = -np.inf
    if n >= 400:
        sample = r[: n : n // 200].copy()
        m = sample.size
        margin = int(m * TAIL_CUTOFF * 2.0) + 3
        _select(sample, 0, m - 1, margin)
        lo_cut = sample[margin]
        _select(sample, margin + 1, m - 1, m - 1 - margin)
        hi_cut = sample[m - 1 - margin]
    c_lo = 0
    c_hi = 0
    for i in range(n):
        x = r[i]
        if x <= lo_cut:
            sel[c_lo] = x
            c_lo += 1
        if x >= hi_cut:
            top[c_hi] = x
            c_hi += 1
    need_hi = n - kh  # the values at kh..n-1
    if c_lo < min(k + 2, n) or c_hi < need_hi:  # the thresholds cut too deep: search them all
        for i in range(n):
            sel[i] = r[i]
            top[i] = r[i]
        c_lo = n
        c_hi = n
    a, b = _kth(sel, c_lo, k)
    s = 0.0
    for i in range(k + 1):
        s += sel[i]
    o[12] = s / (k + 1)
    q_lo = _lerp(a, b, v_lo - k)
    a, b = _kth(top, c_hi, c_hi - need_hi)
    q_hi = _lerp(a, b, v_hi - kh)
    o[11] = q_lo
    if q_lo != 0:
        o[13] = abs(q_hi) / abs(q_lo)


@nb.njit(cache=True)
def _distribution(r, n, sel, top, o):  # type: ignore[no-untyped-def]
    if n < 2:
        return
    _tails(r, n, sel, top, o)

    # Bias-adjusted skewness (G1) and excess kurtosis (G2).
    s = 0.0
    lo = np.inf
    hi = -np.inf
    for i in range(n):
        s += r[i]
        lo = min(lo, r[i])
        hi = max(hi, r[i])
    mean = s / n
    if hi > lo:
        m2 = 0.0
        m3 = 0.0
        m4 = 0.0
        for i in range(n):
            d = r[i] - mean
            d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
        if n >= 3:
            o[14] = n * np.sqrt(n - 1.0) / (n - 2.0) * m3 / m2**1.5
        if n >= 4:
            scale = (n - 2.0) * (n - 3.0)
            bias = 3.0 * (n - 1.0) ** 2 / scale
            o[15] = (n + 1.0) * n * (n - 1.0) * m4 / (scale * m2 * m2) - bias

    # Stability: R^2 of a line fitted to the cumulative log growth (none once wiped out).
    if lo <= -1.0:
        return
    y = 0.0
    sy = 0.0
    for i in range(n):
        if r[i] != 0.0:  # log1p(0) is 0: a flat bar adds nothing (half the bars of most curves)
            y += np.log1p(r[i])
        sel[i] = y
        sy += y
    my = sy / n
    mx = (n - 1) / 2.0
    sxx = 0.0
    syy = 0.0
    sxy = 0.0
    for i in range(n):
        xc = i - mx
        yc = sel[i] - my
        sxx += xc * xc
        syy += yc * yc
        sxy += xc * yc
    if syy > 0:
        o[16] = min(sxy * sxy / (sxx * syy), 1.0)


@nb.njit(cache=True)
def _benchmark(r, n, b, p, rf_p, o):  # type: ignore[no-untyped-def]
    """Beta and compounded alpha (population moments, as empyrical) and the information ratio,
    over the bars where both the curve and the benchmark have a return."""
    m = 0
    sb = 0.0
    sr = 0.0
    for i in range(n):
        if np.isfinite(b[i]):
            m += 1
            sb += b[i]
            sr += r[i]
    if m < 2:
        return
    mb = sb / m
    vb = 0.0
    cov = 0.0
    sa = 0.0
    lo = np.inf
    hi = -np.inf
    for i in range(n):
        if np.isfinite(b[i]):
            d = b[i] - mb
            vb += d * d
            cov += d * r[i]
            a = r[i] - b[i]
            sa += a
            lo = min(lo, a)
            hi = max(hi, a)
    var_b = vb / m
    if var_b >= 1e-30:
        beta = cov / m / var_b
        o[20] = beta
        res = 0.0
        for i in range(n):
            if np.isfinite(b[i]):
                res += (r[i] - rf_p) - beta * (b[i] - rf_p)
        res /= m
        if res > -1.0:
            o[19] = (1.0 + res) ** p - 1.0
    if hi > lo:
        ma = sa / m
        q = 0.0
        for i in range(n):
            if np.isfinite(b[i]):
                d = r[i] - b[i] - ma
                q += d * d
        o[21] = ma / np.sqrt(q / (m - 1)) * np.sqrt(p)
