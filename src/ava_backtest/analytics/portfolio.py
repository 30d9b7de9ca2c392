"""Analytics across runs: the correlation of their daily returns, and a portfolio of runs.

Pure functions of equity curves (dates and values); docs/analytics.md has every formula.

- ``daily_curve``: one value per calendar date (an intraday run's last bar of each date).
- ``correlation``: Pearson correlation of daily simple returns aligned on dates. Each run's returns
  are taken on its own dates (``equity_t / equity_{t-1} - 1``), then each pair is measured over the
  dates on which both have a return (pairwise complete observations); ``overlap`` counts them.
- ``combine``: a portfolio holding the runs as sub-accounts in target weights (equal, inverse
  volatility, or given), rebalanced to those weights at the close of the last common date of each
  period (daily, weekly, monthly, quarterly) or never; its equity curve, the full metrics panel and
  the diversification ratio (weighted average of the runs' volatilities / portfolio volatility).

Nothing here looks ahead: inverse-volatility weights are estimated on the ``vol_window`` common
returns *before* the portfolio starts, and the portfolio starts after them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numba as nb
import numpy as np

from ava_backtest.analytics.metrics import MetricValue, compute_metrics
from ava_backtest.domain.errors import ConfigError, DataError

Weighting = Literal["equal", "inverse_volatility", "given"]
Rebalance = Literal["daily", "weekly", "monthly", "quarterly", "never"]
WEIGHTINGS: tuple[str, ...] = ("equal", "inverse_volatility", "given")
REBALANCES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "never")


@dataclass(frozen=True, slots=True)
class Curve:
    """One run's equity: ``dates`` datetime64[D] strictly increasing, ``equity`` float64."""

    label: str
    dates: np.ndarray
    equity: np.ndarray


@dataclass(frozen=True, slots=True)
class Correlation:
    labels: list[str]
    matrix: np.ndarray
    """n x n Pearson coefficients; NaN where undefined (fewer than 2 common dates, or a run
    whose returns do not vary over them)."""
    overlap: np.ndarray
    """n x n counts of common return dates (the diagonal: each run's own count)."""
    start: np.datetime64 | None
    end: np.datetime64 | None
    """First and last date with a return of any run."""


@dataclass(slots=True)
class Portfolio:
    labels: list[str]
    weights: np.ndarray
    """Target weights (sum 1), in the order of ``labels``."""
    weighting: str
    rebalance: str
    dates: np.ndarray
    equity: np.ndarray
    initial_capital: float
    metrics: dict[str, MetricValue]
    volatilities: np.ndarray
    """Each run's annualised volatility of returns over the portfolio's dates."""
    portfolio_volatility: float | None
    diversification_ratio: float | None
    final_weights: np.ndarray
    """Each sub-account's share of the portfolio at the last date (after drift)."""
    run_returns: np.ndarray
    """Each run's total return over the portfolio's dates."""
    rebalances: int
    """How many times the sub-accounts were reset to the target weights."""
    notes: list[str] = field(default_factory=list)


def daily_curve(label: str, dates: np.ndarray, equity: np.ndarray) -> Curve:
    """The curve with one point per calendar date: the last value of each date (a daily run is
    unchanged; an intraday run keeps each date's last bar)."""
    d = np.asarray(dates).astype("datetime64[D]")
    e = np.asarray(equity, dtype=np.float64)
    if d.ndim != 1 or d.shape != e.shape:
        raise ValueError(f"{label}: dates and equity must be 1-D of one length")
    if d.size and (np.isnat(d).any() or np.any(d[1:] < d[:-1])):
        raise ValueError(f"{label}: dates must be increasing, without NaT")
    if not np.all(np.isfinite(e)):
        raise DataError(f"{label}: equity has non-finite values", field="backtest_ids")
    last = np.ones(d.size, dtype=bool)
    last[:-1] = d[1:] != d[:-1]
    return Curve(label, d[last], e[last])


def _returns(curve: Curve) -> tuple[np.ndarray, np.ndarray]:
    """(dates, r) with r_t = equity_t / equity_{t-1} - 1 on the curve's own dates; a return
    after a close at or below zero is not defined and left out."""
    prev = curve.equity[:-1]
    ok = prev > 0
    r = curve.equity[1:][ok] / prev[ok] - 1.0
    return curve.dates[1:][ok], r


def correlation(curves: list[Curve]) -> Correlation:
    """Pearson correlation of daily simple returns, pairwise over common dates."""
    n = len(curves)
    per_run = [_returns(c) for c in curves]
    grid = np.unique(np.concatenate([d for d, _ in per_run])) if n else np.array([], "M8[D]")
    r = np.full((grid.size, n), np.nan)
    for j, (d, x) in enumerate(per_run):
        r[np.searchsorted(grid, d), j] = x
    have = ~np.isnan(r)
    overlap = have.T.astype(np.int64) @ have.astype(np.int64)
    matrix = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(i, n):
            both = have[:, i] & have[:, j]
            if both.sum() < 2:
                continue
            value = _pearson(r[both, i], r[both, j])
            matrix[i, j] = matrix[j, i] = value
    any_date = have.any(axis=1)
    start = grid[any_date][0] if any_date.any() else None
    end = grid[any_date][-1] if any_date.any() else None
    return Correlation([c.label for c in curves], matrix, overlap, start, end)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    dx = x - x.mean()
    dy = y - y.mean()
    sxx = float(dx @ dx)
    syy = float(dy @ dy)
    if sxx <= 0 or syy <= 0:
        return math.nan
    return max(-1.0, min(1.0, float(dx @ dy) / math.sqrt(sxx * syy)))


def common_dates(curves: list[Curve]) -> np.ndarray:
    """The dates every curve has a value on."""
    out = curves[0].dates
    for c in curves[1:]:
        out = np.intersect1d(out, c.dates, assume_unique=True)
    return out


def rebalance_flags(dates: np.ndarray, rebalance: str) -> np.ndarray:
    """True at the last date of each period (the sub-accounts are reset at that close)."""
    if rebalance not in REBALANCES:
        raise ConfigError(
            f"unknown rebalance {rebalance!r}; one of {', '.join(REBALANCES)}", field="rebalance"
        )
    t = dates.size
    flags = np.zeros(t, dtype=np.bool_)
    if rebalance == "never" or t == 0:
        return flags
    days = dates.astype("datetime64[D]").astype(np.int64)
    if rebalance == "daily":
        key = days
    elif rebalance == "weekly":
        key = (days + 3) // 7  # 1970-01-01 was a Thursday: weeks run Monday..Sunday
    else:
        months = dates.astype("datetime64[M]").astype(np.int64)
        key = months if rebalance == "monthly" else months // 3
    flags[:-1] = key[1:] != key[:-1]
    flags[-1] = True  # the end of the last (possibly unfinished) period; nothing follows it
    return flags


@nb.njit(cache=True)
def _hold(
    growth: np.ndarray, weights: np.ndarray, capital: float, rebalance: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Sub-accounts start at ``weights * capital``; each grows by its run's factor on each step
    (``growth``: steps x runs); at a flagged close they are reset to the target weights.
    Returns the total at each date (steps + 1), the final sub-account values and the number of
    resets that changed something (every flag but the last date's)."""
    steps, n = growth.shape
    values = weights * capital
    total = np.empty(steps + 1)
    total[0] = capital
    resets = 0
    for t in range(steps):
        s = 0.0
        for i in range(n):
            values[i] *= growth[t, i]
            s += values[i]
        total[t + 1] = s
        if rebalance[t + 1] and t + 1 < steps:
            for i in range(n):
                values[i] = weights[i] * s
            resets += 1
    return total, values, resets


def target_weights(
    weighting: str,
    n: int,
    labels: list[str],
    given: list[float] | None = None,
    window_returns: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """The target weights (sum 1) and notes on how they were set."""
    notes: list[str] = []
    if weighting not in WEIGHTINGS:
        raise ConfigError(
            f"unknown weighting {weighting!r}; one of {', '.join(WEIGHTINGS)}", field="weighting"
        )
    if weighting != "given" and given:
        raise ConfigError(
            f"weights were given but weighting is {weighting!r}; leave weighting out (or "
            "'given') to use them",
            field="weights",
        )
    if weighting == "equal":
        return np.full(n, 1.0 / n), notes
    if weighting == "given":
        if not given:
            raise ConfigError("weighting 'given' needs one weight per run", field="weights")
        w = np.asarray(given, dtype=np.float64)
        if w.size != n:
            raise ConfigError(
                f"{w.size} weights for {n} runs: give one weight per run, in the order of "
                "backtest_ids",
                field="weights",
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ConfigError("weights must be finite and >= 0", field="weights")
        total = float(w.sum())
        if total <= 0:
            raise ConfigError("weights must not all be 0", field="weights")
        if abs(total - 1.0) > 1e-9:
            notes.append(f"weights normalised to sum to 1 (they summed to {total:g})")
        return w / total, notes
    assert window_returns is not None
    vol = np.std(window_returns, axis=0, ddof=1)
    flat = [labels[i] for i in np.flatnonzero(~(vol > 0))]
    if flat:
        raise DataError(
            f"inverse-volatility weights need returns that vary; {', '.join(flat)} did not move "
            f"over the {len(window_returns)} returns of the estimation window (a longer "
            "vol_window reaches further in)",
            field="weighting",
        )
    inv = 1.0 / vol
    return inv / inv.sum(), notes


def combine(
    curves: list[Curve],
    *,
    weighting: str = "equal",
    weights: list[float] | None = None,
    rebalance: str = "monthly",
    initial_capital: float,
    periods_per_year: int,
    risk_free_rate: float = 0.0,
    vol_window: int = 63,
) -> Portfolio:
    """The portfolio of ``curves`` over the dates they all share."""
    n = len(curves)
    labels = [c.label for c in curves]
    if n < 2:
        raise ConfigError(f"a portfolio needs at least 2 runs, got {n}", field="backtest_ids")
    if not (math.isfinite(initial_capital) and initial_capital > 0):
        raise ConfigError("initial capital must be finite and > 0", field="capital")
    rebalance_flags(np.array([], "M8[D]"), rebalance)  # validates the name before any work
    if weighting == "inverse_volatility" and vol_window < 2:
        raise ConfigError("vol_window must be >= 2 returns", field="vol_window")
    dates = common_dates(curves)
    warm = vol_window if weighting == "inverse_volatility" else 0
    if dates.size < warm + 2:
        spans = "; ".join(f"{c.label} {c.dates[0]}..{c.dates[-1]}" for c in curves if c.dates.size)
        need = f"{warm + 2} common dates ({warm} to estimate volatility, then 2)" if warm else "2"
        raise DataError(
            f"the runs share {dates.size} dates; a portfolio needs {need}. Spans: {spans}",
            field="backtest_ids",
        )
    eq = np.empty((dates.size, n))
    for j, c in enumerate(curves):
        eq[:, j] = c.equity[np.searchsorted(c.dates, dates)]
        bad = np.flatnonzero(eq[:, j] <= 0)
        if bad.size:
            raise DataError(
                f"{c.label}: equity at or below zero on {dates[bad[0]]}; returns after a ruin "
                "are not defined",
                field="backtest_ids",
            )
    growth = eq[1:] / eq[:-1]
    w, notes = target_weights(weighting, n, labels, weights, growth[:warm] - 1.0)
    if warm:
        notes.append(
            f"inverse-volatility weights from the {warm} common daily returns up to "
            f"{dates[warm]}; the portfolio starts there"
        )
    dates = dates[warm:]
    growth = growth[warm:]
    flags = rebalance_flags(dates, rebalance)
    total, last_values, resets = _hold(
        np.ascontiguousarray(growth), w.copy(), float(initial_capital), flags
    )
    metrics = compute_metrics(
        total,
        dates.astype("datetime64[ns]"),
        trades=None,
        exposure=None,
        benchmark=None,
        periods_per_year=periods_per_year,
        risk_free_rate=risk_free_rate,
        initial_capital=initial_capital,
    )
    r_runs = growth - 1.0
    r_port = total[1:] / total[:-1] - 1.0
    root_p = math.sqrt(periods_per_year)
    if r_port.size >= 2:
        vols = np.std(r_runs, axis=0, ddof=1) * root_p
        vol = metrics["annual_volatility"]  # std(r_port, ddof=1) * sqrt(P), as the panel shows
        port_vol = float(vol) if vol is not None else math.nan
    else:
        vols = np.full(n, np.nan)
        port_vol = math.nan
    ratio = float(w @ vols) / port_vol if port_vol > 0 else None
    return Portfolio(
        labels=labels,
        weights=w,
        weighting=weighting,
        rebalance=rebalance,
        dates=dates,
        equity=total,
        initial_capital=float(initial_capital),
        metrics=metrics,
        volatilities=vols,
        portfolio_volatility=port_vol if math.isfinite(port_vol) else None,
        diversification_ratio=ratio,
        final_weights=last_values / last_values.sum(),
        run_returns=np.prod(growth, axis=0) - 1.0,
        rebalances=resets,
        notes=notes,
    )
