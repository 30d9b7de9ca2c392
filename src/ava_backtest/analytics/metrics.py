"""The performance panel of a run: one numpy pass over the equity curve, trades and benchmark.

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

from ava_backtest.analytics.trade_stats import TradeStats, trade_metrics

Unit = Literal["pct", "ratio", "currency", "bars", "days", "count", "flag"]
MetricValue = float | int | bool | None

TAIL_CUTOFF = 0.05
"""VaR / CVaR / tail-ratio tail: the worst 5% of bars (95% confidence)."""


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
    """
    eq = _vector(equity, "equity")
    t = eq.size
    if t == 0:
        raise ValueError("equity is empty")
    if not np.all(np.isfinite(eq)):
        bad = int(np.flatnonzero(~np.isfinite(eq))[0])
        raise ValueError(f"equity must be finite; equity[{bad}] = {eq[bad]!r}")
    days = _dates(dates, t)
    if not (periods_per_year > 0 and math.isfinite(periods_per_year)):
        raise ValueError(f"periods_per_year must be > 0, got {periods_per_year!r}")
    if not math.isfinite(risk_free_rate) or risk_free_rate <= -1:
        raise ValueError(f"risk_free_rate must be finite and > -1, got {risk_free_rate!r}")
    capital = float(eq[0]) if initial_capital is None else float(initial_capital)
    if not math.isfinite(capital) or capital <= 0:
        raise ValueError(f"initial_capital must be finite and > 0, got {initial_capital!r}")

    p = float(periods_per_year)
    rf_p = (1.0 + risk_free_rate) ** (1.0 / p) - 1.0
    gone = np.flatnonzero(eq <= 0)
    if gone.size:
        # Returns while the account was alive, the last one the loss of everything (-100%).
        alive = eq[: gone[0] + 1].copy()
        alive[-1] = 0.0
        r = simple_returns(alive)
    else:
        r = simple_returns(eq)
    values: dict[str, MetricValue] = {}
    values.update(_return_metrics(eq, r, capital, p, rf_p))
    values.update(_drawdown_metrics(eq, days, capital, values["cagr"]))
    values.update(_distribution_metrics(r))
    values.update(trade_metrics(trades))
    values["exposure"] = _mean_exposure(exposure, t)
    values.update(_benchmark_metrics(r, benchmark, t, p, rf_p))
    values["final_equity"] = float(eq[-1])
    values["ruined"] = bool(gone.size) if ruined is None else bool(ruined)
    return {key: _json_safe(values[key]) for key in METRICS}


def _return_metrics(
    eq: np.ndarray, r: np.ndarray, capital: float, p: float, rf_p: float
) -> dict[str, MetricValue]:
    n = eq.size - 1
    growth = float(eq[-1]) / capital
    out: dict[str, MetricValue] = {
        "total_return": growth - 1.0,
        # Nothing left (or a debt) compounds at -100% a year.
        "cagr": (_power(growth, p / n) - 1.0 if growth > 0 else -1.0) if n else None,
        "annual_volatility": None,
        "sharpe": None,
        "sortino": None,
        "omega": None,
    }
    if r.size < 2:
        return out
    excess = r - rf_p
    out["annual_volatility"] = float(np.std(r, ddof=1)) * math.sqrt(p)
    mean_excess = float(excess.mean())
    if np.ptp(excess) > 0:
        out["sharpe"] = mean_excess / float(np.std(excess, ddof=1)) * math.sqrt(p)
    downside = math.sqrt(float(np.mean(np.square(np.minimum(excess, 0.0)))))
    if downside > 0:
        out["sortino"] = mean_excess / downside * math.sqrt(p)
    gains = float(excess[excess > 0].sum())
    pains = -float(excess[excess < 0].sum())
    if pains > 0:
        out["omega"] = gains / pains
    return out


def _drawdown_metrics(
    eq: np.ndarray, days: np.ndarray, capital: float, cagr: MetricValue
) -> dict[str, MetricValue]:
    dd = drawdown_series(eq, capital)
    mdd = float(dd.min())
    under = dd < 0
    longest_bars = 0
    longest_days = 0.0
    if under.any():
        edges = np.diff(np.concatenate(([0], under.astype(np.int8), [0])))
        starts = np.flatnonzero(edges == 1)
        stops = np.flatnonzero(edges == -1)  # first bar back at the peak, or len(eq)
        recovered = stops < eq.size
        # From the peak bar (the one before the first bar under water) to the recovery bar, or to the
        # last bar when still under water. A run that starts at bar 0 peaked at the initial capital.
        longest_bars = int((stops - starts + recovered).max())
        peak_at = days[np.maximum(starts - 1, 0)]
        end_at = days[np.minimum(stops, eq.size - 1)]
        longest_days = float(((end_at - peak_at) / np.timedelta64(1, "D")).max())
    return {
        "max_drawdown": mdd,
        "max_drawdown_duration": longest_bars,
        "max_drawdown_days": longest_days,
        "ulcer_index": math.sqrt(float(np.mean(np.square(dd)))),
        "calmar": cagr / -mdd if cagr is not None and mdd < 0 else None,
    }


def _distribution_metrics(r: np.ndarray) -> dict[str, MetricValue]:
    n = r.size
    out: dict[str, MetricValue] = dict.fromkeys(
        ("tail_ratio", "value_at_risk", "cvar", "skew", "kurtosis", "stability")
    )
    if n < 2:
        return out
    lo, hi = np.percentile(r, [100 * TAIL_CUTOFF, 100 * (1 - TAIL_CUTOFF)])
    out["value_at_risk"] = float(lo)
    k = int((n - 1) * TAIL_CUTOFF)
    out["cvar"] = float(np.partition(r, k)[: k + 1].mean())
    if lo != 0:
        out["tail_ratio"] = abs(float(hi)) / abs(float(lo))

    if np.ptp(r) > 0:
        d = r - r.mean()
        d2 = d * d  # products, not d**3 / d**4: numpy's general power is ~10x slower
        m2 = float(d2.sum())
        if n >= 3:
            m3 = float(np.dot(d2, d))
            out["skew"] = n * math.sqrt(n - 1) / (n - 2) * m3 / m2**1.5
        if n >= 4:
            m4 = float(np.dot(d2, d2))
            scale = (n - 2) * (n - 3)
            bias = 3 * (n - 1) ** 2 / scale
            out["kurtosis"] = (n + 1) * n * (n - 1) * m4 / (scale * m2 * m2) - bias

    if np.any(r <= -1.0):
        return out  # a wiped-out curve has no log growth to fit
    y = np.cumsum(np.log1p(r))
    x = np.arange(n, dtype=np.float64)
    yc = y - y.mean()
    xc = x - x.mean()
    syy = float(yc @ yc)
    if syy > 0:
        sxy = float(xc @ yc)
        out["stability"] = min(sxy * sxy / (float(xc @ xc) * syy), 1.0)
    return out


def _mean_exposure(exposure: np.ndarray | None, t: int) -> MetricValue:
    if exposure is None:
        return None
    x = _vector(exposure, "exposure")
    if x.size != t:
        raise ValueError(f"exposure has {x.size} values but equity has {t}")
    if np.any(np.isinf(x)):
        raise ValueError("exposure must be finite (NaN marks a close with no positive equity)")
    known = x[~np.isnan(x)]
    return float(known.mean()) if known.size else None


def _benchmark_metrics(
    r: np.ndarray, benchmark: np.ndarray | None, t: int, p: float, rf_p: float
) -> dict[str, MetricValue]:
    out: dict[str, MetricValue] = dict.fromkeys(
        ("alpha", "beta", "information_ratio", "benchmark_return")
    )
    if benchmark is None:
        return out
    bench = _vector(benchmark, "benchmark")
    if bench.size != t:
        raise ValueError(f"benchmark has {bench.size} values but equity has {t}")
    seen = ~np.isnan(bench)
    if np.any(~np.isfinite(bench[seen])) or np.any(bench[seen] <= 0):
        raise ValueError("benchmark closes must be > 0 and finite (NaN marks a missing bar)")
    if seen.sum() >= 2:
        observed = bench[seen]
        out["benchmark_return"] = float(observed[-1] / observed[0] - 1.0)

    # Paired over the strategy's returns (which stop at a ruin).
    b = simple_returns(bench)[: r.size]
    paired = np.isfinite(b)  # both closes present; a bar with no benchmark close drops out
    if paired.sum() < 2:
        return out
    rr = r[paired]
    bb = b[paired]
    # Beta and alpha exactly as empyrical computes them (population moments; compounded alpha).
    b_res = bb - bb.mean()
    var_b = float(np.mean(b_res * b_res))
    if var_b >= 1e-30:
        beta = float(np.mean(b_res * rr)) / var_b
        out["beta"] = beta
        residual = float(np.mean((rr - rf_p) - beta * (bb - rf_p)))
        if residual > -1.0:
            out["alpha"] = _power(1.0 + residual, p) - 1.0
    active = rr - bb
    if np.ptp(active) > 0:
        out["information_ratio"] = (
            float(active.mean()) / float(np.std(active, ddof=1)) * math.sqrt(p)
        )
    return out


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


def _power(base: float, exponent: float) -> float:
    try:
        return base**exponent
    except OverflowError:
        return math.inf


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


_BLOCK_COLUMNS = 256


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
    for key and value for value; ``exposure`` has the same shape, ``trades`` holds each column's
    trade block (``trade_metrics_columns``) and ``ruined`` each column's flag.

    Every reduction runs along the rows of a (columns x bars) block, the same numpy inner loop as
    the 1-D call, so sums meet in the same order; subsets (the gains, the known exposures) are
    reduced in groups of equal size for the same reason; dot products stay BLAS calls per column.
    A column that reaches zero equity (its returns stop there) is measured by ``compute_metrics``
    itself.
    """
    eq2 = np.asarray(equity, dtype=np.float64)
    if eq2.ndim != 2:
        raise ValueError(f"equity must be 2-D (bars, columns), got shape {eq2.shape}")
    t, n_cols = eq2.shape
    finite = np.isfinite(eq2).all(axis=0)
    alive = finite & (eq2 > 0).all(axis=0) if t else finite
    if t < 5:
        alive[:] = False  # too short for the block's assumptions (skew and kurtosis defined)

    def one(j: int) -> dict[str, MetricValue]:
        return compute_metrics(
            eq2[:, j],
            dates,
            trades=None,
            exposure=None if exposure is None else exposure[:, j],
            benchmark=benchmark,
            periods_per_year=periods_per_year,
            risk_free_rate=risk_free_rate,
            initial_capital=initial_capital,
            ruined=None if ruined is None else bool(ruined[j]),
        )

    out: list[dict[str, MetricValue] | None] = [None] * n_cols
    for j in np.flatnonzero(~alive).tolist():
        out[j] = one(j)
    cols = np.flatnonzero(alive)
    if cols.size:
        first = one(int(cols[0]))  # validates the shared inputs and raises as the 1-D call does
        days = _dates(dates, t)

        def measure(part: np.ndarray) -> list[dict[str, MetricValue]]:
            return _metrics_block(
                np.ascontiguousarray(eq2[:, part].T),
                days,
                None if exposure is None else np.ascontiguousarray(exposure[:, part].T),
                benchmark,
                float(periods_per_year),
                risk_free_rate,
                initial_capital,
            )

        # A few MB of temporaries at a time. (Two threads over the blocks were slower on the
        # shared 2-core machine: the blocks are bound by memory traffic, not arithmetic.)
        block = [
            row
            for lo in range(0, cols.size, _BLOCK_COLUMNS)
            for row in measure(cols[lo : lo + _BLOCK_COLUMNS])
        ]
        for k, j in enumerate(cols.tolist()):
            row = first if k == 0 else block[k]
            row["ruined"] = False if ruined is None else bool(ruined[j])
            out[j] = row
    result: list[dict[str, MetricValue]] = []
    for j, row in enumerate(out):
        assert row is not None
        row.update(trade_metrics(None) if trades is None else trades[j])
        result.append({key: _json_safe(row[key]) for key in METRICS})
    return result


def _metrics_block(
    eq: np.ndarray,
    days: np.ndarray,
    exposure: np.ndarray | None,
    benchmark: np.ndarray | None,
    p: float,
    risk_free_rate: float,
    initial_capital: float | None,
) -> list[dict[str, MetricValue]]:
    """The metrics of the rows of ``eq`` (columns x bars, every value > 0, at least 5 bars)."""
    n_rows, t = eq.shape
    capital = eq[:, 0].copy() if initial_capital is None else np.full(n_rows, initial_capital)
    rf_p = (1.0 + risk_free_rate) ** (1.0 / p) - 1.0
    r = eq[:, 1:] / eq[:, :-1] - 1.0
    n = r.shape[1]
    root_p = math.sqrt(p)

    # returns
    growth = (eq[:, -1] / capital).tolist()
    excess = r - rf_p if rf_p else r  # r - 0.0 is r, bit for bit
    vol = np.std(r, axis=1, ddof=1)
    mean_excess = excess.mean(axis=1)
    spread = np.ptp(excess, axis=1)
    sd_excess = np.std(excess, axis=1, ddof=1) if rf_p else vol
    downside = np.sqrt(np.mean(np.square(np.minimum(excess, 0.0)), axis=1))
    positive = excess > 0
    gains = _masked_sums(excess, positive)
    pains = -_masked_sums(excess, excess < 0)

    # drawdowns
    peak = np.maximum(np.maximum.accumulate(eq, axis=1), capital[:, None])
    dd = eq / peak - 1.0
    mdd = dd.min(axis=1)
    ulcer = np.sqrt(np.mean(np.square(dd), axis=1))
    longest_bars = np.zeros(n_rows, dtype=np.int64)
    longest_days = np.zeros(n_rows)
    _longest_drawdowns(dd, days.view(np.int64), longest_bars, longest_days)

    # distribution
    lo, hi = np.percentile(r, [100 * TAIL_CUTOFF, 100 * (1 - TAIL_CUTOFF)], axis=1)
    k = int((n - 1) * TAIL_CUTOFF)
    cvar = np.partition(r, k, axis=1)[:, : k + 1].mean(axis=1)
    r_spread = np.ptp(r, axis=1)
    d = r - r.mean(axis=1, keepdims=True)
    d2 = d * d
    m2 = d2.sum(axis=1)
    wiped = (r <= -1.0).any(axis=1).tolist()  # underflow only: no log growth to fit
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.cumsum(np.log1p(r), axis=1)
    x = np.arange(n, dtype=np.float64)
    xc = x - x.mean()
    sxx = float(xc @ xc)
    yc = y - y.mean(axis=1, keepdims=True)

    # exposure
    exp_mean: list[float | None] = [None] * n_rows
    if exposure is not None:
        if np.any(np.isinf(exposure)):
            raise ValueError("exposure must be finite (NaN marks a close with no positive equity)")
        known = ~np.isnan(exposure)
        n_known = known.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = _masked_sums(exposure, known) / n_known
        exp_mean = [
            None if c == 0 else v for c, v in zip(n_known.tolist(), means.tolist(), strict=True)
        ]

    bench = _benchmark_block(r, benchmark, t, p, rf_p)

    rows: list[dict[str, MetricValue]] = []
    lists = zip(
        growth, vol.tolist(), mean_excess.tolist(), spread.tolist(), sd_excess.tolist(),
        downside.tolist(), gains.tolist(), pains.tolist(), mdd.tolist(), ulcer.tolist(),
        longest_bars.tolist(), longest_days.tolist(), lo.tolist(), hi.tolist(), cvar.tolist(),
        r_spread.tolist(), m2.tolist(), exp_mean, eq[:, -1].tolist(), strict=True,
    )  # fmt: skip
    for i, (
        g,
        v,
        me,
        sp,
        sde,
        dn,
        ga,
        pa,
        md,
        ul,
        lb,
        ld,
        q_lo,
        q_hi,
        cv,
        rs,
        m2_,
        ex,
        fin,
    ) in enumerate(lists):
        cagr = _power(g, p / n) - 1.0 if g > 0 else -1.0
        row: dict[str, MetricValue] = {
            "total_return": g - 1.0,
            "cagr": cagr,
            "annual_volatility": v * root_p,
            "sharpe": me / sde * root_p if sp > 0 else None,
            "sortino": me / dn * root_p if dn > 0 else None,
            "omega": ga / pa if pa > 0 else None,
            "max_drawdown": md,
            "max_drawdown_duration": lb,
            "max_drawdown_days": ld,
            "ulcer_index": ul,
            "calmar": cagr / -md if md < 0 else None,
            "value_at_risk": q_lo,
            "cvar": cv,
            "tail_ratio": abs(q_hi) / abs(q_lo) if q_lo != 0 else None,
            "skew": None,
            "kurtosis": None,
            "stability": None,
            "exposure": ex,
            "final_equity": fin,
        }
        if rs > 0:
            di, d2i = d[i], d2[i]
            m3 = float(np.dot(d2i, di))
            row["skew"] = n * math.sqrt(n - 1) / (n - 2) * m3 / m2_**1.5
            if n >= 4:
                m4 = float(np.dot(d2i, d2i))
                scale = (n - 2) * (n - 3)
                bias = 3 * (n - 1) ** 2 / scale
                row["kurtosis"] = (n + 1) * n * (n - 1) * m4 / (scale * m2_ * m2_) - bias
        yci = yc[i]
        syy = 0.0 if wiped[i] else float(yci @ yci)
        if syy > 0:
            sxy = float(xc @ yci)
            row["stability"] = min(sxy * sxy / (sxx * syy), 1.0)
        row.update(bench[i])
        rows.append(row)
    return rows


def _masked_sums(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, ``values[row][mask[row]].sum()`` exactly as the 1-D call sums: rows with the same
    number of selected values are summed together as one block."""
    counts = mask.sum(axis=1)
    out = np.zeros(values.shape[0])
    for size in np.unique(counts).tolist():
        if size == 0:
            continue
        rows = np.flatnonzero(counts == size)
        sub = values[rows]
        out[rows] = sub[mask[rows]].reshape(rows.size, size).sum(axis=1)
    return out


@nb.njit(cache=True)
def _longest_drawdowns(
    dd: np.ndarray, days: np.ndarray, longest_bars: np.ndarray, longest_days: np.ndarray
) -> None:
    """Per row of ``dd``: the most bars, and the most calendar days, from a peak to its recovery
    (or to the last bar), as ``_drawdown_metrics`` counts them."""
    rows, t = dd.shape
    day = 86_400_000_000_000.0
    for i in range(rows):
        best_bars = 0
        best_days = -np.inf
        start = -1
        any_under = False
        for b in range(t + 1):
            under = b < t and dd[i, b] < 0
            if under and start < 0:
                start = b
                any_under = True
            elif not under and start >= 0:
                recovered = 1 if b < t else 0
                best_bars = max(best_bars, b - start + recovered)
                peak_at = days[max(start - 1, 0)]
                end_at = days[min(b, t - 1)]
                best_days = max(best_days, float(end_at - peak_at) / day)
                start = -1
        if any_under:
            longest_bars[i] = best_bars
            longest_days[i] = best_days


def _benchmark_block(
    r: np.ndarray, benchmark: np.ndarray | None, t: int, p: float, rf_p: float
) -> list[dict[str, MetricValue]]:
    keys = ("alpha", "beta", "information_ratio", "benchmark_return")
    n_rows = r.shape[0]
    if benchmark is None:
        return [dict.fromkeys(keys) for _ in range(n_rows)]
    bench = _vector(benchmark, "benchmark")
    if bench.size != t:
        raise ValueError(f"benchmark has {bench.size} values but equity has {t}")
    shared = _benchmark_metrics(r[0], bench, t, p, rf_p)  # validates; its benchmark return
    b = simple_returns(bench)[: r.shape[1]]
    paired = np.isfinite(b)
    base: dict[str, MetricValue] = dict.fromkeys(keys)
    base["benchmark_return"] = shared["benchmark_return"]
    if paired.sum() < 2:
        return [dict(base) for _ in range(n_rows)]
    rr = np.ascontiguousarray(r[:, paired])  # rows contiguous: reduced as the 1-D call reduces
    bb = b[paired]
    b_res = bb - bb.mean()
    var_b = float(np.mean(b_res * b_res))
    out = [dict(base) for _ in range(n_rows)]
    if var_b >= 1e-30:
        beta = np.mean(b_res * rr, axis=1) / var_b
        residual = np.mean((rr - rf_p) - beta[:, None] * (bb - rf_p), axis=1)
        for row, be, res in zip(out, beta.tolist(), residual.tolist(), strict=True):
            row["beta"] = be
            if res > -1.0:
                row["alpha"] = _power(1.0 + res, p) - 1.0
    active = rr - bb
    spread = np.ptp(active, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ir = active.mean(axis=1) / np.std(active, axis=1, ddof=1) * math.sqrt(p)
    for row, sp, v in zip(out, spread.tolist(), ir.tolist(), strict=True):
        if sp > 0:
            row["information_ratio"] = v
    return out
