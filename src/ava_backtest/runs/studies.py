"""The optimisation service: studies validated, stored, run in the worker pool, resumed.

A study is the backtest lifecycle (``runs.service``) applied to ``runs.optimize.run_study``:

- :class:`OptimizationRequest` is the one field table of a study (a :class:`RunConfig` plus the
  space, objectives and sampler), for the API, the CLI and Python alike;
- :func:`spec_from_request` turns it into a checked :class:`StudySpec` (strategy, ranges within
  the strategy's bounds, objectives among the metrics, trial count, grid size, hold-out dates) or
  raises the domain error naming the field;
- :func:`study_job` runs in a worker process: it stores every trial as its batch completes and
  sends one ``progress`` event per trial carrying the trial record; a cancel is honoured between
  batches; the trials' daily returns go to one Parquet file per study (``store.studies``);
- sampled studies keep Optuna's state in the same database (``study_name`` = the Ava id), so a
  cancelled or interrupted study resumes where it stopped, and :func:`join_study` lets more
  worker processes (on any host that reaches the database) work on one study;
- :class:`StudyService` (API process) owns studies like :class:`RunService` owns runs: the same
  ``run_owners`` row and heartbeat, cancels sent to a peer through the database, studies of gone
  processes recorded ``interrupted``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

import ava_backtest
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs import events as ev
from ava_backtest.runs.cluster import JobRunner, job_runner
from ava_backtest.runs.executor import Cancelled, RunExecutor
from ava_backtest.runs.optimize import (
    SAMPLERS,
    StudyResult,
    StudySpec,
    TrialRecord,
    grid_size,
    run_study,
    search_space,
)

if TYPE_CHECKING:
    import optuna

    from ava_backtest.data.universes import Universe
    from ava_backtest.runs.service import RunService
    from ava_backtest.store.studies import StudyStore

log = logging.getLogger("ava.runs.studies")

GRID_LIMIT = 100_000
"""Default largest grid (combinations) a study may ask for; ``AVA_GRID_LIMIT`` changes it."""
INTERRUPTED = "the server stopped while this study was queued or running"
HELPER_WAIT_SECONDS = 600.0
"""How long the owner waits for trials other processes are still running before it finishes."""


# ------------------------------------------------------------------------------------ request


class RangeIn(BaseModel):
    """The values one parameter takes: ``low``..``high`` (``step`` for a grid, ``log`` scale),
    or a list of ``choices``. Omitted bounds are the strategy's own."""

    model_config = ConfigDict(extra="forbid")

    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
    step: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    choices: list[float | int | str | bool] | None = Field(default=None, min_length=1)
    log: bool = False

    def as_dict(self) -> dict[str, Any]:
        out = self.model_dump(exclude_none=True)
        if not out.get("log"):
            out.pop("log", None)
        return out


class ObjectiveIn(BaseModel):
    """A metric of docs/metrics.md and whether to maximise or minimise it."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(min_length=1, max_length=64)
    direction: Literal["maximize", "minimize"] = "maximize"

    @field_validator("metric")
    @classmethod
    def _known(cls, v: str) -> str:
        from ava_backtest.analytics.metrics import METRICS

        if v not in METRICS or METRICS[v].unit == "flag":
            raise ValueError(
                f"unknown objective {v!r}; any metric of docs/metrics.md, e.g. sharpe, cagr, "
                "sortino, calmar, profit_factor, max_drawdown"
            )
        return v


class OptimizationRequest(RunConfig):
    """A study: the base run (every :class:`RunConfig` field; ``params`` are the fixed ones),
    the space, the objective(s), the sampler and its budget."""

    param_ranges: dict[str, RangeIn] | None = Field(
        default=None,
        description="{name: {low, high, step, choices, log}}; only these parameters vary. "
        "Omitted: every numeric, boolean and choice parameter not fixed in params, within the "
        "strategy's own bounds.",
    )
    objectives: list[ObjectiveIn] = Field(
        default_factory=lambda: [ObjectiveIn(metric="sharpe")], min_length=1, max_length=4
    )
    sampler: Literal["tpe", "random", "grid", "cmaes", "nsga2"] = "tpe"
    n_trials: int | None = Field(
        default=None, ge=1, le=1_000_000, description="default 100; for a grid, all its points"
    )
    min_trades: int = Field(default=1, ge=0, le=1_000_000)
    batch: int = Field(default=16, ge=1, le=4096, description="trials asked and told together")
    holdout_start: dt.date | None = Field(
        default=None, description="optimise before this date; run the best from it (hold-out)"
    )
    blocks: int = Field(default=16, ge=2, le=32, description="CSCV blocks S for PBO (even)")

    @field_validator("blocks")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError(f"blocks must be even, got {v}")
        return v

    @field_validator("holdout_start")
    @classmethod
    def _holdout_inside(cls, h: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start, end = info.data.get("start_date"), info.data.get("end_date")
        if h is not None and start is not None and h <= start:
            raise ValueError("holdout_start must be after start_date")
        if h is not None and end is not None and h > end:
            raise ValueError("holdout_start must be on or before end_date")
        return h

    def run_config(self) -> RunConfig:
        """The base run: the request without the study's own fields."""
        return RunConfig.model_validate(
            self.model_dump(include=set(RunConfig.model_fields), exclude_unset=False)
        )


def spec_from_request(req: OptimizationRequest, grid_limit: int = GRID_LIMIT) -> StudySpec:
    """The checked study of ``req``; a domain error names the bad field."""
    from ava_backtest.strategies.registry import get_strategy

    cls = get_strategy(req.strategy_name)
    ranges = {k: v.as_dict() for k, v in (req.param_ranges or {}).items()}
    space = search_space(cls, ranges or None, fixed=list(req.params))
    n_trials = req.n_trials
    if n_trials is None:
        n_trials = grid_size(space) if req.sampler == "grid" else 100
    spec = StudySpec(
        req.run_config(),
        space,
        objectives=[(o.metric, o.direction) for o in req.objectives],
        sampler=req.sampler,
        n_trials=n_trials,
        seed=req.seed,
        min_trades=req.min_trades,
        batch=req.batch,
        holdout_start=req.holdout_start,
        grid_limit=grid_limit,
        blocks=req.blocks,
    )
    spec.check()
    return spec


def validate_request(
    req: OptimizationRequest, universe: Universe | None, grid_limit: int = GRID_LIMIT
) -> StudySpec:
    """Everything knowable before running: the study itself and its base run against the data
    (symbols, dates, costs, the strategy's data needs)."""
    from ava_backtest.runs.execute import validate_run

    spec = spec_from_request(req, grid_limit)
    validate_run(spec.config, universe)
    return spec


def param_importance(
    stored_request: dict[str, Any], trials: list[dict[str, Any]], objective: int = 0
) -> dict[str, float]:
    """How much each parameter explains the objective across the complete trials (Optuna's
    PED-ANOVA: the parameter's distribution among the top trials against all of them), summing
    to 1, largest first. Grids and sampled studies alike; needs two complete trials."""
    import optuna
    from optuna.distributions import (
        BaseDistribution,
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )
    from optuna.trial import create_trial

    body = {k: v for k, v in stored_request.items() if k != "grid_limit"}
    spec = spec_from_request(OptimizationRequest.model_validate(body), GRID_LIMIT * 1000)
    if not 0 <= objective < len(spec.objectives):
        raise ConfigError(
            f"objective must be 0..{len(spec.objectives) - 1} (the study's objectives)",
            field="objective",
        )
    dists: dict[str, BaseDistribution] = {}
    for name, r in spec.space.items():
        if r.kind == "choice":
            dists[name] = CategoricalDistribution(list(r.choices))
        elif r.kind == "int":
            dists[name] = IntDistribution(int(r.low), int(r.high), step=int(r.step or 1))  # type: ignore[arg-type]
        else:
            step = None if r.log else r.step
            dists[name] = FloatDistribution(r.low, r.high, step=step, log=r.log)  # type: ignore[arg-type]
    direction = spec.objectives[objective][1]
    study = optuna.create_study(direction=direction)
    for t in trials:
        value = t["values"][objective] if len(t["values"]) > objective else None
        if t["state"] != "complete" or value is None:
            continue
        params = {k: v for k, v in t["params"].items() if k in dists}
        try:
            study.add_trial(create_trial(params=params, distributions=dists, value=value))
        except ValueError:  # a value outside a narrowed range (cannot happen for a stored study)
            continue
    if len(study.trials) < 2:
        raise ConfigError("parameter importance needs at least two complete trials",
                          field="trials")  # fmt: skip
    if len(dists) == 1:
        return {next(iter(dists)): 1.0}
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    out = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return {k: float(v) for k, v in out.items()}


# ------------------------------------------------------------------------------- Optuna storage


def optuna_storage(db_url: str) -> optuna.storages.RDBStorage:
    """Optuna's storage in the Ava database. Its tables (``studies``, ``trials`` …, with its own
    ``alembic_version``) sit beside Ava's (``ava_alembic_version``) without touching them."""
    import optuna
    from sqlalchemy.engine import make_url

    from ava_backtest.store.db import SQLITE_BUSY_TIMEOUT_MS, database_url

    url = database_url(db_url)
    kwargs: dict[str, Any] = {}
    if make_url(url).get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)


def prepare_optuna(spec: StudySpec, db_url: str, study_id: str) -> None:
    """Create the study's Optuna record once, before any worker starts (processes joining later
    only load it; creating it from two processes at once would race)."""
    if spec.sampler == "grid":
        return
    import optuna

    from ava_backtest.runs.optimize import make_sampler

    optuna.create_study(
        study_name=study_id,
        storage=optuna_storage(db_url),
        sampler=make_sampler(spec),
        directions=[d for _, d in spec.objectives],
        load_if_exists=True,
    )


def _fail_stale_trials(storage: optuna.storages.RDBStorage, study_id: str) -> int:
    """Trials a killed process left ``RUNNING`` are told ``FAIL`` (marked ``interrupted``) when
    the study resumes, so the study can finish; they keep their numbers."""
    import optuna

    sid = storage.get_study_id_from_name(study_id)
    n = 0
    for t in storage.get_all_trials(sid, deepcopy=False):
        if t.state == optuna.trial.TrialState.RUNNING:
            storage.set_trial_user_attr(t._trial_id, "ava_state", "interrupted")
            storage.set_trial_user_attr(t._trial_id, "ava_error", "the process running it stopped")
            storage.set_trial_state_values(t._trial_id, optuna.trial.TrialState.FAIL)
            n += 1
    return n


def _running_numbers(storage: optuna.storages.RDBStorage, study_id: str, total: int) -> set[int]:
    import optuna

    sid = storage.get_study_id_from_name(study_id)
    return {
        t.number
        for t in storage.get_all_trials(sid, deepcopy=False)
        if t.state == optuna.trial.TrialState.RUNNING and t.number < total
    }


# ------------------------------------------------------------------------------- worker side


def _stored_records(store: StudyStore, study_id: str) -> list[TrialRecord]:
    return [
        TrialRecord(t["number"], t["params"], t["state"], t["values"], t["metrics"],
                    t["duration_ms"] or 0.0, t["error"])
        for t in store.all_trials(study_id)
    ]  # fmt: skip


class _TrialSink:
    """Buffers a batch's trials, stores them together at the next batch boundary, then tells
    the world one event per trial; answers ``should_stop`` for the study runner."""

    def __init__(
        self,
        store: StudyStore,
        study_id: str,
        emit: Callable[[TrialRecord, int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.store, self.study_id, self.emit, self.cancelled = store, study_id, emit, cancelled
        self.buffer: list[tuple[TrialRecord, int, int]] = []
        self.stopped = False

    def on_trial(self, rec: TrialRecord, done: int, total: int) -> None:
        self.buffer.append((rec, done, total))

    def flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        self.store.save_trials(self.study_id, [r.to_dict() for r, _, _ in batch])
        if self.emit is not None:
            for rec, done, total in batch:
                self.emit(rec, done, total)

    def should_stop(self) -> bool:
        self.flush()
        if self.cancelled is not None and self.cancelled():
            self.stopped = True
        return self.stopped


def execute_study(
    store: StudyStore,
    study_id: str,
    spec: StudySpec,
    db_url: str,
    *,
    universe: Universe | None = None,
    emit: Callable[[TrialRecord, int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    owner: bool = True,
    runner: JobRunner | None = None,
) -> StudyResult | None:
    """Run (or resume) stored study ``study_id``; ``None`` when it was cancelled between
    batches. ``owner=False``: a helper process working on someone else's study (it stores the
    trials it runs and returns; the owner finishes the study)."""
    storage = None if spec.sampler == "grid" else optuna_storage(db_url)
    if storage is not None and owner:
        _fail_stale_trials(storage, study_id)
    sink = _TrialSink(store, study_id, emit, cancelled)
    kwargs: dict[str, Any] = {
        "storage": storage,
        "study_name": study_id if storage is not None else None,
        "universe": universe,
        "on_trial": sink.on_trial,
        "should_stop": sink.should_stop,
        "done": _stored_records(store, study_id) if storage is None else (),
        "runner": runner,
    }
    result = run_study(spec, **kwargs)
    sink.flush()
    if sink.stopped:
        return None
    if not owner:
        return result
    if storage is not None:
        # Trials other processes are still running: wait for them, then finish over all trials.
        deadline = time.monotonic() + HELPER_WAIT_SECONDS
        while _running_numbers(storage, study_id, spec.n_trials) and time.monotonic() < deadline:
            if cancelled is not None and cancelled():
                return None
            time.sleep(0.25)
        if len(result.trials) < spec.n_trials:
            result = run_study(spec, **kwargs)
    store.save_trials(study_id, [t.to_dict() for t in result.trials])
    write_returns(study_id, result)
    return result


def write_returns(study_id: str, result: StudyResult) -> None:
    """The trials x periods return matrix as one Parquet file (atomically replaced)."""
    from ava_backtest.store.studies import returns_path

    path = returns_path(study_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    result.returns_frame().write_parquet(tmp)
    tmp.replace(path)


def summary(result: StudyResult) -> dict[str, Any]:
    """The study's outcome without its trials (they are in the database)."""
    out = result.to_dict()
    out.pop("trials", None)
    out["trials_done"] = len(result.trials)
    return ev.client_event({"r": out})["r"]


def _emit_to(report: Any) -> Callable[[TrialRecord, int, int], None]:
    """Per-trial ``progress`` events through the executor's channel, carrying the trial record.

    Sent on the reporter's queue directly: its throttling (ten a second) would drop trials, and
    its cancel check (a round trip per call) happens once per batch in ``should_stop`` instead."""
    t0 = time.monotonic()

    def emit(rec: TrialRecord, done: int, total: int) -> None:
        event = ev.progress_event(
            report.run_id, done / total if total else 1.0,
            f"trial {rec.number} {rec.state} ({done}/{total})",
            elapsed=time.monotonic() - t0,
        )  # fmt: skip
        event.update(trial=ev.client_event({"t": rec.to_dict()})["t"], trials_done=done,
                     n_trials=total)  # fmt: skip
        report._events.put((report.run_id, report.attempt, event))

    return emit


def study_job(payload: dict[str, Any], report: Any, universe: Any = None) -> dict[str, Any]:
    """The executor's job for a study (runs in a worker process)."""
    from ava_backtest.store.db import make_engine
    from ava_backtest.store.studies import StudyStore

    engine = make_engine(payload["db_url"])
    try:
        store = StudyStore(engine)
        req = OptimizationRequest.model_validate(payload["request"])
        spec = spec_from_request(req, payload.get("grid_limit", GRID_LIMIT))
        result = execute_study(
            store, payload["study_id"], spec, payload["db_url"], universe=universe,
            emit=_emit_to(report), cancelled=report.cancelled,
            runner=job_runner(payload.get("dask_address")),
        )  # fmt: skip
        if result is None:
            raise Cancelled(payload["study_id"])
        return summary(result)
    finally:
        engine.dispose()


def join_study(db_url: str, study_id: str, universe: Universe | None = None) -> int:
    """Work on stored sampled study ``study_id`` from this process (another host or worker)
    until its trial budget is taken; returns how many trials this process ran. The owner of the
    study finishes it (best trial, overfitting, return matrix)."""
    from ava_backtest.store.db import make_engine
    from ava_backtest.store.studies import StudyStore

    engine = make_engine(db_url)
    try:
        store = StudyStore(engine)
        row = store.get(study_id)
        if row is None:
            raise ConfigError(f"no study with id {study_id!r}", field="id")
        body = dict(row["spec"])
        limit = body.pop("grid_limit", GRID_LIMIT)
        spec = spec_from_request(OptimizationRequest.model_validate(body), limit)
        if spec.sampler == "grid":
            raise ConfigError("a grid is run by its owner alone", field="sampler")
        ran: list[int] = []
        execute_study(
            store, study_id, spec, db_url, universe=universe, owner=False,
            emit=lambda rec, done, total: ran.append(rec.number),
        )  # fmt: skip
        return len(ran)
    finally:
        engine.dispose()


# -------------------------------------------------------------------------------- API side


class StudyService:
    """Studies accepted by this process, run in their own worker pool (started on first use)."""

    def __init__(
        self,
        store: StudyStore,
        bus: ev.EventBus,
        runs: RunService,
        db_url: str,
        *,
        workers: int | None = None,
        grid_limit: int = GRID_LIMIT,
        dask_address: str | None = None,
    ) -> None:
        self.store = store
        self.dask_address = dask_address
        self.bus = bus
        self.runs = runs
        self.db_url = db_url
        self.grid_limit = grid_limit
        self.executor = RunExecutor(
            workers=workers, on_event=self.on_event, job=study_job, cancel_grace=120.0
        )
        self._beat: asyncio.Task[None] | None = None
        self._last_progress: dict[str, float] = {}

    @property
    def owner(self) -> str:
        return self.runs.owner

    async def start(self) -> None:
        """After the run service started (it registered this process and reaped gone owners)."""
        n = await asyncio.to_thread(self.store.interrupt_orphans, INTERRUPTED)
        if n:
            log.warning("marked %d study(ies) of stopped processes as interrupted", len(n))
        self._beat = asyncio.get_running_loop().create_task(self._heartbeat(), name="ava-studies")

    async def shutdown(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
            with contextlib.suppress(BaseException):
                await self._beat
        await self.executor.shutdown()
        await asyncio.to_thread(self.store.interrupt_orphans, INTERRUPTED, owner=self.owner)

    async def _heartbeat(self) -> None:
        beats = 0
        while True:
            await asyncio.sleep(self.runs.heartbeat_seconds)
            beats += 1
            try:
                for sid in await asyncio.to_thread(self.store.cancel_requests, self.owner):
                    if not self.executor.cancel(sid):
                        await self.finish(sid, {"type": "cancelled"})
                if beats % 5 == 0:  # the run service removes gone owners; their studies end
                    await asyncio.to_thread(self.store.interrupt_orphans, INTERRUPTED)
            except Exception:
                log.exception("study owner heartbeat")

    # -- studies --

    async def validate(self, req: OptimizationRequest) -> tuple[StudySpec, Universe | None]:
        universe = await asyncio.to_thread(self.runs.resolve, req.run_config())
        spec = await asyncio.to_thread(validate_request, req, universe, self.grid_limit)
        return spec, universe

    def _payload(self, study_id: str, req: OptimizationRequest) -> dict[str, Any]:
        return {
            "study_id": study_id,
            "db_url": self.db_url,
            "request": req.model_dump(mode="json"),
            "grid_limit": self.grid_limit,
            # AVA_DASK_ADDRESS of the API: the study's batches run on that cluster.
            "dask_address": self.dask_address,
        }

    async def submit(
        self, req: OptimizationRequest, spec: StudySpec, universe: Universe | None
    ) -> str:
        req = req.model_copy(update={"n_trials": spec.n_trials})  # stored as it will run
        symbols = list(universe.symbols) if universe is not None else list(req.symbols or [])
        body = {**req.model_dump(mode="json"), "grid_limit": self.grid_limit}
        study_id = await asyncio.to_thread(
            lambda: self.store.create(
                body, symbols=symbols, owner=self.owner, code_version=ava_backtest.__version__
            )
        )
        try:
            await asyncio.to_thread(prepare_optuna, spec, self.db_url, study_id)
        except Exception as e:
            await asyncio.to_thread(self.store.mark_failed, study_id, "internal_error", str(e))
            raise
        self.executor.submit(study_id, self._payload(study_id, req), universe)  # type: ignore[arg-type]
        return study_id

    async def resume(self, study_id: str) -> dict[str, Any] | None:
        """A cancelled, interrupted or failed study continues where it stopped (its stored trials
        are kept; a grid skips them, a sampler's state is in Optuna's storage)."""
        row = await asyncio.to_thread(self.store.get, study_id)
        if row is None:
            return None
        if row["status"] not in ("cancelled", "interrupted", "failed"):
            raise ConfigError(
                f"study {study_id} is {row['status']}; only a cancelled, interrupted or failed "
                "study can be resumed",
                field="status",
            )
        req = OptimizationRequest.model_validate(
            {k: v for k, v in row["spec"].items() if k != "grid_limit"}
        )
        universe = await asyncio.to_thread(self.runs.resolve, req.run_config())
        if not await asyncio.to_thread(self.store.reopen, study_id, self.owner):
            return await asyncio.to_thread(self.store.get, study_id)
        self.executor.submit(study_id, self._payload(study_id, req), universe)  # type: ignore[arg-type]
        return await asyncio.to_thread(self.store.get, study_id)

    async def cancel(self, study_id: str) -> dict[str, Any] | None:
        if not self.executor.cancel(study_id):
            row = await asyncio.to_thread(self.store.get, study_id)
            if row is None or row["status"] in ("completed", "failed", "cancelled", "interrupted"):
                return row
            owner = row.get("owner")
            if owner and owner != self.owner and await asyncio.to_thread(self.runs._alive, owner):
                await asyncio.to_thread(self.store.request_cancel, study_id)
            else:
                await self.finish(study_id, {"type": "cancelled"})
        deadline = asyncio.get_running_loop().time() + 5.0
        while True:  # the worker stops at its next batch boundary
            row = await asyncio.to_thread(self.store.get, study_id)
            if row is None or row["status"] not in ("queued", "running"):
                return row
            if asyncio.get_running_loop().time() > deadline:
                return row
            await asyncio.sleep(0.05)

    async def delete(self, study_id: str) -> bool:
        row = await asyncio.to_thread(self.store.get, study_id)
        if row is not None and row["status"] in ("queued", "running"):
            await self.cancel(study_id)
        done = await asyncio.to_thread(self.store.delete, study_id)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self._delete_optuna, study_id)
        return bool(done)

    def _delete_optuna(self, study_id: str) -> None:
        import optuna

        storage = optuna_storage(self.db_url)
        with contextlib.suppress(KeyError):
            optuna.delete_study(study_name=study_id, storage=storage)
        storage.engine.dispose()

    # -- events --

    @staticmethod
    def terminal_event(row: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = {"type": row["status"], "run_id": row["id"], "study_id": row["id"]}
        if row["status"] == "completed":
            of = row.get("overfitting") or {}
            event.update(
                best_trial=row.get("best_trial"), best_params=row.get("best_params"),
                best_value=row.get("best_value"), trials_done=row.get("trials_done"),
                overfitting_score=of.get("score"),
            )  # fmt: skip
        elif row.get("error"):
            event["message"] = row["error"]
            event["code"] = row.get("error_code")
        return event

    async def on_event(self, study_id: str, event: dict[str, Any]) -> None:
        kind = event.get("type")
        try:
            if kind == "started":
                await asyncio.to_thread(self.store.mark_running, study_id)
                pid = event.get("pid")
                event = {"type": "log", "run_id": study_id, "message": f"started in worker {pid}",
                         "pid": pid}  # fmt: skip
            elif kind == "progress":
                done, total = event.get("trials_done"), event.get("n_trials")
                now = time.monotonic()
                if (
                    done is not None
                    and total
                    and (done >= total or now - self._last_progress.get(study_id, 0.0) > 0.25)
                ):
                    self._last_progress[study_id] = now
                    await asyncio.to_thread(
                        self.store.set_progress, study_id, done, total, event.get("message", "")
                    )
            elif kind in ("completed", "failed", "cancelled"):
                self._last_progress.pop(study_id, None)
                await self.finish(study_id, event)
                return
            elif kind == "interrupted":
                event = {**event, "message": event.get("message") or "the server stopped"}
        except Exception:
            log.exception("recording %s for study %s", kind, study_id)
        await self.bus.publish(study_id, {**event, "run_id": study_id, "study_id": study_id})

    async def finish(self, study_id: str, event: dict[str, Any]) -> None:
        kind = event["type"]
        try:
            if kind == "completed":
                await asyncio.to_thread(self.store.save_result, study_id, event["result"])
            elif kind == "failed":
                await asyncio.to_thread(
                    self.store.mark_failed, study_id, event.get("code", "internal_error"),
                    event.get("message", ""),
                )  # fmt: skip
            else:
                await asyncio.to_thread(self.store.mark_cancelled, study_id)
            row = await asyncio.to_thread(self.store.get, study_id)
        except Exception:
            log.exception("finishing study %s", study_id)
            row = None
        out = self.terminal_event(row) if row else {k: v for k, v in event.items() if k != "result"}
        await self.bus.publish(study_id, {**out, "run_id": study_id, "study_id": study_id})


__all__ = [
    "GRID_LIMIT",
    "SAMPLERS",
    "ObjectiveIn",
    "OptimizationRequest",
    "RangeIn",
    "StudyService",
    "execute_study",
    "join_study",
    "spec_from_request",
    "study_job",
    "validate_request",
]
