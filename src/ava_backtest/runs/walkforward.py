"""Walk-forward analysis: optimise in sample, trade the chosen parameters out of sample, window
after window, and judge the stitched out-of-sample record.

Windows are counted in sessions of the market's calendar (the rows of the run's bar grid):
``rolling`` windows slide a fixed in-sample span forward by ``step`` sessions, ``anchored`` ones
keep the first session and grow. ``gap`` sessions (purge/embargo) separate each in-sample span
from its out-of-sample one, so no in-sample label can overlap the first out-of-sample bars.

Each window is an independent job (``runs.cluster``): an in-sample study (``run_study``: a grid by
default, or any sampler), then the out-of-sample signals of the chosen parameters, computed on
bars that end at the window's last out-of-sample session (earlier bars are the indicators'
warm-up; nothing after the window is loaded). The segments are then simulated here, in order:

- ``carry_over=False`` (default): each segment starts flat with the equity the previous one ended
  with, and ends flat (positions still open are closed at the open of its last session), so a
  segment's trades depend on its own window only.
- ``carry_over=True``: one simulation over all segments with each segment's signals; a position
  opened in one segment is closed by the next segment's rules. The positions handed over at each
  boundary are listed in the result.

Walk-forward efficiency (docs/walkforward.md): annualised out-of-sample return (CAGR of the
stitched record) / the mean annualised in-sample return (CAGR of each window's chosen
parameters); ``efficiency_sharpe`` is the same with annualised Sharpe ratios.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import polars as pl

from ava_backtest.analytics.metrics import compute_metrics
from ava_backtest.analytics.overfitting import (
    _moments,
    block_bootstrap,
    deflated_sharpe,
    min_track_record,
    overfitting_score,
    probabilistic_sharpe,
    sharpe,
)
from ava_backtest.analytics.trade_stats import TradeStats
from ava_backtest.data.universes import Universe
from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError, DataError, ParameterError
from ava_backtest.domain.signals import ARRAY_FIELDS, BOOL_FIELDS, Signals
from ava_backtest.engine.backtest import simulate
from ava_backtest.markets import get_market
from ava_backtest.runs.cluster import JobRunner, job_runner
from ava_backtest.runs.execute import (
    _records,
    _slice_panel,
    _slice_signals,
    bars_per_year,
    check_signals,
    engine_settings,
    load_run_panel,
    resolve_symbols,
    run_cost_model,
    timed_for_engine,
    with_required_data,
)
from ava_backtest.runs.optimize import (
    SAMPLERS,
    Direction,
    Range,
    SamplerName,
    StudySpec,
    run_study,
    search_space,
)
from ava_backtest.runs.square_off import square_off
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

Mode = Literal["rolling", "anchored"]
MODES = ("rolling", "anchored")
DEFAULT_FOLDS = 5
IS_TO_OOS = 4
"""With only a number of folds, in-sample spans are this many out-of-sample spans long (rolling)."""
GRID_VALUES = 5
GRID_LIMIT = 512
"""The default grid: up to ``GRID_VALUES`` values per parameter, fewer when the product would
pass ``GRID_LIMIT`` combinations."""


# -- the window plan ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """One window as rows of the session grid (inclusive bounds)."""

    index: int
    is_start: int
    is_end: int
    oos_start: int
    oos_end: int

    @property
    def oos_len(self) -> int:
        return self.oos_end - self.oos_start + 1


@dataclass(frozen=True, slots=True)
class Plan:
    mode: Mode
    is_sessions: int
    oos_sessions: int
    step: int
    gap: int
    folds: int | None
    windows: tuple[Window, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "is_sessions": self.is_sessions,
                "oos_sessions": self.oos_sessions, "step": self.step, "gap": self.gap,
                "folds": self.folds, "n_windows": len(self.windows)}  # fmt: skip


def plan_windows(
    n_sessions: int,
    *,
    mode: Mode = "rolling",
    is_sessions: int | None = None,
    oos_sessions: int | None = None,
    step: int | None = None,
    folds: int | None = None,
    gap: int = 0,
) -> Plan:
    """The windows over ``n_sessions`` sessions. Give the lengths (``is_sessions``,
    ``oos_sessions``, ``step`` defaulting to ``oos_sessions``: windows laid from the first
    session), or a number of ``folds`` (the out-of-sample spans tile the end of the data; the
    lengths not given are derived). Neither: ``DEFAULT_FOLDS`` folds. Bad plans raise a
    ConfigError naming the field."""
    if mode not in MODES:
        raise ConfigError(f"mode must be rolling or anchored, got {mode!r}", field="mode")
    if gap < 0:
        raise ConfigError(f"gap must be 0 or more sessions, got {gap}", field="gap")
    if step is not None and step < 1:
        raise ConfigError(f"step must be at least 1 session, got {step}", field="step")
    if oos_sessions is not None and oos_sessions < 2:
        what = "a zero-length out-of-sample span" if oos_sessions < 1 else "1 session"
        raise ConfigError(
            f"oos_sessions must be at least 2 (an order needs a next open to fill); got {what}",
            field="oos_sessions",
        )
    if is_sessions is not None and is_sessions < 2:
        raise ConfigError(
            f"is_sessions must be at least 2 sessions, got {is_sessions}", field="is_sessions"
        )
    if folds is not None and folds < 1:
        raise ConfigError(f"folds must be at least 1, got {folds}", field="folds")
    if folds is None and is_sessions is None and oos_sessions is None:
        folds = DEFAULT_FOLDS
    usable = n_sessions - gap
    if folds is not None:
        if is_sessions is not None and oos_sessions is not None:
            raise ConfigError(
                "give folds, or the in-sample and out-of-sample lengths, not all three",
                field="folds",
            )
        if step is not None and step != (oos_sessions or step):
            raise ConfigError("with folds, step is the out-of-sample length", field="step")
        if oos_sessions is None and is_sessions is None:
            oos_sessions = usable // (folds + IS_TO_OOS)
        elif oos_sessions is None:
            oos_sessions = (usable - (is_sessions or 0)) // folds
        if is_sessions is None:
            is_sessions = usable - folds * oos_sessions
        if oos_sessions < 2 or is_sessions < 2:
            raise ConfigError(
                f"{folds} folds do not fit in {n_sessions} sessions: each needs an out-of-sample "
                f"span of at least 2 sessions after an in-sample span of at least 2 "
                f"(derived: in-sample {is_sessions}, out-of-sample {oos_sessions})",
                field="folds",
            )
        step = oos_sessions
        offset = n_sessions - (is_sessions + gap + folds * oos_sessions)
        if offset < 0:
            raise ConfigError(
                f"windows longer than the data: {folds} folds need {n_sessions - offset} "
                f"sessions, the data has {n_sessions}",
                field="is_sessions",
            )
        count = folds
    else:
        if oos_sessions is None:
            assert is_sessions is not None
            oos_sessions = max(2, is_sessions // IS_TO_OOS)
        if is_sessions is None:
            is_sessions = oos_sessions * IS_TO_OOS
        step = step or oos_sessions
        offset = 0
        need = is_sessions + gap + oos_sessions
        if need > n_sessions:
            raise ConfigError(
                f"windows longer than the data: one window needs {is_sessions} in-sample + "
                f"{gap} gap + {oos_sessions} out-of-sample = {need} sessions, the data has "
                f"{n_sessions}",
                field="is_sessions",
            )
        count = (n_sessions - need) // step + 1
    if step < oos_sessions:
        raise ConfigError(
            f"step {step} is shorter than the out-of-sample span {oos_sessions}: out-of-sample "
            "segments would overlap and could not be stitched",
            field="step",
        )
    windows = []
    for k in range(count):
        start = offset + k * step
        is_lo = offset if mode == "anchored" else start
        is_hi = start + is_sessions - 1
        oos_lo = is_hi + 1 + gap
        windows.append(Window(k, is_lo, is_hi, oos_lo, oos_lo + oos_sessions - 1))
    return Plan(mode, is_sessions, oos_sessions, step, gap, folds, tuple(windows))


def default_grid(cls: type[Strategy], values: int = GRID_VALUES, limit: int = GRID_LIMIT) -> dict:
    """A few values of each parameter from its declared bounds (evenly spaced, ends included),
    both values of a flag, every choice: fewer values each when there are many parameters, so
    the grid stays under ``limit`` combinations. Parameters without bounds keep their value."""
    numeric = {
        n: p for n, p in cls.parameters.items()
        if p.kind in ("int", "float") and p.minimum is not None and p.maximum is not None
        and p.maximum > p.minimum
    }  # fmt: skip
    fixed = 1
    ranges: dict[str, dict[str, Any]] = {}
    for n, p in cls.parameters.items():
        if p.kind == "bool":
            ranges[n] = {"choices": [False, True]}
            fixed *= 2
        elif p.kind in ("choice", "str") and p.choices:
            ranges[n] = {"choices": list(p.choices)}
            fixed *= len(p.choices)
    k = values
    if numeric:
        room = max(1.0, limit / fixed)
        k = max(2, min(values, int(room ** (1 / len(numeric)))))
    for n, p in numeric.items():
        raw = np.linspace(float(p.minimum), float(p.maximum), k)  # type: ignore[arg-type]
        vals = (
            sorted({round(float(v)) for v in raw}) if p.kind == "int" else [float(v) for v in raw]
        )
        ranges[n] = {"choices": vals}
    if not ranges:
        raise ParameterError(f"{cls.name!r} has no parameter to optimise", field="param_ranges")
    return ranges


# -- the request ----------------------------------------------------------------------------------


@dataclass(slots=True)
class WalkForwardSpec:
    """A walk-forward, fully described: the base run, the window plan and the in-sample study."""

    config: RunConfig
    space: dict[str, Range]
    mode: Mode = "rolling"
    is_sessions: int | None = None
    oos_sessions: int | None = None
    step: int | None = None
    folds: int | None = None
    gap: int = 0
    objective: str = "sharpe"
    direction: Direction = "maximize"
    sampler: SamplerName = "grid"
    n_trials: int = 100_000
    seed: int = 0
    min_trades: int = 1
    carry_over: bool = False
    hindsight: bool = True

    def study(self, config: RunConfig) -> StudySpec:
        n = self.n_trials
        return StudySpec(config, self.space, [(self.objective, self.direction)], self.sampler,
                         n, self.seed, self.min_trades, grid_limit=max(100_000, n))  # fmt: skip

    def check(self) -> None:
        if self.sampler not in SAMPLERS:
            raise ConfigError(f"sampler must be one of {', '.join(SAMPLERS)}", field="sampler")
        if self.sampler == "nsga2":
            raise ConfigError("a walk-forward optimises one objective: use grid, tpe, random "
                              "or cmaes", field="sampler")  # fmt: skip
        self.study(self.config).check()

    def plan_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "is_sessions": self.is_sessions,
                "oos_sessions": self.oos_sessions, "step": self.step, "folds": self.folds,
                "gap": self.gap}  # fmt: skip


def make_spec(
    config: RunConfig,
    ranges: dict[str, dict[str, Any]] | None = None,
    **kwargs: Any,
) -> WalkForwardSpec:
    """The spec with ``ranges`` as the space (``search_space``), or the default grid."""
    cls = get_strategy(config.strategy_name)
    space = search_space(cls, ranges or default_grid(cls))
    spec = WalkForwardSpec(config, space, **kwargs)
    spec.check()
    return spec


# -- the jobs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowJob:
    """One job: a window's in-sample study and out-of-sample signals (``kind="window"``), or the
    hindsight study over the whole out-of-sample span (``kind="hindsight"``)."""

    index: int
    kind: str
    is_start: dt.date
    is_end: dt.date
    oos_start: dt.date
    oos_end: dt.date


@dataclass(slots=True)
class WindowOutcome:
    index: int
    kind: str
    params: dict[str, Any] | None
    is_value: float | None
    is_metrics: dict[str, Any]
    trials_complete: int
    trials_total: int
    sr_variance: float
    signals: Signals | None = None
    panel: Panel | None = None
    returns: np.ndarray | None = None  # hindsight: the best trial's daily returns
    dates: np.ndarray | None = None
    error: str = ""
    elapsed_s: float = 0.0


@dataclass(slots=True)
class Shared:
    spec: WalkForwardSpec
    universe: Universe | None


def run_window(job: WindowJob, shared: Shared) -> WindowOutcome:
    """A runner's task (top level, picklable): optimise in sample, then compute the chosen
    parameters' out-of-sample signals on bars that end at ``job.oos_end``."""
    t0 = time.perf_counter()
    spec, universe = shared.spec, shared.universe
    lo, hi = (job.is_start, job.is_end) if job.kind == "window" else (job.oos_start, job.oos_end)
    cfg_is = spec.config.model_copy(update={"start_date": lo, "end_date": hi})
    study = run_study(spec.study(cfg_is), universe=universe)
    complete = [t for t in study.trials if t.state == "complete"]
    srs = sharpe(study.returns, axis=0) if study.returns.shape[1] > 1 else np.zeros(0)
    var = float(np.var(srs, ddof=1)) if srs.size > 1 else 0.0
    best = study.best
    out = WindowOutcome(job.index, job.kind, None, None, {}, len(complete), len(study.trials), var)
    if best is None:
        states: dict[str, int] = {}
        for t in study.trials:
            states[t.state] = states.get(t.state, 0) + 1
        out.error = (
            "no complete trial in sample ("
            + ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
            + ")"
        )
        out.elapsed_s = time.perf_counter() - t0
        return out
    out.params = dict(best.params)
    out.is_value = best.values[0]
    out.is_metrics = dict(best.metrics)
    if job.kind == "hindsight":
        col = study.matrix_trials.index(best.number)
        out.returns = study.returns[:, col].copy()
        out.dates = study.dates
    else:
        params = {**spec.config.params, **best.params}
        cfg = spec.config.model_copy(
            update={"start_date": job.oos_start, "end_date": job.oos_end, "params": params}
        )
        strategy = get_strategy(cfg.strategy_name)(**params)
        panel, info = load_run_panel(cfg, strategy, universe)
        bars = with_required_data(strategy, panel, cfg.market)
        signals = timed_for_engine(strategy, compute_signals(strategy, bars))
        signals = square_off(cfg, strategy, signals, bars.dates)
        check_signals(cfg, strategy, signals)
        sig = _slice_signals(signals, info.first_index)
        out.signals = replace(sig, series={})
        out.panel = _slice_panel(panel, info.first_index)
    out.elapsed_s = time.perf_counter() - t0
    return out


# -- the result -----------------------------------------------------------------------------------


@dataclass(slots=True)
class WindowResult:
    window: Window
    dates: tuple[dt.date, dt.date, dt.date, dt.date]
    params: dict[str, Any] | None
    is_value: float | None
    is_metrics: dict[str, Any]
    oos_value: float | None
    oos_metrics: dict[str, Any]
    trials: int
    trials_total: int
    status: str  # completed, no_trial
    error: str
    elapsed_s: float
    efficiency: float | None
    efficiency_sharpe: float | None

    def to_dict(self) -> dict[str, Any]:
        w = self.window
        return {
            "index": w.index,
            "is_start": self.dates[0].isoformat(),
            "is_end": self.dates[1].isoformat(),
            "oos_start": self.dates[2].isoformat(),
            "oos_end": self.dates[3].isoformat(),
            "is_sessions": w.is_end - w.is_start + 1,
            "oos_sessions": w.oos_len,
            "status": self.status,
            "params": self.params,
            "is_value": _num(self.is_value),
            "oos_value": _num(self.oos_value),
            "is_metrics": _clean(self.is_metrics),
            "oos_metrics": _clean(self.oos_metrics),
            "efficiency": _num(self.efficiency),
            "efficiency_sharpe": _num(self.efficiency_sharpe),
            "trials": self.trials,
            "trials_total": self.trials_total,
            "elapsed_s": round(self.elapsed_s, 3),
            "error": self.error,
        }


@dataclass(slots=True)
class WalkForwardResult:
    spec: WalkForwardSpec
    plan: Plan
    windows: list[WindowResult]
    dates: np.ndarray  # the stitched out-of-sample sessions
    equity: np.ndarray
    trades: pl.DataFrame  # with a ``window`` column
    open_positions: pl.DataFrame
    oos_metrics: dict[str, Any]
    efficiency: float | None
    efficiency_sharpe: float | None
    overfitting: dict[str, Any]
    hindsight: dict[str, Any] | None
    handover: list[dict[str, Any]]
    symbols: tuple[str, ...]
    currency: str
    runner: str
    elapsed_s: float
    notes: list[str] = field(default_factory=list)

    def drift(self) -> dict[str, list[Any]]:
        """Each optimised parameter's chosen value per window (None where nothing was chosen)."""
        return {
            name: [w.params.get(name) if w.params else None for w in self.windows]
            for name in self.spec.space
        }

    def equity_frame(self) -> pl.DataFrame:
        return pl.DataFrame({"date": pl.Series(self.dates).cast(pl.Date), "equity": self.equity})

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "strategy_name": spec.config.strategy_name,
            "config": spec.config.model_dump(mode="json"),
            "symbols": list(self.symbols),
            "currency": self.currency,
            "plan": self.plan.to_dict(),
            "objective": {"metric": spec.objective, "direction": spec.direction},
            "sampler": spec.sampler,
            "seed": spec.seed,
            "space": {k: r.to_dict() for k, r in spec.space.items()},
            "carry_over": spec.carry_over,
            "windows": [w.to_dict() for w in self.windows],
            "drift": self.drift(),
            "oos_metrics": _clean(self.oos_metrics),
            "efficiency": _num(self.efficiency),
            "efficiency_sharpe": _num(self.efficiency_sharpe),
            "overfitting": self.overfitting,
            "oos_equity": _records(self.equity_frame()),
            "is_equity": self.hindsight["equity"] if self.hindsight else [],
            "hindsight": {k: v for k, v in self.hindsight.items() if k != "equity"}
            if self.hindsight
            else None,
            "trades": _records(self.trades),
            "open_positions": _records(self.open_positions),
            "handover": self.handover,
            "runner": self.runner,
            "elapsed_s": round(self.elapsed_s, 3),
            "notes": self.notes,
        }


WindowCallback = Callable[[WindowOutcome, int, int], None]


def plan_for(spec: WalkForwardSpec, universe: Universe | None = None) -> tuple[Plan, np.ndarray]:
    """The window plan of ``spec`` over its data's sessions, and those sessions (the rows of the
    run's bar grid from its start on). A plan that does not fit is a ConfigError naming it."""
    config = spec.config
    base = get_strategy(config.strategy_name)(**config.params)
    panel, info = load_run_panel(config, base, universe)
    sessions = panel.dates[info.first_index :]
    # Every window optimises and trades every symbol: the windows lie where all have bars.
    has = np.isfinite(panel.bars.close[info.first_index :])
    notes: tuple[str, ...] = ()
    if has.shape[1] > 1 and not has.all():
        if not has.any(axis=0).all():
            missing = [s for s, ok in zip(panel.symbols, has.any(axis=0), strict=True) if not ok]
            raise DataError(f"{', '.join(missing)}: no bars in the run's span", field="symbols")
        lo = int(max(np.argmax(has[:, j]) for j in range(has.shape[1])))
        hi = int(min(len(has) - 1 - np.argmax(has[::-1, j]) for j in range(has.shape[1])))
        if hi <= lo:
            raise DataError(
                "the symbols have no session with bars for all of them", field="symbols"
            )
        if lo > 0 or hi < len(sessions) - 1:
            late = [s for s, j in zip(panel.symbols, range(has.shape[1]), strict=True)
                    if np.argmax(has[:, j]) == lo]  # fmt: skip
            notes = (
                f"windows cover {_date(sessions[lo])} .. {_date(sessions[hi])}, the sessions "
                f"with bars for every symbol ({', '.join(late)} start{'s' if len(late) == 1 else ''} "
                f"{_date(sessions[lo])})",
            )
        sessions = sessions[lo : hi + 1]
    plan = plan_windows(
        len(sessions), mode=spec.mode, is_sessions=spec.is_sessions,
        oos_sessions=spec.oos_sessions, step=spec.step, folds=spec.folds, gap=spec.gap,
    )  # fmt: skip
    if spec.carry_over and plan.step != plan.oos_sessions:
        raise ConfigError(
            "carry_over needs contiguous out-of-sample segments (step equal to oos_sessions)",
            field="carry_over",
        )
    return replace(plan, notes=notes), sessions


def window_dates(plan: Plan, sessions: np.ndarray) -> list[dict[str, Any]]:
    """Each window's spans as dates (the planned windows, before anything ran)."""
    day = [_date(d) for d in sessions]
    return [
        {"index": w.index, "is_start": day[w.is_start], "is_end": day[w.is_end],
         "oos_start": day[w.oos_start], "oos_end": day[w.oos_end], "status": "planned"}
        for w in plan.windows
    ]  # fmt: skip


def run_walkforward(
    spec: WalkForwardSpec,
    *,
    universe: Universe | None = None,
    runner: JobRunner | None = None,
    on_window: WindowCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> WalkForwardResult:
    """Run ``spec``: plan, optimise each window in sample through ``runner`` (the local runner, or
    Dask with ``AVA_DASK_ADDRESS``), then simulate and stitch the out-of-sample segments.
    ``should_stop`` cancels the windows not yet finished (``cluster.JobStopped`` is raised)."""
    t0 = time.perf_counter()
    spec.check()
    run_cost_model(spec.config)
    config = spec.config
    runner = runner or job_runner()
    plan, sessions = plan_for(spec, universe)
    day = [_date(d) for d in sessions]
    jobs = [
        WindowJob(w.index, "window", day[w.is_start], day[w.is_end], day[w.oos_start],
                  day[w.oos_end])
        for w in plan.windows
    ]  # fmt: skip
    first, last = plan.windows[0], plan.windows[-1]
    if spec.hindsight:
        jobs.append(WindowJob(len(jobs), "hindsight", day[first.oos_start], day[last.oos_end],
                              day[first.oos_start], day[last.oos_end]))  # fmt: skip
    total = len(jobs)
    done = [0]

    def arrived(_i: int, outcome: WindowOutcome) -> None:
        done[0] += 1
        if on_window is not None:
            on_window(outcome, done[0], total)

    outcomes = runner.map(
        run_window, jobs, Shared(spec, universe), on_result=arrived, should_stop=should_stop
    )
    windows_out = [o for o in outcomes if o.kind == "window"]
    hindsight_out = next((o for o in outcomes if o.kind == "hindsight"), None)
    oos_dates = np.concatenate([sessions[w.oos_start : w.oos_end + 1] for w in plan.windows])
    stitched = _stitch(spec, plan, windows_out, oos_dates, sessions, universe)
    equity, trades, open_pos, seg_metrics, handover, market_panel, notes = stitched
    market = get_market(config.market)
    ppy = bars_per_year(oos_dates, market.trading_days_per_year)
    oos_metrics = _metrics_of(equity, oos_dates, trades, config, ppy, config.initial_capital, None)
    results = []
    for w, o, m in zip(plan.windows, windows_out, seg_metrics, strict=True):
        d = (day[w.is_start], day[w.is_end], day[w.oos_start], day[w.oos_end])
        oos_value = m.get(spec.objective) if m else None
        results.append(WindowResult(
            w, d, o.params, o.is_value, o.is_metrics, oos_value, m, o.trials_complete,
            o.trials_total, "completed" if o.params is not None else "no_trial", o.error,
            o.elapsed_s, _ratio(m.get("cagr"), o.is_metrics.get("cagr")),
            _ratio(m.get("sharpe"), o.is_metrics.get("sharpe")),
        ))  # fmt: skip
    chosen = [w for w in results if w.params is not None]
    eff = _ratio(oos_metrics.get("cagr"), _mean([w.is_metrics.get("cagr") for w in chosen]))
    eff_sr = _ratio(oos_metrics.get("sharpe"), _mean([w.is_metrics.get("sharpe") for w in chosen]))
    overfit = _oos_overfitting(equity, ppy, windows_out, results, eff_sr, spec.seed)
    hindsight = _hindsight(hindsight_out, config, spec) if hindsight_out else None
    if spec.carry_over:
        notes.append(
            f"carry-over: positions open at a segment's end stay open into the next segment and "
            f"are closed by its parameters' rules ({len(handover)} handed over)"
        )
    else:
        notes.append(
            "each out-of-sample segment starts flat with the equity the previous one ended with; "
            "positions still open at a segment's end are closed at the open of its last session"
        )
    return WalkForwardResult(
        spec, plan, results, oos_dates, equity, trades, open_pos, oos_metrics, eff, eff_sr,
        overfit, hindsight, handover, market_panel, market.currency, runner.name,
        time.perf_counter() - t0, [*plan.notes, *notes],
    )  # fmt: skip


# -- stitching ------------------------------------------------------------------------------------


def _stitch(
    spec: WalkForwardSpec,
    plan: Plan,
    outcomes: list[WindowOutcome],
    oos_dates: np.ndarray,
    sessions: np.ndarray,
    universe: Universe | None,
) -> tuple[Any, ...]:
    config = spec.config
    cls = get_strategy(config.strategy_name)
    symbols = tuple(resolve_symbols(config, universe)[0])
    for w, o in zip(plan.windows, outcomes, strict=True):
        if o.panel is not None:
            want = sessions[w.oos_start : w.oos_end + 1]
            got = o.panel.dates
            if got.shape != want.shape or not (got == want).all():
                raise DataError(
                    f"window {w.index}: its out-of-sample bars do not fall on the run's session "
                    f"grid ({len(got)} bars, {len(want)} sessions expected)",
                    field="symbols",
                )
            symbols = o.panel.symbols
    market = get_market(config.market)
    if spec.carry_over:
        return _simulate_carry(spec, plan, outcomes, oos_dates, universe, cls)
    n_accounts = len(symbols) if config.portfolio == "independent" else 1
    capital = config.initial_capital * n_accounts
    equities: list[np.ndarray] = []
    trades: list[pl.DataFrame] = []
    seg_metrics: list[dict[str, Any]] = []
    notes: list[str] = []
    ppy = bars_per_year(oos_dates, market.trading_days_per_year)
    for w, o in zip(plan.windows, outcomes, strict=True):
        if o.params is None or o.panel is None or o.signals is None:
            equities.append(np.full(w.oos_len, capital))
            seg_metrics.append({})
            notes.append(f"window {w.index}: nothing chosen in sample ({o.error}); in cash")
            continue
        params = {**config.params, **o.params}
        strategy = cls(**params)
        cfg = config.model_copy(update={"initial_capital": capital / n_accounts, "params": params})
        settings = _settings(cfg, len(symbols), strategy)
        res = simulate(o.panel, _flat_at_end(o.signals, config.fill), settings)
        eq = res.equity.sum(axis=1)
        offset = sum(len(e) for e in equities)  # bars are numbered on the stitched record
        tr = _label_window_end(res.trades, o.signals, o.panel.symbols, config.fill).with_columns(
            window=pl.lit(w.index, pl.Int64),
            entry_bar=pl.col("entry_bar") + offset,
            exit_bar=pl.col("exit_bar") + offset,
        )
        seg_metrics.append(_metrics_of(eq, o.panel.dates, res.trades, cfg, ppy, capital, o.panel))
        equities.append(eq)
        trades.append(tr)
        capital = float(eq[-1])
    equity = np.concatenate(equities)
    all_trades = pl.concat(trades, how="diagonal_relaxed") if trades else _no_trades()
    return equity, all_trades, pl.DataFrame(), seg_metrics, [], symbols, notes


def _simulate_carry(
    spec: WalkForwardSpec,
    plan: Plan,
    outcomes: list[WindowOutcome],
    oos_dates: np.ndarray,
    universe: Universe | None,
    cls: type[Strategy],
) -> tuple[Any, ...]:
    """One simulation over every segment, each with its own window's signals."""
    config = spec.config
    chosen = [o for o in outcomes if o.params is not None and o.signals is not None]
    if not chosen:
        raise ConfigError("no window chose parameters in sample", field="param_ranges")
    strategies = [cls(**{**config.params, **o.params}) for o in chosen]  # type: ignore[dict-item]
    span = config.model_copy(update={"start_date": _date(oos_dates[0]),
                                     "end_date": _date(oos_dates[-1])})  # fmt: skip
    panel, info = load_run_panel(span, strategies[0], universe)
    run_panel = _slice_panel(panel, info.first_index)
    if not (run_panel.dates.shape == oos_dates.shape and (run_panel.dates == oos_dates).all()):
        raise DataError("the out-of-sample span's bars do not match its windows", field="symbols")
    sigs = [o.signals for o in chosen]
    for name in ("max_hold", "stop_loss_abs", "take_profit_abs", "trail_abs"):
        values = {getattr(s, name) for s in sigs}
        if len(values) > 1:
            raise ConfigError(
                f"carry_over needs every window's signals to share {name}; the chosen "
                f"parameters give {sorted(values, key=str)}",
                field="carry_over",
            )
    rules = [s.risk_rules() for s in strategies]
    if any(r != rules[0] for r in rules):
        raise ConfigError(
            "carry_over needs every window's parameters to give the same risk rule",
            field="carry_over",
        )
    shape = (len(oos_dates), len(run_panel.symbols))
    arrays: dict[str, np.ndarray] = {}
    for name in ARRAY_FIELDS:
        if any(getattr(s, name) is not None for s in sigs):
            fill: Any = False if name in BOOL_FIELDS else np.nan
            arrays[name] = np.full(shape, fill, dtype=np.bool_ if name in BOOL_FIELDS else float)
    offset = 0
    for w, o in zip(plan.windows, outcomes, strict=True):
        if o.signals is not None and o.params is not None:
            for name, arr in arrays.items():
                part = getattr(o.signals, name)
                if part is not None:
                    arr[offset : offset + w.oos_len] = part
        offset += w.oos_len
    sig0 = sigs[0]
    signals = Signals(**arrays, stop_loss_abs=sig0.stop_loss_abs,
                      take_profit_abs=sig0.take_profit_abs, trail_abs=sig0.trail_abs,
                      max_hold=sig0.max_hold)  # fmt: skip
    settings = _settings(config, len(run_panel.symbols), strategies[0])
    res = simulate(run_panel, signals, settings)
    equity = res.equity.sum(axis=1)
    market = get_market(config.market)
    ppy = bars_per_year(oos_dates, market.trading_days_per_year)
    bounds = np.cumsum([0] + [w.oos_len for w in plan.windows])
    window_of = np.searchsorted(bounds, res.trades["exit_bar"].to_numpy(), side="right") - 1
    trades = res.trades.with_columns(window=pl.Series(window_of.astype(np.int64)))
    seg_metrics: list[dict[str, Any]] = []
    n_accounts = res.equity.shape[1]
    for k, o in enumerate(outcomes):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        start = float(equity[lo - 1]) if lo else config.initial_capital * n_accounts
        seg = trades.filter(pl.col("window") == k)
        seg_metrics.append(
            _metrics_of(equity[lo:hi], oos_dates[lo:hi], seg, config, ppy, start, None)
            if o.params is not None else {}
        )  # fmt: skip
    handover = _handover(plan, oos_dates, res.trades, res.open_positions, bounds)
    return equity, trades, res.open_positions, seg_metrics, handover, run_panel.symbols, []


def _handover(
    plan: Plan,
    dates: np.ndarray,
    trades: pl.DataFrame,
    open_positions: pl.DataFrame,
    bounds: np.ndarray,
) -> list[dict[str, Any]]:
    """The positions each segment inherits: held at the close before its first session."""
    out = []
    held = [
        (r["symbol"], r["direction"], r["entry_bar"], r["exit_bar"], r["qty"])
        for r in trades.select("symbol", "direction", "entry_bar", "exit_bar", "qty").to_dicts()
    ]
    entry_of_open = [
        (r["symbol"], r["direction"], r["entry_time"], r["qty"]) for r in open_positions.to_dicts()
    ]
    for k in range(1, len(plan.windows)):
        b = int(bounds[k])
        day = dates[b]
        for sym, side, entry, exit_, qty in held:
            if entry < b <= exit_:
                out.append({"window": k, "date": _date(day).isoformat(), "symbol": sym,
                            "direction": side, "qty": qty,
                            "entry_date": _date(dates[entry]).isoformat(),
                            "closed": _date(dates[exit_]).isoformat()})  # fmt: skip
        for sym, side, entry_time, qty in entry_of_open:
            if np.datetime64(entry_time, "ns") < day:
                out.append({"window": k, "date": _date(day).isoformat(), "symbol": sym,
                            "direction": side, "qty": qty,
                            "entry_date": _date(np.datetime64(entry_time, "ns")).isoformat(),
                            "closed": None})  # fmt: skip
    return out


def _settings(config: RunConfig, n_symbols: int, strategy: Strategy) -> Any:
    market = get_market(config.market)
    allow_short = strategy.direction != "long_only" and (
        market.overnight_short_allowed or config.costs.product == "intraday"
    )
    settings = engine_settings(config, n_symbols, allow_short, strategy)
    if strategy.exit_at == "close":
        settings = replace(settings, exits_at_close=True)
    return settings


def _flat_at_end(sig: Signals, fill: str) -> Signals:
    """Signals that leave the segment flat: from the row whose order fills on the segment's last
    session (its close with ``fill="close"``, else its open), exits everywhere and no entries."""
    n = sig.long_entry.shape[0]
    k = max(0, n - 1 if fill == "close" else n - 2)
    changes: dict[str, np.ndarray] = {}
    for name, value in (("long_exit", True), ("short_exit", True), ("long_entry", False),
                        ("short_entry", False)):  # fmt: skip
        arr = np.array(getattr(sig, name), dtype=np.bool_, copy=True)
        arr[k:] = value
        changes[name] = arr
    if sig.target_weight is not None:
        tw = sig.target_weight.copy()
        tw[k:] = 0.0
        changes["target_weight"] = tw
    return replace(sig, **changes)


def _label_window_end(
    trades: pl.DataFrame, sig: Signals, symbols: tuple[str, ...], fill: str
) -> pl.DataFrame:
    """``exit_reason = "window_end"`` on the trades the segment's end closed: an exit filled
    from the forced row (see ``_flat_at_end``) where the strategy's own signal had none."""
    if not trades.height:
        return trades
    n = sig.long_entry.shape[0]
    k = max(0, n - 1 if fill == "close" else n - 2)
    filled = k if fill == "close" else k + 1
    col = {s: j for j, s in enumerate(symbols)}
    own = [
        bool((sig.long_exit if side == "long" else sig.short_exit)[k, col[sym]])
        for sym, side in zip(trades["symbol"], trades["direction"], strict=True)
    ]
    forced = (trades["exit_bar"] == filled) & (trades["exit_reason"].cast(pl.Utf8) == "signal")
    forced = forced & ~pl.Series(own, dtype=pl.Boolean)
    return trades.with_columns(
        exit_reason=pl.when(forced).then(pl.lit("window_end"))
        .otherwise(pl.col("exit_reason").cast(pl.Utf8))
    )  # fmt: skip


def _metrics_of(
    equity: np.ndarray,
    dates: np.ndarray,
    trades: pl.DataFrame,
    config: RunConfig,
    ppy: int,
    initial: float,
    panel: Panel | None,
) -> dict[str, Any]:
    stats = TradeStats(
        pnl_net=trades["pnl_net"].to_numpy() if trades.height else np.zeros(0),
        return_pct=trades["return_pct"].to_numpy() if trades.height else np.zeros(0),
        bars_held=trades["bars_held"].to_numpy() if trades.height else np.zeros(0, np.int64),
        fees=trades["fees"].to_numpy() if trades.height else np.zeros(0),
    )
    return compute_metrics(
        equity, dates, trades=stats, exposure=None, benchmark=None, periods_per_year=ppy,
        risk_free_rate=config.risk_free_rate, initial_capital=initial,
    )  # fmt: skip


def _oos_overfitting(
    equity: np.ndarray,
    ppy: int,
    outcomes: list[WindowOutcome],
    windows: list[WindowResult],
    efficiency_sharpe: float | None,
    seed: int,
) -> dict[str, Any]:
    """The overfitting statistics of the stitched out-of-sample returns (docs/walkforward.md)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(equity[:-1] > 0, equity[1:] / equity[:-1] - 1.0, 0.0)
    sr, skew, kurt, n = _moments(r)
    trials = [o.trials_complete for o in outcomes if o.params is not None]
    n_trials = round(float(np.mean(trials))) if trials else 0
    var = float(np.mean([o.sr_variance for o in outcomes if o.params is not None] or [0.0]))
    psr = probabilistic_sharpe(sr, n, skew, kurt)
    dsr, sr0 = deflated_sharpe(sr, n, skew, kurt, n_trials, var) if n_trials > 1 else (psr, 0.0)
    chosen = [tuple(sorted(w.params.items())) for w in windows if w.params is not None]
    same = sum(a == b for a, b in itertools.pairwise(chosen))
    persistence = same / (len(chosen) - 1) if len(chosen) > 1 else None
    score, verdict = overfitting_score(None, dsr, None, efficiency_sharpe)
    boot = block_bootstrap(r, ppy, seed=seed)
    mtrl = min_track_record(sr, skew, kurt, sr0)
    words = [
        f"Out-of-sample Sharpe ratio {sr * math.sqrt(ppy):.2f} (annualised) over {n} sessions: "
        f"PSR {_fmt(psr)} that the true one is above 0.",
        f"Deflated against the best of {n_trials} in-sample trials per window (SR0 "
        f"{sr0 * math.sqrt(ppy):.2f} annualised): DSR {_fmt(dsr)}. The out-of-sample record was "
        "not itself selected, so this is a conservative bar.",
    ]
    if efficiency_sharpe is not None:
        words.append(
            f"Walk-forward efficiency (Sharpe) {efficiency_sharpe:.2f}: the out-of-sample Sharpe "
            "ratio as a fraction of the mean in-sample one."
        )
    if persistence is not None:
        words.append(
            f"The chosen parameters stayed the same from one window to the next "
            f"{same} of {len(chosen) - 1} times."
        )
    return {
        "psr": _num(psr),
        "dsr": _num(dsr),
        "sr0": _num(sr0),
        "sharpe": _num(sr * math.sqrt(ppy)),
        "n_obs": n,
        "n_trials": n_trials,
        "min_track_record": _num(mtrl),
        "parameter_persistence": _num(persistence),
        "degradation": _num(efficiency_sharpe),
        "score": _num(score),
        "verdict": verdict,
        "explanation": [f"Overfitting score {score:.2f} ({verdict}) from the DSR and the "
                        "Sharpe efficiency, scaled as in docs/overfitting.md.", *words]
        if math.isfinite(score) else words,
        "bootstrap": {k: {"estimate": _num(v.estimate), "low": _num(v.low), "high": _num(v.high)}
                      for k, v in boot.items()},
    }  # fmt: skip


def _hindsight(o: WindowOutcome, config: RunConfig, spec: WalkForwardSpec) -> dict[str, Any]:
    """The in-sample-optimised curve: the best parameters chosen with hindsight over the whole
    out-of-sample span, their equity over it."""
    if o.params is None or o.returns is None or o.dates is None:
        return {"params": None, "equity": [], "error": o.error}
    equity = config.initial_capital * np.cumprod(1.0 + o.returns)
    frame = pl.DataFrame({"date": pl.Series(o.dates).cast(pl.Date), "equity": equity})
    return {
        "params": o.params,
        "value": _num(o.is_value),
        "metrics": _clean(o.is_metrics),
        "trials": o.trials_complete,
        "equity": _records(frame),
    }


# -- small helpers --------------------------------------------------------------------------------


def _no_trades() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "symbol": pl.Utf8,
            "direction": pl.Utf8,
            "entry_bar": pl.Int64,
            "exit_bar": pl.Int64,
            "qty": pl.Float64,
            "pnl_net": pl.Float64,
            "return_pct": pl.Float64,
            "bars_held": pl.Int64,
            "fees": pl.Float64,
            "window": pl.Int64,
        }
    )


def _date(d: Any) -> dt.date:
    return np.datetime64(d, "D").astype(dt.date)  # type: ignore[no-any-return]


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _clean(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: (_num(v) if isinstance(v, float) else v) for k, v in metrics.items()}


def _ratio(num: Any, den: Any) -> float | None:
    """num / den where den is positive (an efficiency against a losing in-sample is undefined)."""
    a, b = _num(num), _num(den)
    if a is None or b is None or b <= 0:
        return None
    return a / b


def _mean(values: Sequence[Any]) -> float | None:
    v = [x for x in (_num(y) for y in values) if x is not None]
    return float(np.mean(v)) if v else None


def _fmt(v: float) -> str:
    return f"{v:.2f}" if math.isfinite(v) else "n/a"
