"""The performance panel of a run: the equity curve's statistics (``curve_stats``), trades, benchmark.

Every formula is written out in docs/metrics.md and cross-checked against empyrical and quantstats
in tests/analytics/test_metrics.py. Conventions, in short: returns are simple per-bar returns of
equity; standard deviations use ddof=1; the annual risk-free rate becomes (1+rf)^(1/P)-1 per bar;
years are (number of returns) / P. An undefined metric is None (never NaN or inf) so the result is
JSON-safe as it stands.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

import numba as nb
import numpy as np

from ava_backtest.analytics.curve_stats import SLOTS, curve_stats
from ava_backtest.analytics.trade_stats import TradeStats, trade_metrics

Unit = Literal["pct", "ratio", "currency", "bars", "days", "count", "flag"]
MetricValue = float | int | bool | None


@dataclass(frozen=True, slots=True)
class MetricInfo:
    key: str
    label: str
    unit: Unit
    """'pct' values are fractions (0.12 means 12%); the UI multiplies by 100."""
    formula: str
    """Short plain-text formula, shown as the UI tooltip."""
    higher_is_better: bool | None
    """None where neither direction is better (beta, trade count, holding time)."""
    group: Literal["returns", "risk", "distribution", "trades", "benchmark"] = "returns"


def _m(
    key: str,
    label: str,
    unit: Unit,
    formula: str,
    higher_is_better: bool | None,
    group: Literal["returns", "risk", "distribution", "trades", "benchmark"],
) -> tuple[str, MetricInfo]:
    return key, MetricInfo(key, label, unit, formula, higher_is_better, group)


METRICS: dict[str, MetricInfo] = dict(
    [
        _m("total_return", "Total return", "pct", "final equity / initial capital - 1", True, "returns"),
        _m("cagr", "CAGR", "pct", "(final / initial)^(P / N) - 1; years = N returns / P", True, "returns"),
        _m("annual_volatility", "Annual volatility", "pct", "std(r, ddof=1) * sqrt(P)", False, "risk"),
        _m("sharpe", "Sharpe ratio", "ratio", "mean(r - rf_p) / std(r - rf_p, ddof=1) * sqrt(P)", True, "returns"),
        _m("sortino", "Sortino ratio", "ratio", "mean(r - rf_p) / sqrt(mean(min(r - rf_p, 0)^2)) * sqrt(P)", True, "returns"),
        _m("calmar", "Calmar ratio", "ratio", "CAGR / |max drawdown|", True, "returns"),
        _m("max_drawdown", "Max drawdown", "pct", "min(equity / running peak - 1)", True, "risk"),
        _m("max_drawdown_duration", "Longest drawdown", "bars", "most bars from a peak to its recovery (or the end)", False, "risk"),
        _m("max_drawdown_days", "Longest drawdown (calendar)", "days", "most calendar days from a peak to its recovery (or the end)", False, "risk"),
        _m("ulcer_index", "Ulcer index", "pct", "sqrt(mean(drawdown^2)) over every bar", False, "risk"),
        _m("omega", "Omega ratio", "ratio", "sum(max(r - rf_p, 0)) / sum(max(rf_p - r, 0))", True, "returns"),
        _m("tail_ratio", "Tail ratio", "ratio", "|95th percentile of r| / |5th percentile of r|", True, "distribution"),
        _m("value_at_risk", "VaR 95% (1 bar)", "pct", "5th percentile of r (historical; negative = loss)", True, "risk"),
        _m("cvar", "CVaR 95% (1 bar)", "pct", "mean of the worst floor(0.05 * (N - 1)) + 1 returns", True, "risk"),
        _m("skew", "Skewness", "ratio", "sample skewness of r (bias-adjusted G1)", True, "distribution"),
        _m("kurtosis", "Excess kurtosis", "ratio", "sample excess kurtosis of r (bias-adjusted G2)", False, "distribution"),
        _m("stability", "Stability", "ratio", "R^2 of a linear fit to cumsum(log(1 + r))", True, "distribution"),
        _m("win_rate", "Win rate", "pct", "trades with net P&L > 0 / all closed trades", True, "trades"),
        _m("profit_factor", "Profit factor", "ratio", "sum of winning net P&L / |sum of losing net P&L|", True, "trades"),
        _m("payoff_ratio", "Payoff ratio", "ratio", "mean winning return / |mean losing return|", True, "trades"),
        _m("expectancy", "Expectancy", "currency", "mean net P&L per trade", True, "trades"),
        _m("avg_trade", "Average trade", "pct", "mean net return per trade", True, "trades"),
        _m("sqn", "SQN", "ratio", "sqrt(min(n, 100)) * mean(trade return) / std(trade return, ddof=1)", True, "trades"),
        _m("kelly", "Kelly fraction", "pct", "W - (1 - W) / payoff ratio", True, "trades"),
        _m("avg_hold_bars", "Average holding", "bars", "mean bars held per trade", None, "trades"),
        _m("max_hold_bars", "Longest holding", "bars", "max bars held by one trade", None, "trades"),
        _m("exposure", "Exposure", "pct", "mean(gross exposure / equity) over every bar", None, "risk"),
        _m("trade_count", "Trades", "count", "number of closed trades", None, "trades"),
        _m("best_trade", "Best trade", "pct", "max net return of a trade", True, "trades"),
        _m("worst_trade", "Worst trade", "pct", "min net return of a trade", True, "trades"),
        _m("total_fees", "Total fees", "currency", "sum of fees of closed trades", False, "trades"),
        _m("alpha", "Alpha (annual)", "pct", "(1 + mean((r - rf_p) - beta * (b - rf_p)))^P - 1", True, "benchmark"),
        _m("beta", "Beta", "ratio", "cov(r, b) / var(b)", None, "benchmark"),
        _m("information_ratio", "Information ratio", "ratio", "mean(r - b) / std(r - b, ddof=1) * sqrt(P)", True, "benchmark"),
        _m("benchmark_return", "Benchmark return", "pct", "last benchmark close / first benchmark close - 1", None, "benchmark"),
        _m("final_equity", "Final equity", "currency", "equity at the last bar", True, "returns"),
        _m("ruined", "Ruined", "flag", "equity at or below zero at a close: positions closed, trading stopped", False, "risk"),
    ]
)  # fmt: skip


def simple_returns(equity: np.ndarray) -> np.ndarray:
    """r_t = equity_t / equity_{t-1} - 1; one fewer element than ``equity``."""
    equity = np.asarray(equity, dtype=np.float64)
    return equity[1:] / equity[:-1] - 1.0


def account_returns(equity: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The per-bar returns of each column of ``equity`` (bars x accounts) as one row per account
    (accounts x bars, each row contiguous): 0 at the first bar and after equity is gone (a close
    at or below zero earns nothing more), else equity_t / equity_{t-1} - 1. Written into ``out``
    when given (a study's rows for these accounts)."""
    eq = np.asarray(equity, dtype=np.float64)
    shape = (eq.shape[1], eq.shape[0])
    if out is None:
        out = np.empty(shape)
    elif out.shape != shape or out.dtype != np.float64 or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous float64 array of shape {shape}")
    _account_returns(eq, out)
    return out


@nb.njit(cache=True)
def _account_returns(eq: np.ndarray, out: np.ndarray) -> None:
    t, n = eq.shape
    block = 64  # rows at a time: each row read once while its accounts' rows fill in
    for lo in range(0, t, block):
        hi = min(lo + block, t)
        for j in range(n):
            for i in range(lo, hi):
                prev = eq[i - 1, j] if i > 0 else 0.0
                out[j, i] = eq[i, j] / prev - 1.0 if prev > 0 else 0.0


def drawdown_series(equity: np.ndarray, initial_capital: float | None = None) -> np.ndarray:
    """equity / running peak - 1 at every bar (<= 0); the running peak starts at the capital."""
    equity = np.asarray(equity, dtype=np.float64)
    peak = np.maximum.accumulate(equity)
    if initial_capital is not None:
        peak = np.maximum(peak, initial_capital)
    return equity / peak - 1.0


def compute_metrics(
    equity: np.ndarray,
    dates: np.ndarray,
    *,
    trades: TradeStats | None,
    exposure: np.ndarray | None,
    benchmark: np.ndarray | None,
    periods_per_year: int,
    risk_free_rate: float = 0.0,
    initial_capital: float | None = None,
    ruined: bool | None = None,
) -> dict[str, MetricValue]:
    """The full metrics panel, keys exactly those of ``METRICS`` and in that order.

    ``equity`` is the portfolio value at each bar's close (finite; at or below zero once the
    account is ruined), ``dates`` its bar times, ``exposure`` gross exposure / equity at each close
    (NaN where equity is not positive), ``benchmark`` the benchmark's closes on the same bars (NaN
    where it has none, e.g. before it starts). ``periods_per_year`` is the market's trading days
    per year (252 US, 247 IN, 365 for 24x7), ``risk_free_rate`` is annual. ``ruined`` is the
    engine's word (an account of an independent run may be ruined while the sum is not); left
    out, equity at or below zero says it.

    A ruined curve's returns end at the first close at or below zero, with a return of -100%
    there: a return on nothing is not defined, so the per-bar statistics cover the bars the
    account was alive. Levels (total return, drawdown, final equity) use the whole curve and may
    fall below -100% when a levered account lost more than it had.

    The arithmetic is ``curve_stats``' (the same compiled code that measures a study's trials
    side by side), so one curve measured alone or among thousands gives the same numbers.
    """
    eq = _vector(equity, "equity")
    t = eq.size
    if t == 0:
        raise ValueError("equity is empty")
    if not np.all(np.isfinite(eq)):
        bad = int(np.flatnonzero(~np.isfinite(eq))[0])
        raise ValueError(f"equity must be finite; equity[{bad}] = {eq[bad]!r}")
    days = _dates(dates, t)
    p, rf_p = _rates(periods_per_year, risk_free_rate)
    capital = float(eq[0]) if initial_capital is None else float(initial_capital)
    if not math.isfinite(capital) or capital <= 0:
        raise ValueError(f"initial_capital must be finite and > 0, got {initial_capital!r}")
    expo = None if exposure is None else _exposure(_vector(exposure, "exposure")[:, None], t)
    bench_r, bench_return = _benchmark_returns(benchmark, t)
    stats = curve_stats(eq[:, None], np.array([capital]), days, expo, bench_r, p, rf_p)
    flag = bool(np.any(eq <= 0)) if ruined is None else bool(ruined)
    return _panels(stats, eq.size > 1, bench_return, [trade_metrics(trades)], [flag])[0]


def _rates(periods_per_year: float, risk_free_rate: float) -> tuple[float, float]:
    """(periods per year, the per-period risk-free rate (1 + rf)^(1/P) - 1), validated."""
    if not (periods_per_year > 0 and math.isfinite(periods_per_year)):
        raise ValueError(f"periods_per_year must be > 0, got {periods_per_year!r}")
    if not math.isfinite(risk_free_rate) or risk_free_rate <= -1:
        raise ValueError(f"risk_free_rate must be finite and > -1, got {risk_free_rate!r}")
    p = float(periods_per_year)
    return p, (1.0 + risk_free_rate) ** (1.0 / p) - 1.0


def _exposure(exposure: np.ndarray, t: int) -> np.ndarray:
    """The (bars x curves) exposure block, checked: finite or NaN (a close with no equity)."""
    if exposure.shape[0] != t:
        raise ValueError(f"exposure has {exposure.shape[0]} values but equity has {t}")
    if np.any(np.isinf(exposure)):
        raise ValueError("exposure must be finite (NaN marks a close with no positive equity)")
    return exposure


def _benchmark_returns(
    benchmark: np.ndarray | None, t: int
) -> tuple[np.ndarray | None, float | None]:
    """The benchmark's simple returns between consecutive bars (NaN where a close is missing)
    and its return from its first to its last close, validated."""
    if benchmark is None:
        return None, None
    bench = _vector(benchmark, "benchmark")
    if bench.size != t:
        raise ValueError(f"benchmark has {bench.size} values but equity has {t}")
    seen = ~np.isnan(bench)
    if np.any(~np.isfinite(bench[seen])) or np.any(bench[seen] <= 0):
        raise ValueError("benchmark closes must be > 0 and finite (NaN marks a missing bar)")
    total = None
    if seen.sum() >= 2:
        observed = bench[seen]
        total = float(observed[-1] / observed[0] - 1.0)
    return simple_returns(bench), total


def _panels(
    stats: np.ndarray,
    has_returns: bool,
    bench_return: float | None,
    trades: list[dict[str, MetricValue]],
    ruined: list[bool],
) -> list[dict[str, MetricValue]]:
    """Each curve's ``curve_stats`` row (NaN or inf: undefined, None here) with its trade metrics
    and ruin flag, as the JSON-safe panel in ``METRICS`` order."""
    finite = np.where(np.isfinite(stats), stats, np.nan).tolist()
    bench = _json_safe(bench_return)
    isfinite = math.isfinite
    out: list[dict[str, MetricValue]] = []
    for values, trade, flag in zip(finite, trades, ruined, strict=True):
        row: dict[str, MetricValue] = dict(
            zip(SLOTS, [None if v != v else v for v in values], strict=True)
        )
        row["max_drawdown_duration"] = int(values[_DURATION])
        if not has_returns:
            row["cagr"] = None
        row["benchmark_return"] = bench
        # _json_safe of each value, with its common cases (None, int, finite float) inline: a
        # grid's 10,000 panels make 130,000 of these calls
        row.update(
            {
                key: value
                if value is None or type(value) is int or (type(value) is float and isfinite(value))
                else _json_safe(value)
                for key, value in trade.items()
            }
        )
        row["ruined"] = flag
        out.append({key: row[key] for key in METRICS})
    return out


_DURATION = SLOTS.index("max_drawdown_duration")


BENCHMARK_WINDOW_KEYS = ("benchmark_start", "benchmark_end", "benchmark_bars")


def benchmark_window(
    benchmark: np.ndarray | None, dates: np.ndarray
) -> dict[str, str | int | None]:
    """The bars the benchmark-relative metrics (alpha, beta, information ratio, benchmark return)
    cover: first and last bar with a benchmark close (ISO dates; date and time for intraday bars)
    and how many bars have one. All None without a benchmark close on any bar."""
    out: dict[str, str | int | None] = dict.fromkeys(BENCHMARK_WINDOW_KEYS)
    if benchmark is None:
        return out
    bench = _vector(benchmark, "benchmark")
    days = _dates(dates, bench.size)
    seen = np.flatnonzero(np.isfinite(bench))
    if seen.size == 0:
        return out
    out["benchmark_start"] = _iso(days[seen[0]])
    out["benchmark_end"] = _iso(days[seen[-1]])
    out["benchmark_bars"] = int(seen.size)
    return out


def _iso(t: np.datetime64) -> str:
    stamp = t.astype("datetime64[s]").item()
    return stamp.date().isoformat() if stamp.time() == dt.time() else stamp.isoformat()


def _vector(values: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    return arr


def _dates(dates: np.ndarray, t: int) -> np.ndarray:
    d = np.asarray(dates)
    if d.ndim != 1 or d.size != t:
        raise ValueError(f"dates must be 1-D with one value per equity bar ({t}), got {d.shape}")
    if not np.issubdtype(d.dtype, np.datetime64):
        raise ValueError(f"dates must be datetime64, got {d.dtype}")
    d = d.astype("datetime64[ns]")
    if np.isnat(d).any() or (t > 1 and np.any(d[1:] <= d[:-1])):
        raise ValueError("dates must be strictly increasing, without NaT")
    return d


def _json_safe(value: MetricValue) -> MetricValue:
    if value is None or isinstance(value, int):
        return value
    value = float(value)
    return value if math.isfinite(value) else None


def compute_metrics_columns(
    equity: np.ndarray,
    dates: np.ndarray,
    *,
    trades: list[dict[str, MetricValue]] | None,
    exposure: np.ndarray | None,
    benchmark: np.ndarray | None,
    periods_per_year: int,
    risk_free_rate: float = 0.0,
    initial_capital: float | None = None,
    ruined: np.ndarray | None = None,
) -> list[dict[str, MetricValue]]:
    """``compute_metrics`` of every column of ``equity`` (bars x columns) at once, equal to it key
    for key and value for value (both are ``curve_stats``); ``exposure`` has the same shape,
    ``trades`` holds each column's trade block (``trade_metrics_columns``) and ``ruined`` each
    column's flag."""
    eq2 = np.asarray(equity, dtype=np.float64)
    if eq2.ndim != 2:
        raise ValueError(f"equity must be 2-D (bars, columns), got shape {eq2.shape}")
    t, n_cols = eq2.shape
    if n_cols == 0:
        return []
    finite = np.isfinite(eq2).all(axis=0)
    if t == 0 or not finite.all():
        j = 0 if t == 0 else int(np.flatnonzero(~finite)[0])
        compute_metrics(  # raises as the 1-D call does, naming the bad value
            eq2[:, j], dates, trades=None, exposure=None, benchmark=benchmark,
            periods_per_year=periods_per_year, risk_free_rate=risk_free_rate,
            initial_capital=initial_capital,
        )  # fmt: skip
    days = _dates(dates, t)
    p, rf_p = _rates(periods_per_year, risk_free_rate)
    if initial_capital is None:
        capital = eq2[0].copy()
        if np.any(capital <= 0):
            bad = float(capital[capital <= 0][0])
            raise ValueError(f"initial_capital must be finite and > 0, got {bad!r}")
    else:
        capital = np.full(n_cols, float(initial_capital))
        if not math.isfinite(initial_capital) or initial_capital <= 0:
            raise ValueError(f"initial_capital must be finite and > 0, got {initial_capital!r}")
    expo = None
    if exposure is not None:
        expo = np.asarray(exposure, dtype=np.float64)
        if expo.shape != eq2.shape:
            raise ValueError(f"exposure has shape {expo.shape} but equity has {eq2.shape}")
        expo = _exposure(expo, t)
    bench_r, bench_return = _benchmark_returns(benchmark, t)
    stats = curve_stats(eq2, capital, days, expo, bench_r, p, rf_p)
    gone = (eq2 <= 0).any(axis=0) if ruined is None else np.asarray(ruined, dtype=np.bool_)
    per_trade = [trade_metrics(None)] * n_cols if trades is None else trades
    return _panels(stats, t > 1, bench_return, per_trade, [bool(g) for g in gone.tolist()])
