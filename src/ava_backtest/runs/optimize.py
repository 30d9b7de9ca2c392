"""Parameter studies: Optuna samplers over a strategy's own parameter schema, trials evaluated in
fixed ask/tell batches (so the sequence never depends on which worker finishes first), every trial
kept with all its metrics and its daily returns, and the overfitting panel of the result.

A batch is evaluated without reloading data: trials that load the same bars share one panel, their
indicator windows are computed once (``indicator_cache``), and on one symbol all of them are
simulated in one kernel call, each in its own account, which gives exactly what single runs give.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import math
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numba as nb
import numpy as np
import optuna
import polars as pl

from ava_backtest.analytics.metrics import (
    METRICS,
    account_returns,
    benchmark_window,
    compute_metrics_columns,
)
from ava_backtest.analytics.overfitting import Overfitting, assess
from ava_backtest.analytics.sweep import signal_columns, simulate_stacked, stack_signals, tile
from ava_backtest.analytics.trade_stats import trade_metrics_columns
from ava_backtest.data.universes import Universe
from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError, ParameterError
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineResult, EngineSettings, simulate
from ava_backtest.indicators.cache import indicator_cache
from ava_backtest.markets import get_market
from ava_backtest.runs.cluster import JobRunner, JobStopped, LocalRunner
from ava_backtest.runs.execute import (
    _slice_panel,
    _slice_signals,
    bars_per_year,
    engine_settings,
    load_run_panel,
    portfolio_metrics,
    resolve_symbols,
    run_cost_model,
    timed_for_engine,
    with_required_data,
)
from ava_backtest.runs.square_off import square_off
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.evaluate import compute_signals, offered_sweep_signals
from ava_backtest.strategies.params import Param
from ava_backtest.strategies.registry import get_strategy

Direction = Literal["maximize", "minimize"]
SamplerName = Literal["tpe", "random", "grid", "cmaes", "nsga2"]
SAMPLERS: tuple[str, ...] = ("tpe", "random", "grid", "cmaes", "nsga2")
optuna.logging.set_verbosity(optuna.logging.WARNING)
GRID_BATCH = 1024
"""Grid points evaluated per batch: about a second of work and a few hundred MB at most."""


@dataclass(frozen=True, slots=True)
class Range:
    """The values a study tries for one parameter: ``low..high`` (``step`` for a grid of numbers,
    ``log`` for a log scale) or a list of ``choices``."""

    name: str
    kind: str  # int, float, bool, choice
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] = ()
    log: bool = False

    def grid(self) -> list[Any]:
        if self.choices:
            return list(self.choices)
        assert self.low is not None and self.high is not None
        if self.kind == "int":
            return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        n = round((self.high - self.low) / self.step) + 1 if self.step else 11
        return [float(v) for v in np.linspace(self.low, self.high, n)]

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


def parse_range(text: str) -> tuple[str, dict[str, Any]]:
    """``fast_period=5:50`` (low:high), ``5:50:5`` (with a step) or ``a,b,c`` (choices)."""
    name, sep, spec = text.partition("=")
    if not sep or not name.strip() or not spec.strip():
        raise ParameterError(
            f"--param-range {text!r}: write name=low:high, name=low:high:step or name=a,b,c",
            field="param_ranges",
        )
    if ":" in spec:
        parts = spec.split(":")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            raise ParameterError(
                f"--param-range {text!r}: low, high and step must be numbers",
                field=f"param_ranges.{name.strip()}",
            ) from None
        out: dict[str, Any] = {"low": nums[0], "high": nums[1]}
        if len(nums) > 2:
            out["step"] = nums[2]
        return name.strip(), out
    return name.strip(), {"choices": [_scalar(v) for v in spec.split(",")]}


def _scalar(v: str) -> Any:
    v = v.strip()
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(v.lower(), v)


def search_space(
    cls: type[Strategy], ranges: dict[str, dict[str, Any]] | None, fixed: Sequence[str] = ()
) -> dict[str, Range]:
    """The study's space: each numeric, boolean or choice parameter of the strategy within its
    declared bounds, narrowed by ``ranges`` (``{name: {low, high, step, choices, log}}``). With
    ``ranges`` given, only those parameters vary; the others keep their value. A range outside the
    strategy's bounds, or naming an unknown parameter, is an error naming it."""
    given = ranges or {}
    unknown = sorted(set(given) - set(cls.parameters))
    if unknown:
        raise ParameterError(
            f"{cls.name!r} has no parameter {unknown[0]!r}; its parameters are: "
            f"{', '.join(cls.parameters)}",
            field=f"param_ranges.{unknown[0]}",
        )
    names = list(given) if given else [n for n in cls.parameters if n not in fixed]
    space = {}
    for name in names:
        p = cls.parameters[name]
        r = _range(name, p, given.get(name) or {})
        if r is not None:
            space[name] = r
    if not space:
        raise ParameterError(f"{cls.name!r} has no parameter to optimise", field="param_ranges")
    return space


def _range(name: str, p: Param[Any], want: dict[str, Any]) -> Range | None:
    where = f"param_ranges.{name}"
    if p.kind == "bool":
        return Range(name, "choice", choices=tuple(want.get("choices") or (False, True)))
    if p.kind in ("choice", "str"):
        choices = tuple(want.get("choices") or p.choices)
        for c in choices:
            p.validate(name, c)
        return Range(name, "choice", choices=choices) if choices else None
    if want.get("choices"):
        return Range(name, "choice", choices=tuple(p.validate(name, c) for c in want["choices"]))
    low = want.get("low", p.minimum)
    high = want.get("high", p.maximum)
    if low is None or high is None:
        raise ParameterError(f"{name} has no bounds; give low and high", field=where)
    for v, what in ((low, "low"), (high, "high")):
        if (p.minimum is not None and v < p.minimum) or (p.maximum is not None and v > p.maximum):
            raise ParameterError(
                f"{what} {v:g} is outside {name}'s bounds {p.minimum:g}..{p.maximum:g}",
                field=where,
            )
    if low > high:
        raise ParameterError(f"low {low:g} is above high {high:g}", field=where)
    step = want.get("step")
    if step is not None and step <= 0:
        raise ParameterError(f"step must be positive, got {step:g}", field=where)
    if p.kind == "int":
        return Range(name, "int", math.ceil(low), int(high), int(step) if step else None)
    return Range(name, "float", float(low), float(high), step, log=bool(want.get("log")))


@dataclass(slots=True)
class StudySpec:
    """A study, fully described: the base run, the space, the objective(s) and the sampler."""

    config: RunConfig
    space: dict[str, Range]
    objectives: list[tuple[str, Direction]] = field(
        default_factory=lambda: [("sharpe", "maximize")]
    )
    sampler: SamplerName = "tpe"
    n_trials: int = 100
    seed: int = 0
    min_trades: int = 1
    batch: int = 16
    holdout_start: dt.date | None = None
    grid_limit: int = 100_000
    blocks: int = 16

    def check(self) -> None:
        for metric, direction in self.objectives:
            if metric not in METRICS or METRICS[metric].unit == "flag":
                raise ConfigError(
                    f"unknown objective {metric!r}; any metric of docs/metrics.md, e.g. sharpe, "
                    "cagr, sortino, calmar, profit_factor",
                    field="objective",
                )
            if direction not in ("maximize", "minimize"):
                raise ConfigError("direction must be maximize or minimize", field="direction")
        if self.sampler not in SAMPLERS:
            raise ConfigError(f"sampler must be one of {', '.join(SAMPLERS)}", field="sampler")
        if len(self.objectives) > 1 and self.sampler not in ("nsga2", "random", "grid"):
            raise ConfigError(
                "several objectives need sampler nsga2, random or grid", field="sampler"
            )
        if self.sampler == "cmaes" and any(r.kind == "choice" for r in self.space.values()):
            raise ConfigError("cmaes searches numeric parameters only", field="sampler")
        if self.n_trials < 1:
            raise ConfigError("n_trials must be at least 1", field="n_trials")
        if self.sampler == "grid":
            size = math.prod(len(r.grid()) for r in self.space.values())
            if size > self.grid_limit:
                raise ConfigError(
                    f"the grid has {size:,} combinations, over the limit of {self.grid_limit:,}; "
                    "narrow the ranges or raise grid_limit",
                    field="param_ranges",
                )


@dataclass(slots=True)
class TrialRecord:
    number: int
    params: dict[str, Any]
    state: str  # complete, infeasible (the strategy refused the parameters), too_few_trades, failed
    values: list[float | None]
    metrics: dict[str, Any]
    duration_ms: float
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


@dataclass(slots=True)
class StudyResult:
    spec: StudySpec
    trials: list[TrialRecord]
    dates: np.ndarray
    returns: np.ndarray  # (periods, complete trials) daily returns, in ``matrix_trials`` order
    matrix_trials: list[int]
    best: TrialRecord | None
    pareto: list[int]
    overfitting: Overfitting | None
    holdout: dict[str, Any] | None
    elapsed_s: float

    def trials_frame(self) -> pl.DataFrame:
        rows = []
        for t in self.trials:
            row: dict[str, Any] = {"number": t.number, "state": t.state}
            row.update({f"param_{k}": v for k, v in t.params.items()})
            for (metric, _), v in zip(self.spec.objectives, t.values, strict=False):
                row[f"objective_{metric}"] = v
            row.update({k: v for k, v in t.metrics.items() if not isinstance(v, str)})
            rows.append(row)
        return pl.DataFrame(rows, infer_schema_length=None)

    def returns_frame(self) -> pl.DataFrame:
        cols: dict[str, Any] = {"date": pl.Series(self.dates).cast(pl.Datetime("ns"))}
        for j, n in enumerate(self.matrix_trials):
            cols[f"trial_{n}"] = self.returns[:, j]
        return pl.DataFrame(cols)

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "strategy_name": self.spec.config.strategy_name,
            "objectives": [{"metric": m, "direction": d} for m, d in self.spec.objectives],
            "sampler": self.spec.sampler,
            "seed": self.spec.seed,
            "space": {k: r.to_dict() for k, r in self.spec.space.items()},
            "best_params": best.params if best else None,
            "best_value": best.values[0] if best else None,
            "best_trial": best.number if best else None,
            "pareto_trials": self.pareto,
            "trials": [t.to_dict() for t in self.trials],
            "overfitting": self.overfitting.to_dict() if self.overfitting else None,
            "holdout": self.holdout,
            "elapsed_s": round(self.elapsed_s, 3),
        }


TrialCallback = Callable[[TrialRecord, int, int], None]


def make_sampler(spec: StudySpec) -> optuna.samplers.BaseSampler:
    seed = spec.seed
    if spec.sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, spec.n_trials))
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if spec.sampler == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    return optuna.samplers.NSGAIISampler(seed=seed)


def _suggest(trial: optuna.Trial, r: Range) -> Any:
    if r.kind == "choice":
        return trial.suggest_categorical(r.name, list(r.choices))
    if r.kind == "int":
        return trial.suggest_int(r.name, int(r.low), int(r.high), step=int(r.step or 1))  # type: ignore[arg-type]
    return trial.suggest_float(r.name, r.low, r.high, step=r.step, log=r.log)  # type: ignore[arg-type]


class _Evaluator:
    """Evaluates batches of parameter sets on the study's data, loaded once per warm-up."""

    def __init__(self, config: RunConfig, universe: Universe | None) -> None:
        self.config = config
        self.universe = universe
        self.cls = get_strategy(config.strategy_name)
        self.market = get_market(config.market)
        self.n_symbols = len(resolve_symbols(config, universe)[0])
        self._panels: dict[int, Any] = {}
        self._wide: dict[tuple[int, int], Panel] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Shipped to Dask workers: the loaded panels go, the tiled price blocks are rebuilt there.
        return {**self.__dict__, "_wide": {}}

    def _tiled(self, run_panel: Panel, n: int) -> Panel:
        """``run_panel`` as ``n`` columns with the kernel's price blocks copied once, reused by
        every side-by-side call of that width (a grid's chunks are mostly one width)."""
        key = (id(run_panel), n)
        wide = self._wide.get(key)
        if wide is None:
            if len(self._wide) >= 2:  # the full chunks' width and the remainder's, at most
                self._wide.pop(next(iter(self._wide)))
            wide = self._wide[key] = tile(run_panel, n, materialize=True)
        return wide

    def _panel(self, strategy: Strategy) -> Any:
        # Without a start date every trial loads from the first bar; with one, the warm-up decides
        # where loading begins, which can change recursive indicators' seeds: key by it.
        key = strategy.warmup() if self.config.start_date else 0
        if key not in self._panels:
            panel, info = load_run_panel(self.config, strategy, self.universe)
            bars = with_required_data(strategy, panel, self.config.market)
            self._panels[key] = (panel, info, bars, _slice_panel(panel, info.first_index))
        return self._panels[key]

    def preload(self, params: dict[str, Any]) -> None:
        """Load the panel the strategy with ``params`` needs (before the evaluator is shipped)."""
        with contextlib.suppress(ParameterError):  # the trials say which parameters are refused
            self._panel(self.cls(**params))

    def n_periods(self) -> int | None:
        """The bars of a trial's returns (every warm-up group runs over the same dates), once a
        panel is loaded; None before."""
        loaded = next(iter(self._panels.values()), None)
        return None if loaded is None else loaded[3].bars.n_bars

    def evaluate(
        self, params_list: list[dict[str, Any]], returns_into: np.ndarray | None = None
    ) -> list[tuple[dict[str, Any], np.ndarray] | str]:
        """Per parameter set: (metrics, daily returns) or the reason it did not run.

        ``returns_into`` (len(params_list) x periods): the rows the returns are written to, each
        set's returns then a view of its row (a grid fills its study's matrix in place, with no
        per-chunk copy to gather afterwards)."""
        out: list[tuple[dict[str, Any], np.ndarray] | str] = []
        groups: dict[int, list[tuple[int, Strategy]]] = {}
        strategies: list[Strategy | str] = []
        for params in params_list:
            try:
                strategies.append(self.cls(**{**self.config.params, **params}))
            except ParameterError as e:
                strategies.append(f"infeasible: {e.message}")
        results: dict[int, tuple[dict[str, Any], np.ndarray]] = {}
        for i, s in enumerate(strategies):
            if isinstance(s, Strategy):
                key = s.warmup() if self.config.start_date else 0
                groups.setdefault(key, []).append((i, s))
        for members in groups.values():
            results.update(self._run_group(members, returns_into))
        for i, s in enumerate(strategies):
            if isinstance(s, str):
                out.append(s)
                continue
            metrics, returns = results[i]
            if returns_into is not None and not np.shares_memory(returns, returns_into[i]):
                returns_into[i] = returns  # the trials run one by one
                returns = returns_into[i]
            out.append((metrics, returns))
        return out

    def _run_group(
        self, members: list[tuple[int, Strategy]], returns_into: np.ndarray | None = None
    ) -> dict[int, tuple[dict[str, Any], np.ndarray]]:
        _, info, bars, run_panel = self._panel(members[0][1])
        strategy0 = members[0][1]
        allow_short = strategy0.direction != "long_only" and (
            self.market.overnight_short_allowed or self.config.costs.product == "intraday"
        )
        # A strategy may carry its own risk rule (a drawdown breaker) and sizing, set by its
        # parameters: the only ways a trial's settings differ, so trials that declare the same
        # share one settings object (built once, not once per trial).
        rules = [s.risk_rules() for _, s in members]
        built: dict[str, EngineSettings] = {}
        settings_of = []
        at_close = strategy0.exit_at == "close"
        for (_, s), rule in zip(members, rules, strict=True):
            key = repr((rule, s.default_sizing()))
            if key not in built:
                st = engine_settings(self.config, self.n_symbols, allow_short, s)
                built[key] = replace(st, exits_at_close=True) if at_close else st
            settings_of.append(built[key])
        settings = settings_of[0]
        # ... and its own sizing (a sizing-overlay strategy's options are parameters too).
        same_sizing = all(_sizing_key(st) == _sizing_key(settings) for st in built.values())
        shared = self.n_symbols == 1 and all(r == rules[0] for r in rules) and same_sizing
        strategies = [s for _, s in members]

        def for_engine(sig: Signals) -> Signals:  # column by column: a stack or one trial alike
            timed = square_off(self.config, strategy0, timed_for_engine(strategy0, sig), bars.dates)
            return _slice_signals(timed, info.first_index)

        with indicator_cache():
            # A class that computes a grid's signals at once (``sweep_signals``) skips the
            # per-trial calls; the others give each trial's signals, stacked where they can share.
            offered = offered_sweep_signals(strategies, bars) if shared else None
            parts = [] if offered is not None else [
                for_engine(compute_signals(s, bars)) for s in strategies
            ]  # fmt: skip
        if offered is not None or (shared and len({p.max_hold for p in parts}) == 1):
            stacked = (
                for_engine(offered)
                if offered is not None
                else stack_signals(parts, run_panel.bars.n_bars)
            )
            labels = tuple(str(i) for i, _ in members)
            first, stop = members[0][0], members[-1][0] + 1
            rows = (
                returns_into[first:stop]
                if returns_into is not None and stop - first == len(members)
                else None
            )
            # The accounts are independent: their column blocks simulate at once in threads (the
            # kernel runs without the GIL), each block measured as it would be in one call.
            blocks = _column_blocks(len(members))
            # the tiled price blocks made here, before the threads share them (read-only)
            wide = {hi - lo: self._tiled(run_panel, hi - lo) for lo, hi in blocks}

            def block(bounds: tuple[int, int]) -> EngineResult:
                lo, hi = bounds
                return simulate_stacked(
                    run_panel, signal_columns(stacked, lo, hi), settings, labels[lo:hi],
                    wide=wide[hi - lo],
                )  # fmt: skip

            if len(blocks) == 1:
                results = [block(blocks[0])]
            else:
                with ThreadPoolExecutor(len(blocks)) as pool:
                    results = list(pool.map(block, blocks))
            measured = []
            for (lo, hi), res in zip(blocks, results, strict=True):
                into = rows[lo:hi] if rows is not None else None
                measured.extend(measure_accounts(res, run_panel, self.config, into))
            return {i: measured[j] for j, (i, _) in enumerate(members)}
        out = {}
        for (i, _), sig, own in zip(members, parts, settings_of, strict=True):
            res = simulate(run_panel, sig, own)
            out[i] = self._measure(res, res.trades, run_panel, None)
        return out

    def _measure(
        self, res: Any, trades: pl.DataFrame, run_panel: Any, accounts: list[int] | None
    ) -> tuple[dict[str, Any], np.ndarray]:
        metrics, equity, *_ = portfolio_metrics(res, trades, run_panel, self.config, accounts)
        return metrics, account_returns(equity[:, None])[0]


Evaluation = tuple[dict[str, Any], np.ndarray] | str

THREAD_BLOCK = 256
"""Fewest accounts worth a thread of their own in a side-by-side simulation."""


def _column_blocks(n: int) -> list[tuple[int, int]]:
    """``(lo, hi)`` bounds of the column blocks ``n`` side-by-side accounts simulate in: one per
    numba thread (one in a pool worker, which runs on one), none under ``THREAD_BLOCK``."""
    k = max(1, min(nb.get_num_threads(), n // THREAD_BLOCK))
    size = math.ceil(n / k)
    return [(lo, min(n, lo + size)) for lo in range(0, n, size)]


def evaluate_chunk(
    params_list: list[dict[str, Any]], evaluator: _Evaluator
) -> tuple[list[Evaluation], float]:
    """A job runner's task: one chunk of parameter sets on the (shared) evaluator, with the
    milliseconds it took. Runs where the runner puts it: here, or on a Dask worker that holds
    the evaluator (and its loaded panel) once for the whole study."""
    return _evaluate_timed(evaluator, params_list, None)


def _evaluate_in_place(
    chunk: tuple[list[dict[str, Any]], np.ndarray], evaluator: _Evaluator
) -> tuple[list[Evaluation], float]:
    """``evaluate_chunk`` in this process, the returns written into the chunk's rows of the
    study's matrix."""
    return _evaluate_timed(evaluator, *chunk)


def _evaluate_timed(
    evaluator: _Evaluator, params_list: list[dict[str, Any]], rows: np.ndarray | None
) -> tuple[list[Evaluation], float]:
    t = time.perf_counter()
    out = evaluator.evaluate(params_list, rows)
    return out, (time.perf_counter() - t) * 1000


def _chunks(n: int, count: int, largest: int) -> list[tuple[int, int]]:
    """``(lo, hi)`` bounds of ``count`` chunks of ``n`` items (each one side-by-side kernel
    call), more where a chunk would exceed ``largest``. Fixed by the arguments alone."""
    if n == 0:
        return []
    k = max(1, count, math.ceil(n / largest))
    size = math.ceil(n / k)
    return [(lo, min(n, lo + size)) for lo in range(0, n, size)]


def _evaluate_on(
    runner: JobRunner,
    evaluator: _Evaluator,
    params: list[dict[str, Any]],
    should_stop: Callable[[], bool] | None = None,
) -> tuple[list[Evaluation], list[float]]:
    """Every parameter set of a batch evaluated through ``runner``, results in batch order, and
    the per-trial milliseconds of the chunk each was in."""
    if isinstance(runner, LocalRunner):  # as before there were runners: one call, one chunk
        out, ms = evaluate_chunk(params, evaluator)
        return out, [ms / max(1, len(params))] * len(params)
    bounds = _chunks(len(params), runner.slots, GRID_BATCH)
    parts = runner.map(
        evaluate_chunk, [params[lo:hi] for lo, hi in bounds], evaluator, should_stop=should_stop
    )
    results: list[Evaluation] = []
    per_ms: list[float] = []
    for (lo, hi), (out, ms) in zip(bounds, parts, strict=True):
        results.extend(out)
        per_ms.extend([ms / (hi - lo)] * (hi - lo))
    return results, per_ms


def _sizing_key(settings: EngineSettings) -> tuple[Any, ...]:
    """What decides an entry's size: trials that differ in it cannot share one kernel call."""
    return (
        settings.sizing_mode,
        settings.sizing_value,
        settings.kelly,
        settings.monte_carlo,
        settings.risk_parity,
    )


def measure_accounts(
    res: EngineResult, run_panel: Panel, config: RunConfig, returns_into: np.ndarray | None = None
) -> list[tuple[dict[str, Any], np.ndarray]]:
    """(metrics, daily returns) of each account of a side-by-side run: what ``portfolio_metrics``
    gives for each account alone, value for value, measured for all of them at once. The returns
    are one contiguous row per account, written into ``returns_into`` when given."""
    market = get_market(config.market)
    equity = res.equity
    exposure = _gross_over_equity(res.exposure, equity)
    rets = account_returns(equity, returns_into)
    tr = res.trades
    n = equity.shape[1]
    trades = trade_metrics_columns(
        tr["account"].to_numpy(), tr["pnl_net"].to_numpy(), tr["return_pct"].to_numpy(),
        tr["bars_held"].to_numpy(), tr["fees"].to_numpy(), n,
    )  # fmt: skip
    bench = run_panel.benchmark
    metrics = compute_metrics_columns(
        equity,
        run_panel.dates,
        trades=trades,
        exposure=exposure,
        benchmark=bench,
        periods_per_year=bars_per_year(run_panel.dates, market.trading_days_per_year),
        risk_free_rate=config.risk_free_rate,
        initial_capital=config.initial_capital,
        ruined=res.ruined_at >= 0 if res.ruined_at.size else np.zeros(n, dtype=np.bool_),
    )
    window = benchmark_window(bench, run_panel.dates)
    return [({**m, **window}, rets[j]) for j, m in enumerate(metrics)]


@nb.njit(cache=True)
def _gross_over_equity(gross: np.ndarray, equity: np.ndarray) -> np.ndarray:
    """Exposure per bar and account: 0 where nothing is held, gross / equity where equity is
    positive, NaN where it is not (one pass, no 20 MB temporaries per 1,000 accounts)."""
    out = np.empty(gross.shape)
    for i in range(gross.shape[0]):
        for j in range(gross.shape[1]):
            g = gross[i, j]
            e = equity[i, j]
            if g == 0.0:
                out[i, j] = 0.0
            elif e > 0.0:
                out[i, j] = g / e
            else:
                out[i, j] = np.nan
    return out


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a grid builds its trials (tens of thousands of
    metric dicts, none in a reference cycle; each full pass walks every object of the process,
    about a tenth of a 10,000-point grid's time); on again after, also after an error. Where it
    was off already (an outer pause), it stays off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_study(
    spec: StudySpec,
    *,
    storage: str | None = None,
    study_name: str | None = None,
    universe: Universe | None = None,
    on_trial: TrialCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    done: Sequence[TrialRecord] = (),
    runner: JobRunner | None = None,
) -> StudyResult:
    """Run (or resume) the study of ``spec``.

    Batches are evaluated through ``runner`` (``runs.cluster``; default here, in this process):
    on Dask each batch is split in chunks run side by side on the workers, which hold the
    evaluator (and its loaded bars) once for the whole study. The batches themselves are fixed
    (a grid's points, a sampler's ask/tell batches), so a study gives the same trials and best
    wherever it runs.

    Sampled studies (tpe, random, cmaes, nsga2) keep their state in Optuna's ``storage`` under
    ``study_name``: the same name resumes, and several processes may work on one study. A grid
    needs no sampler: its points are evaluated in order, without Optuna, and ``done`` (the trials
    already stored) are not run again."""
    t0 = time.perf_counter()
    spec.check()
    run_cost_model(spec.config)
    config = spec.config
    if spec.holdout_start is not None:
        # Optimise on the data before the hold-out only; the hold-out judges the winner.
        if config.start_date and spec.holdout_start <= config.start_date:
            raise ConfigError("holdout_start must be after start_date", field="holdout_start")
        if config.end_date and spec.holdout_start > config.end_date:
            raise ConfigError("holdout_start must be before end_date", field="holdout_start")
        config = config.model_copy(update={"end_date": spec.holdout_start - dt.timedelta(days=1)})
    evaluator = _Evaluator(config, universe)
    runner = runner or LocalRunner()
    if not isinstance(runner, LocalRunner):
        # Load the default parameters' bars here, so they travel with the evaluator: workers
        # need no data store of their own for them.
        evaluator.preload(spec.config.params)
    if spec.sampler == "grid":
        with collector_paused():
            return _run_grid(spec, evaluator, runner, on_trial, should_stop, done, t0)
    directions = [d for _, d in spec.objectives]
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        sampler=make_sampler(spec),
        directions=directions,
        load_if_exists=study_name is not None,
    )
    series: dict[int, np.ndarray] = {}
    total = spec.n_trials
    while not (should_stop and should_stop()):
        # Counted in the storage, so several processes on one study stop at ``total`` together.
        started = len(study.get_trials(deepcopy=False))
        n = min(spec.batch, total - started)
        if n <= 0:
            break
        asked = [study.ask() for _ in range(n)]
        surplus = [t for t in asked if t.number >= total]  # another process took those numbers
        for t in surplus:
            t.set_user_attr("ava_state", "surplus")
            study.tell(t, state=optuna.trial.TrialState.FAIL)
        asked = [t for t in asked if t.number < total]
        if not asked:
            break
        params = [{r.name: _suggest(t, r) for r in spec.space.values()} for t in asked]
        results, per_ms = _evaluate_on(runner, evaluator, params)
        for trial, p, res, ms in zip(asked, params, results, per_ms, strict=True):
            rec = _tell(study, trial, p, res, spec, ms)
            if not isinstance(res, str):
                series[trial.number] = res[1]
            if on_trial:
                on_trial(rec, trial.number + 1, total)
    records = {
        t.number: _record_from(t, len(spec.objectives))
        for t in study.get_trials(deepcopy=False)
        if t.state.is_finished() and t.user_attrs.get("ava_state") != "surplus"
    }
    trials = [records[k] for k in sorted(records)]
    return _finish(spec, evaluator, study, trials, series, time.perf_counter() - t0)


def _run_grid(
    spec: StudySpec,
    evaluator: _Evaluator,
    runner: JobRunner,
    on_trial: TrialCallback | None,
    should_stop: Callable[[], bool] | None,
    done: Sequence[TrialRecord],
    t0: float,
) -> StudyResult:
    points = all_combinations(spec.space)[: spec.n_trials]
    records = {t.number: t for t in done}
    series: dict[int, np.ndarray] = {}
    todo = [i for i in range(len(points)) if i not in records]
    # A grid's points are fixed in advance: no sampler waits on results, so they run in large
    # side-by-side batches (one kernel call and one metrics pass each), not the sampler's batch;
    # on a cluster, in enough chunks to keep every worker busy.
    step = max(spec.batch, GRID_BATCH)
    if isinstance(runner, LocalRunner):
        bounds = [(lo, min(len(todo), lo + step)) for lo in range(0, len(todo), step)]
    else:  # several chunks per worker: the work stays balanced and progress keeps streaming
        bounds = _chunks(len(todo), 4 * runner.slots, step)
    chunks = [[points[i] for i in todo[lo:hi]] for lo, hi in bounds]
    task: Callable[[Any, _Evaluator], tuple[list[Evaluation], float]] = evaluate_chunk
    items: list[Any] = chunks
    rows = None
    if isinstance(runner, LocalRunner) and todo:
        # Here, the chunks write their returns straight into the study's matrix: no chunk
        # blocks to keep and copy row by row at the end (200 MB each way for 10,000 trials).
        for first in ({}, points[todo[0]]):  # the defaults, or the first point, load the bars
            evaluator.preload({**spec.config.params, **first})
        periods = evaluator.n_periods()
        if periods is not None:
            rows = np.empty((len(todo), periods))
            task = _evaluate_in_place
            items = [(c, rows[lo:hi]) for c, (lo, hi) in zip(chunks, bounds, strict=True)]

    def take(k: int, part: tuple[list[Evaluation], float]) -> None:
        results, ms = part
        numbers = todo[bounds[k][0] : bounds[k][1]]
        for i, res in zip(numbers, results, strict=True):
            rec = _record(i, points[i], res, spec, ms / len(numbers))
            records[i] = rec
            if not isinstance(res, str):
                series[i] = res[1]
            if on_trial:
                on_trial(rec, len(records), len(points))

    with contextlib.suppress(
        JobStopped
    ):  # the chunks that finished are kept; a resume runs the rest
        runner.map(task, items, evaluator, on_result=take, should_stop=should_stop)
    trials = [records[k] for k in sorted(records)]
    in_place = rows if not done else None  # row k is trial k
    return _finish(spec, evaluator, None, trials, series, time.perf_counter() - t0, in_place)


def _record(
    number: int,
    params: dict[str, Any],
    res: tuple[dict[str, Any], np.ndarray] | str,
    spec: StudySpec,
    ms: float,
) -> TrialRecord:
    """A trial's record from its evaluation: complete, infeasible, too few trades or failed."""
    n = len(spec.objectives)
    if isinstance(res, str):
        return TrialRecord(number, params, "infeasible", [None] * n, {}, ms, res)
    metrics = res[0]
    values = [metrics.get(m) for m, _ in spec.objectives]
    trades = metrics.get("trade_count") or 0
    if trades < spec.min_trades:
        why = f"{trades} trades, fewer than min_trades {spec.min_trades}"
        return TrialRecord(number, params, "too_few_trades", values, metrics, ms, why)
    if any(v is None for v in values):
        return TrialRecord(number, params, "failed", values, metrics, ms, "objective undefined")
    return TrialRecord(number, params, "complete", values, metrics, ms)


def _tell(
    study: optuna.Study,
    trial: optuna.Trial,
    params: dict[str, Any],
    res: tuple[dict[str, Any], np.ndarray] | str,
    spec: StudySpec,
    ms: float,
) -> TrialRecord:
    rec = _record(trial.number, params, res, spec, ms)
    trial.set_user_attr("ava_ms", round(ms, 3))
    trial.set_user_attr("ava_state", rec.state)
    if rec.metrics:
        trial.set_user_attr("ava_metrics", rec.metrics)
    if rec.state != "complete":
        trial.set_user_attr("ava_error", rec.error)
        trial.set_user_attr("ava_values", rec.values)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
    else:
        study.tell(trial, [float(v) for v in rec.values])  # type: ignore[arg-type]
    return rec


def _record_from(t: optuna.trial.FrozenTrial, n_objectives: int) -> TrialRecord:
    state = t.user_attrs.get("ava_state", "complete" if t.values else "failed")
    metrics = t.user_attrs.get("ava_metrics", {})
    values = list(t.values) if t.values else t.user_attrs.get("ava_values", [None] * n_objectives)
    return TrialRecord(
        t.number, dict(t.params), state, values, metrics, t.user_attrs.get("ava_ms", 0.0),
        t.user_attrs.get("ava_error", ""),
    )  # fmt: skip


def _finish(
    spec: StudySpec,
    evaluator: _Evaluator,
    study: optuna.Study | None,
    trials: list[TrialRecord],
    series: dict[int, np.ndarray],
    elapsed: float,
    rows: np.ndarray | None = None,
) -> StudyResult:
    """The study's result from its trials and their returns (``series``; with ``rows``, a grid's
    trials x periods matrix whose row k holds trial k's returns, compacted here in place)."""
    complete = [t for t in trials if t.state == "complete"]
    missing = [t for t in complete if t.number not in series]
    if missing:  # resumed trials: their returns are recomputed (same data, same numbers)
        for t, res in zip(missing, evaluator.evaluate([t.params for t in missing]), strict=True):
            if not isinstance(res, str):
                series[t.number] = res[1]
    numbers = [t.number for t in complete if t.number in series]
    panel = next(iter(evaluator._panels.values()), None)
    dates = panel[3].dates if panel is not None else np.zeros(0, "datetime64[ns]")
    # Stacked as trials x periods (contiguous row copies) and used transposed: periods x trials.
    # Filled row by row: np.stack of 10,000 rows costs several times the copy itself.
    if numbers and rows is not None and not missing:
        for k, n in enumerate(numbers):  # numbers ascend, n >= k: no row is overwritten unread
            if n != k:
                rows[k] = rows[n]
        matrix = rows[: len(numbers)].T
    elif numbers:
        gathered = np.empty((len(numbers), len(series[numbers[0]])))
        for k, n in enumerate(numbers):
            gathered[k] = series[n]
        matrix = gathered.T
    else:
        matrix = np.zeros((len(dates), 0))
    best, pareto = _best(spec, complete)
    overfitting = None
    holdout = None
    if best is not None:
        if spec.holdout_start is not None:
            holdout = _holdout(spec, evaluator.universe, best)
        bounds = {k: (r.low, r.high) for k, r in spec.space.items() if r.kind != "choice"}
        values = [t.values[0] for t in complete if t.number in series]
        overfitting = assess(
            matrix,
            numbers.index(best.number),
            [t.params for t in complete if t.number in series],
            [v if spec.objectives[0][1] == "maximize" else -v for v in values],  # type: ignore[operator]
            bounds,  # type: ignore[arg-type]
            bars_per_year(dates, evaluator.market.trading_days_per_year),
            blocks=spec.blocks,
            seed=spec.seed,
            degradation=holdout["degradation"] if holdout else None,
            radius=_neighbourhood(spec.space),
        )
    return StudyResult(
        spec, trials, dates, matrix, numbers, best, pareto, overfitting, holdout, elapsed
    )


def _neighbourhood(space: dict[str, Range]) -> float:
    """10% of each range, or one grid step where the steps are coarser (a grid point's neighbours
    are the points next to it)."""
    steps = [
        r.step / (r.high - r.low)
        for r in space.values()
        if r.step and r.low is not None and r.high is not None and r.high > r.low
    ]
    return max([0.1, *steps]) * (1 + 1e-9)


def _best(spec: StudySpec, complete: list[TrialRecord]) -> tuple[TrialRecord | None, list[int]]:
    if not complete:
        return None, []
    signs = [1.0 if d == "maximize" else -1.0 for _, d in spec.objectives]
    scored = [
        (tuple(s * float(v) for s, v in zip(signs, t.values, strict=True)), t) for t in complete
    ]  # type: ignore[arg-type]
    # Ties go to the earliest trial, so the best is the same whatever the batch size.
    best = max(scored, key=lambda x: (x[0][0], -x[1].number))[1]
    # On the front: no other trial at least as good in every objective and better in one.
    v = np.array([x[0] for x in scored], dtype=np.float64)
    if v.shape[1] == 1:  # one objective: the front is the trials at the best value
        front = v[:, 0] == v[:, 0].max()
    else:
        front = np.ones(len(scored), dtype=np.bool_)
        for lo in range(0, len(scored), 512):  # (512 x trials) comparisons at a time
            part = v[lo : lo + 512, None, :]
            worse = np.all(v[None] >= part, axis=2) & np.any(v[None] > part, axis=2)
            front[lo : lo + 512] = ~worse.any(axis=1)
    return best, sorted(t.number for (_, t), on in zip(scored, front, strict=True) if on)


def _holdout(spec: StudySpec, universe: Universe | None, best: TrialRecord) -> dict[str, Any]:
    """The best in-sample parameters run out of sample, from ``holdout_start`` on."""
    from ava_backtest.runs.execute import run_backtest

    cfg = spec.config.model_copy(
        update={"start_date": spec.holdout_start, "end_date": spec.config.end_date,
                "params": {**spec.config.params, **best.params}}
    )  # fmt: skip
    oos = run_backtest(cfg, universe=universe).metrics
    metric = spec.objectives[0][0]
    ins, out = best.values[0], oos.get(metric)
    ratio = None
    if ins not in (None, 0) and out is not None:
        ratio = float(out) / float(ins)  # type: ignore[arg-type]
    return {"start": spec.holdout_start.isoformat(), "metric": metric, "in_sample": ins,  # type: ignore[union-attr]
            "out_of_sample": out, "degradation": ratio, "metrics": oos}  # fmt: skip


def grid_size(space: dict[str, Range]) -> int:
    return math.prod(len(r.grid()) for r in space.values())


def all_combinations(space: dict[str, Range]) -> list[dict[str, Any]]:
    names = list(space)
    return [
        dict(zip(names, vals, strict=True))
        for vals in itertools.product(*(space[n].grid() for n in names))
    ]
