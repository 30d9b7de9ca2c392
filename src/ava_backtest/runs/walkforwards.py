"""The walk-forward service: analyses validated, stored, run in the worker pool, cancelled.

The study lifecycle (``runs.studies``) applied to ``runs.walkforward.run_walkforward``:

- :class:`WalkForwardRequest` is the one field table of a walk-forward (a :class:`RunConfig`
  plus the window plan and the in-sample study), for the API, the CLI and Python alike;
- :func:`spec_from_request` turns it into a checked :class:`WalkForwardSpec`, and
  :func:`validate_request` also plans the windows over the data, so a plan that does not fit
  (windows longer than the data, a zero-length out-of-sample span, a step of zero) is refused
  with the field named before anything is stored;
- :func:`walkforward_job` runs in a worker process: each window's in-sample result is stored and
  sent as one ``progress`` event as it arrives (``window``, ``windows_done``, ``n_windows``);
  a cancel stops the windows not yet finished; the completed analysis stores the stitched
  record;
- :class:`WalkForwardService` (API process) owns analyses as :class:`StudyService` owns studies
  (same owner row, heartbeat, cross-process cancel, interrupted when the owner is gone).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

import ava_backtest
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs import events as ev
from ava_backtest.runs.cluster import JobStopped, job_runner
from ava_backtest.runs.executor import Cancelled, RunExecutor
from ava_backtest.runs.optimize import grid_size
from ava_backtest.runs.studies import ObjectiveIn, RangeIn, StudyService
from ava_backtest.runs.walkforward import (
    MODES,
    Plan,
    WalkForwardResult,
    WalkForwardSpec,
    WindowOutcome,
    make_spec,
    plan_for,
    run_walkforward,
    window_dates,
)

if TYPE_CHECKING:
    from ava_backtest.data.universes import Universe
    from ava_backtest.runs.service import RunService
    from ava_backtest.store.walkforwards import WalkForwardStore

SAMPLED_TRIALS = 50
"""In-sample trials per window of a sampled (not grid) study, unless ``n_trials`` says."""


class WalkForwardRequest(RunConfig):
    """A walk-forward: the base run (every :class:`RunConfig` field; ``params`` are the fixed
    ones), the windows (counted in the market's sessions) and the in-sample study."""

    param_ranges: dict[str, RangeIn] | None = Field(
        default=None,
        description="{name: {low, high, step, choices, log}}; only these parameters vary. "
        "Omitted: a default grid of a few values per parameter from its bounds.",
    )
    objective: ObjectiveIn = Field(default_factory=lambda: ObjectiveIn(metric="sharpe"))
    mode: Literal["rolling", "anchored"] = "rolling"
    is_sessions: int | None = Field(default=None, ge=0, le=1_000_000,
                                    description="in-sample sessions per window")  # fmt: skip
    oos_sessions: int | None = Field(default=None, ge=0, le=1_000_000,
                                     description="out-of-sample sessions per window")  # fmt: skip
    step: int | None = Field(default=None, ge=0, le=1_000_000,
                             description="sessions between window starts (default: oos_sessions)")  # fmt: skip
    folds: int | None = Field(default=None, ge=0, le=1000,
                              description="number of windows (default 5 when no length is given)")  # fmt: skip
    gap: int = Field(default=0, ge=0, le=100_000, description="purge/embargo sessions")
    sampler: Literal["grid", "tpe", "random", "cmaes"] = "grid"
    n_trials: int | None = Field(default=None, ge=1, le=1_000_000,
                                 description="per window; default: the whole grid, or 50")  # fmt: skip
    min_trades: int = Field(default=1, ge=0, le=1_000_000)
    carry_over: bool = Field(
        default=False,
        description="positions open at a segment's end stay open into the next segment",
    )
    hindsight: bool = Field(
        default=True, description="also optimise over the whole out-of-sample span (hindsight)"
    )

    def run_config(self) -> RunConfig:
        return RunConfig.model_validate(
            self.model_dump(include=set(RunConfig.model_fields), exclude_unset=False)
        )


def spec_from_request(req: WalkForwardRequest) -> WalkForwardSpec:
    """The checked walk-forward of ``req``; a domain error names the bad field."""
    ranges = {k: v.as_dict() for k, v in (req.param_ranges or {}).items()}
    spec = make_spec(
        req.run_config(), ranges or None, mode=req.mode, is_sessions=req.is_sessions,
        oos_sessions=req.oos_sessions, step=req.step, folds=req.folds, gap=req.gap,
        objective=req.objective.metric, direction=req.objective.direction, sampler=req.sampler,
        n_trials=1, seed=req.seed, min_trades=req.min_trades, carry_over=req.carry_over,
        hindsight=req.hindsight,
    )  # fmt: skip
    spec.n_trials = req.n_trials or (
        grid_size(spec.space) if req.sampler == "grid" else SAMPLED_TRIALS
    )
    spec.check()
    return spec


def validate_request(
    req: WalkForwardRequest, universe: Universe | None
) -> tuple[WalkForwardSpec, Plan, list[dict[str, Any]]]:
    """The spec, its window plan over the data and the planned windows' dates; bad input raises
    the domain error naming the field (the base run against the data included)."""
    from ava_backtest.runs.execute import validate_run

    spec = spec_from_request(req)
    validate_run(spec.config, universe)
    plan, sessions = plan_for(spec, universe)
    return spec, plan, window_dates(plan, sessions)


def _window_row(o: WindowOutcome, spans: dict[str, Any]) -> dict[str, Any]:
    return {**spans, "status": "optimised" if o.params is not None else "no_trial",
            "params": o.params, "is_value": o.is_value, "is_metrics": o.is_metrics,
            "trials": o.trials_complete, "elapsed_s": o.elapsed_s, "error": o.error}  # fmt: skip


def walkforward_job(payload: dict[str, Any], report: Any, universe: Any = None) -> dict[str, Any]:
    """The executor's job for a walk-forward (runs in a worker process)."""
    from ava_backtest.store.db import make_engine
    from ava_backtest.store.walkforwards import WalkForwardStore

    engine = make_engine(payload["db_url"])
    wf_id = payload["walk_forward_id"]
    try:
        store = WalkForwardStore(engine)
        spec = spec_from_request(WalkForwardRequest.model_validate(payload["request"]))
        planned = {w["index"]: w for w in store.windows(wf_id, limit=1_000_000)[0]}
        t0 = time.monotonic()

        def on_window(o: WindowOutcome, done: int, total: int) -> None:
            if o.kind == "window":
                store.save_windows(wf_id, [_window_row(o, planned[o.index])])
            what = f"window {o.index}" if o.kind == "window" else "hindsight study"
            event = ev.progress_event(report.run_id, done / total, f"{what} done ({done}/{total})",
                                      elapsed=time.monotonic() - t0)  # fmt: skip
            event.update(
                windows_done=done, n_windows=total, trials_done=done, n_trials=total,
                window=ev.client_event({"w": {
                    "index": o.index, "kind": o.kind, "params": o.params,
                    "is_value": o.is_value, "trials": o.trials_complete, "error": o.error,
                    "elapsed_s": round(o.elapsed_s, 3),
                }})["w"],
            )  # fmt: skip
            report._events.put((report.run_id, report.attempt, event))

        try:
            result = run_walkforward(
                spec, universe=universe, runner=job_runner(payload.get("dask_address")),
                on_window=on_window, should_stop=report.cancelled,
            )  # fmt: skip
        except JobStopped:
            raise Cancelled(wf_id) from None
        store.save_windows(wf_id, [w.to_dict() for w in result.windows])
        return summary(result)
    finally:
        engine.dispose()


def summary(result: WalkForwardResult) -> dict[str, Any]:
    """The result as stored and sent (JSON-safe)."""
    return ev.client_event({"r": result.to_dict()})["r"]


class WalkForwardService(StudyService):
    """Walk-forwards accepted by this process, run in their own worker pool (started on first
    use); the owner row, heartbeat, cancels and events work as for studies."""

    def __init__(
        self,
        store: WalkForwardStore,
        bus: ev.EventBus,
        runs: RunService,
        db_url: str,
        *,
        workers: int | None = None,
        dask_address: str | None = None,
    ) -> None:
        self.store = store  # type: ignore[assignment]
        self.dask_address = dask_address
        self.bus = bus
        self.runs = runs
        self.db_url = db_url
        self.executor = RunExecutor(
            workers=workers, on_event=self.on_event, job=walkforward_job, cancel_grace=60.0
        )
        self._beat = None
        self._last_progress = {}

    async def validate_wf(
        self, req: WalkForwardRequest
    ) -> tuple[WalkForwardSpec, Plan, list[dict[str, Any]], Universe | None]:
        universe = await asyncio.to_thread(self.runs.resolve, req.run_config())
        spec, plan, spans = await asyncio.to_thread(validate_request, req, universe)
        return spec, plan, spans, universe

    async def submit_wf(
        self, req: WalkForwardRequest, plan: Plan, spans: list[dict[str, Any]],
        universe: Universe | None,
    ) -> str:  # fmt: skip
        symbols = list(universe.symbols) if universe is not None else list(req.symbols or [])
        body = req.model_dump(mode="json")
        runner = job_runner(self.dask_address).name if self.dask_address else "local"
        wf_id = await asyncio.to_thread(
            lambda: self.store.create(
                body, symbols=symbols, n_windows=len(plan.windows), owner=self.owner,
                code_version=ava_backtest.__version__, runner=runner,
            )
        )  # fmt: skip
        await asyncio.to_thread(self.store.save_windows, wf_id, spans)
        payload = {"walk_forward_id": wf_id, "db_url": self.db_url, "request": body,
                   "dask_address": self.dask_address}  # fmt: skip
        self.executor.submit(wf_id, payload, universe)  # type: ignore[arg-type]
        return wf_id

    async def resume(self, study_id: str) -> dict[str, Any] | None:
        raise ConfigError("a walk-forward cannot be resumed; start it again", field="status")

    async def delete(self, study_id: str) -> bool:
        row = await asyncio.to_thread(self.store.get, study_id)
        if row is not None and row["status"] in ("queued", "running"):
            await self.cancel(study_id)
        return bool(await asyncio.to_thread(self.store.delete, study_id))

    @staticmethod
    def terminal_event(row: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = {"type": row["status"], "run_id": row["id"],
                                 "walk_forward_id": row["id"]}  # fmt: skip
        if row["status"] == "completed":
            result = row.get("result") or {}
            event.update(
                efficiency=row.get("efficiency"), oos_return=row.get("oos_return"),
                windows_done=row.get("windows_done"),
                overfitting_score=(result.get("overfitting") or {}).get("score"),
            )  # fmt: skip
        elif row.get("error"):
            event["message"] = row["error"]
            event["code"] = row.get("error_code")
        return event

    async def on_event(self, study_id: str, event: dict[str, Any]) -> None:
        # The study service's handling (status, throttled progress, terminal states); the
        # events carry this analysis' id under its own name too.
        await super().on_event(study_id, {**event, "walk_forward_id": study_id})


__all__ = [
    "MODES",
    "WalkForwardRequest",
    "WalkForwardService",
    "spec_from_request",
    "validate_request",
    "walkforward_job",
]
