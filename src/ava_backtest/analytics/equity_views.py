"""More views of one equity curve, for the run page: the worst drawdowns (start, trough, recovery,
depth, length), rolling Sharpe ratio, volatility and beta over a chosen window, and the
distribution of bar returns. All vectorised over the curve (numpy), no per-bar Python.

Conventions (as in docs/metrics.md): returns are simple bar returns r_t = E_t / E_{t-1} - 1;
the rolling Sharpe ratio is mean(r - rf_p) / std(r, ddof=1) * sqrt(p) over the last ``window``
returns, rf_p = (1 + rf)^(1/p) - 1 the per-bar risk-free rate as the headline metrics take it, the rolling volatility std(r, ddof=1) * sqrt(p), the rolling beta
cov(r, b) / var(b) (ddof=1 both) with b the benchmark's bar returns; a window with any
undefined return is undefined (NaN), never filled.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def bar_returns(equity: np.ndarray) -> np.ndarray:
    """r_t = E_t / E_{t-1} - 1, NaN at t = 0 and where the previous equity is not positive."""
    e = np.asarray(equity, dtype=np.float64)
    out = np.full(e.shape, np.nan)
    if e.size > 1:
        prev = e[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[1:] = np.where(prev > 0, e[1:] / prev - 1.0, np.nan)
    return out


def drawdown_periods(dates: np.ndarray, equity: np.ndarray, top: int = 5) -> list[dict[str, Any]]:
    """The ``top`` deepest drawdowns, deepest first: ``start`` (the peak before it), ``trough``,
    ``recovery`` (the first close back at the peak, None if not recovered by the end), ``depth``
    (trough / peak - 1, negative), ``length`` (sessions from peak to recovery, or to the end) and
    ``to_trough`` (sessions from peak to trough)."""
    e = np.asarray(equity, dtype=np.float64)
    if e.size == 0:
        return []
    peak = np.maximum.accumulate(e)
    dd = e / peak - 1.0
    at_peak = e >= peak
    # A period starts at each close that sets (or equals) the running peak.
    starts = np.flatnonzero(at_peak)
    if starts.size == 0 or starts[0] != 0:
        starts = np.r_[0, starts]
    ends = np.r_[starts[1:], e.size]  # exclusive; ends[k] is the recovery close when < size
    mins = np.minimum.reduceat(dd, starts)
    deep = np.flatnonzero(mins < 0)
    if deep.size == 0:
        return []
    order = deep[np.argsort(mins[deep], kind="stable")][:top]
    out = []
    for k in order:  # at most ``top`` rows: the table, not a per-bar loop
        s, end = int(starts[k]), int(ends[k])
        trough = s + int(np.argmin(dd[s:end]))
        recovered = end < e.size
        out.append(
            {
                "start": str(dates[s]),
                "trough": str(dates[trough]),
                "recovery": str(dates[end]) if recovered else None,
                "depth": float(mins[k]),
                "length": (end if recovered else e.size - 1) - s,
                "to_trough": trough - s,
            }
        )
    return out


def _windows(x: np.ndarray, window: int) -> np.ndarray:
    return sliding_window_view(x, window)


def rolling_stats(
    returns: np.ndarray,
    window: int,
    periods_per_year: float,
    *,
    benchmark_returns: np.ndarray | None = None,
    risk_free_rate: float = 0.0,
) -> dict[str, np.ndarray]:
    """Rolling ``sharpe``, ``volatility`` and (with a benchmark) ``beta``, aligned with
    ``returns`` (NaN for the first ``window - 1`` values and wherever a window has a NaN)."""
    if window < 2:
        raise ValueError(f"window must be >= 2 (got {window})")
    r = np.asarray(returns, dtype=np.float64)
    n = r.size
    out = {k: np.full(n, np.nan) for k in ("sharpe", "volatility", "beta")}
    if n < window:
        return out
    w = _windows(r, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = w.std(axis=1, ddof=1)
        mean = w.mean(axis=1) - ((1.0 + risk_free_rate) ** (1.0 / periods_per_year) - 1.0)
        root = np.sqrt(periods_per_year)
        out["volatility"][window - 1 :] = sd * root
        out["sharpe"][window - 1 :] = np.where(sd > 0, mean / sd * root, np.nan)
        if benchmark_returns is not None:
            b = np.asarray(benchmark_returns, dtype=np.float64)
            if b.shape != r.shape:
                raise ValueError(f"benchmark_returns has shape {b.shape}, returns {r.shape}")
            wb = _windows(b, window)
            cov = ((w - w.mean(axis=1, keepdims=True)) * (wb - wb.mean(axis=1, keepdims=True))).sum(
                axis=1
            ) / (window - 1)
            var = wb.var(axis=1, ddof=1)
            out["beta"][window - 1 :] = np.where(var > 0, cov / var, np.nan)
    return out


def return_histogram(returns: np.ndarray, bins: int = 40) -> dict[str, Any]:
    """Counts of the defined bar returns in ``bins`` equal bins between their min and max."""
    if bins < 1:
        raise ValueError(f"bins must be >= 1 (got {bins})")
    r = np.asarray(returns, dtype=np.float64)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return {"edges": [], "counts": [], "n": 0}
    counts, edges = np.histogram(r, bins=bins)
    return {"edges": edges.tolist(), "counts": counts.tolist(), "n": int(r.size)}
