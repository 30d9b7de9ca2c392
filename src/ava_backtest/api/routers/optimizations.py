"""/api/v2/optimizations: parameter studies — create (validated, stored, run in a worker), list
with true totals, get, trials (paged, sorted by number, any objective or any metric), cancel,
resume, delete, export (trials table or return matrix as Parquet or CSV), open the best trial as
a backtest; and the WebSocket of a study's events (``/ws/optimizations/{id}``)."""

from __future__ import annotations

import io
from typing import Any, Literal

import polars as pl
from fastapi import APIRouter, Query, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ava_backtest.api.errors import ApiError
from ava_backtest.api.job_routes import JobRoutes, JobStatus, Limit, Offset, StrategyFilter
from ava_backtest.api.routers.backtests import Deleted, RunOut, _run_out
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.studies import OptimizationRequest

router = APIRouter(prefix="/optimizations", tags=["optimizations"])
ws_router = APIRouter(tags=["optimizations"])


class TrialOut(BaseModel):
    number: int
    params: dict[str, Any]
    state: str = Field(
        description="complete, infeasible (the strategy refused the parameters), "
        "too_few_trades, failed or interrupted"
    )
    values: list[float | None] = Field(description="the objective values, in objectives order")
    metrics: dict[str, Any] = Field(description="every metric of docs/metrics.md")
    duration_ms: float | None = None
    error: str = ""
    finished_at: str | None = None


class TrialList(BaseModel):
    items: list[TrialOut]
    total: int
    limit: int
    offset: int


class IntervalOut(BaseModel):
    estimate: float | None = None
    low: float | None = None
    high: float | None = None


class OverfittingOut(BaseModel):
    """The overfitting panel (docs/overfitting.md); null where a statistic is undefined."""

    pbo: float | None = Field(default=None, description="probability of backtest overfitting")
    pbo_logits: list[float] = Field(default=[], description="one CSCV logit per split")
    dsr: float | None = Field(default=None, description="Deflated Sharpe Ratio")
    psr: float | None = Field(default=None, description="Probabilistic Sharpe Ratio (vs 0)")
    sr0: float | None = Field(default=None, description="per-period Sharpe luck reaches")
    min_track_record: float | None = Field(default=None, description="periods; null: infinite")
    n_obs: int | None = None
    n_trials: int | None = None
    stability: float | None = None
    stability_neighbours: int | None = None
    degradation: float | None = Field(default=None, description="hold-out / in-sample")
    score: float | None = Field(default=None, description="0 no sign of luck .. 1 all luck")
    verdict: str | None = Field(default=None, description="low, moderate, high or unknown")
    explanation: list[str] = []
    bootstrap: dict[str, IntervalOut] = Field(
        default={}, description="95% intervals: sharpe, annual_return, max_drawdown"
    )


class ObjectiveOut(BaseModel):
    metric: str
    direction: Literal["maximize", "minimize"]


class OptimizationOut(BaseModel):
    id: str
    status: str = Field(description="queued, running, completed, failed, cancelled, interrupted")
    strategy_name: str
    market: str
    universe: str | None = None
    symbols: list[str] = []
    spec: dict[str, Any] = Field(description="the request as accepted")
    sampler: str
    objectives: list[ObjectiveOut]
    n_trials: int
    trials_done: int = 0
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    progress: float = 0.0
    progress_message: str | None = None
    best_trial: int | None = None
    best_params: dict[str, Any] | None = None
    best_value: float | None = None
    pareto: list[int] | None = Field(default=None, description="Pareto-optimal trial numbers")
    overfitting: OverfittingOut | None = None
    holdout: dict[str, Any] | None = Field(
        default=None,
        description="with holdout_start: start, metric, in_sample, out_of_sample, degradation, "
        "metrics (every metric of the best parameters out of sample)",
    )
    elapsed_s: float | None = None
    error: str | None = None
    error_code: str | None = None
    code_version: str | None = None


class OptimizationList(BaseModel):
    items: list[OptimizationOut]
    total: int
    limit: int
    offset: int


JOBS = JobRoutes("optimization", "studies", OptimizationOut)
_get = JOBS.get


def _services(request: Request) -> Any:
    return request.app.state.services


@router.post("", response_model=OptimizationOut, status_code=201, summary="Start a study")
async def create_optimization(body: OptimizationRequest, request: Request) -> OptimizationOut:
    """Validates the study before storing it (strategy, ranges within the strategy's bounds,
    objectives among the metrics, trials >= 1, grid size under the limit, the base run against
    the data), stores it as ``queued`` and runs it in a worker. Follow it on
    ``/ws/optimizations/{id}``."""
    studies = _services(request).studies
    spec, universe = await studies.validate(body)
    study_id = await studies.submit(body, spec, universe)
    return await JOBS.get_out(request, study_id)


@router.get("", response_model=OptimizationList, summary="List studies (filters, true totals)")
async def list_optimizations(
    request: Request,
    status: JobStatus | None = None,
    strategy: StrategyFilter = None,
    market: Literal["US", "IN", "24x7"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    sort: Literal[
        "created_at", "-created_at", "strategy_name", "-strategy_name", "status", "-status",
        "best_value", "-best_value", "n_trials", "-n_trials",
    ] = "-created_at",
) -> OptimizationList:  # fmt: skip
    rows, total = await JOBS.list_rows(
        request, status=status, strategy=strategy, market=market, limit=limit, offset=offset,
        sort=sort,
    )  # fmt: skip
    items = [JOBS.out(r) for r in rows]
    return OptimizationList(items=items, total=total, limit=limit, offset=offset)


@router.get("/{study_id}", response_model=OptimizationOut, summary="One study and its result")
async def get_optimization(study_id: str, request: Request) -> OptimizationOut:
    return await JOBS.get_out(request, study_id)


@router.get(
    "/{study_id}/trials", response_model=TrialList, summary="A study's trials (paged, sorted)"
)
async def get_trials(
    study_id: str,
    request: Request,
    limit: int = Query(100, ge=1, le=5000),
    offset: Offset = 0,
    sort: str = Query(
        "number",
        max_length=80,
        description="number, state, duration_ms, value (first objective), value_<i>, "
        "metric:<name> (any metric, e.g. metric:cagr); prefix '-' for descending",
    ),
    state: Literal["complete", "infeasible", "too_few_trades", "failed", "interrupted"]
    | None = None,
) -> TrialList:
    await _get(request, study_id)
    try:
        rows, total = await run_in_threadpool(
            _services(request).studies.store.trials,
            study_id, limit=limit, offset=offset, sort=sort, state=state,
        )  # fmt: skip
    except ValueError as e:
        raise ApiError(422, "validation_error", f"sort: {e}", {"field": "sort"}) from None
    return TrialList(items=[TrialOut(**r) for r in rows], total=total, limit=limit, offset=offset)


@router.post("/{study_id}/cancel", response_model=OptimizationOut, summary="Cancel a study")
async def cancel_optimization(study_id: str, request: Request) -> OptimizationOut:
    """Stops the study at its next batch boundary; its trials so far stay, and ``resume``
    continues it."""
    return await JOBS.cancel(request, study_id)


@router.post("/{study_id}/resume", response_model=OptimizationOut, summary="Resume a stopped study")
async def resume_optimization(study_id: str, request: Request) -> OptimizationOut:
    """A cancelled, interrupted or failed study continues where it stopped: stored trials are
    kept (a grid skips them; a sampler resumes from its state in the database)."""
    row = await _get(request, study_id)
    if row["status"] not in ("cancelled", "interrupted", "failed"):
        raise ApiError(
            409, "conflict",
            f"optimization {study_id} is {row['status']}; only a cancelled, interrupted or "
            "failed study can be resumed", {"status": row["status"]},
        )  # fmt: skip
    return JOBS.out(await _services(request).studies.resume(study_id) or row)


@router.delete("/{study_id}", response_model=Deleted, summary="Delete a study and its trials")
async def delete_optimization(study_id: str, request: Request) -> Deleted:
    return await JOBS.delete(request, study_id)


def _trials_frame(rows: list[dict[str, Any]], objectives: list[dict[str, Any]]) -> pl.DataFrame:
    out = []
    for t in rows:
        row: dict[str, Any] = {"number": t["number"], "state": t["state"]}
        row.update({f"param_{k}": v for k, v in t["params"].items()})
        for o, v in zip(objectives, t["values"], strict=False):
            row[f"objective_{o['metric']}"] = v
        row.update({k: v for k, v in t["metrics"].items() if not isinstance(v, str | dict | list)})
        row["duration_ms"] = t["duration_ms"]
        row["error"] = t["error"]
        out.append(row)
    return pl.DataFrame(out, infer_schema_length=None)


@router.get(
    "/{study_id}/export",
    summary="Export the trials table or the trials x periods return matrix",
    response_class=Response,
    responses={
        200: {
            "content": {"application/vnd.apache.parquet": {}, "text/csv": {}},
            "description": "trials: one row per trial (number, state, param_*, objective_*, "
            "every metric); returns: a date column and one trial_<n> column of daily returns "
            "per complete trial (what PBO and DSR are computed from)",
        }
    },
)
async def export_optimization(
    study_id: str,
    request: Request,
    what: Literal["trials", "returns"] = "trials",
    format: Literal["parquet", "csv"] = "parquet",
) -> Response:
    row = await _get(request, study_id)
    store = _services(request).studies.store
    if what == "trials":
        rows = await run_in_threadpool(store.all_trials, study_id)
        frame = _trials_frame(rows, row["objectives"])
    else:
        from ava_backtest.store.studies import returns_path

        path = returns_path(study_id)
        if not path.is_file():
            raise ApiError(
                409, "not_ready",
                f"optimization {study_id} has no return matrix yet (it is written when the "
                f"study completes; status {row['status']})", {"status": row["status"]},
            )  # fmt: skip
        frame = await run_in_threadpool(pl.read_parquet, path)
    buf = io.BytesIO()
    if format == "csv":
        await run_in_threadpool(frame.write_csv, buf)
        media = "text/csv"
    else:
        await run_in_threadpool(frame.write_parquet, buf)
        media = "application/vnd.apache.parquet"
    name = f"optimization-{study_id}-{what}.{format}"
    return Response(
        buf.getvalue(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class ImportanceOut(BaseModel):
    study_id: str
    objective: str = Field(description="the objective's metric")
    method: str = Field(description="ped_anova (Optuna's PED-ANOVA importance)")
    importances: dict[str, float] = Field(description="parameter -> share, summing to 1")
    trials: int = Field(description="complete trials the importance is computed from")


@router.get(
    "/{study_id}/importance",
    response_model=ImportanceOut,
    summary="How much each parameter explains the objective",
)
async def get_importance(
    study_id: str,
    request: Request,
    objective: int = Query(0, ge=0, le=3, description="index into the study's objectives"),
) -> ImportanceOut:
    from ava_backtest.domain.errors import AvaError
    from ava_backtest.runs.studies import param_importance

    row = await _get(request, study_id)
    rows = await run_in_threadpool(_services(request).studies.store.all_trials, study_id)
    try:
        shares = await run_in_threadpool(param_importance, row["spec"], rows, objective)
    except AvaError as e:
        status = 409 if e.field == "trials" else 422
        code = "not_ready" if status == 409 else e.code
        raise ApiError(status, code, e.message, {"field": e.field}) from None
    complete = sum(1 for t in rows if t["state"] == "complete")
    metric = row["objectives"][objective]["metric"]
    return ImportanceOut(
        study_id=study_id, objective=metric, method="ped_anova", importances=shares,
        trials=complete,
    )  # fmt: skip


class BestRunIn(BaseModel):
    trial: int | None = Field(
        default=None, ge=0, description="a trial number; default the study's best trial"
    )


@router.post(
    "/{study_id}/best-run",
    response_model=RunOut,
    status_code=201,
    summary="Open the best trial (or any trial) as a backtest run",
)
async def best_run(study_id: str, request: Request, body: BestRunIn | None = None) -> RunOut:
    """Creates a normal backtest with the study's base run and the trial's parameters (on the
    whole period, hold-out included); follow it on ``/ws/backtests/{id}``."""
    from ava_backtest.runs.execute import validate_run

    row = await _get(request, study_id)
    services = _services(request)
    number = body.trial if body is not None and body.trial is not None else row["best_trial"]
    if number is None:
        raise ApiError(
            409, "not_ready", f"optimization {study_id} has no best trial yet ({row['status']})",
            {"status": row["status"]},
        )  # fmt: skip
    trial = await run_in_threadpool(services.studies.store.get_trial, study_id, number)
    if trial is None:
        raise ApiError(404, "not_found", f"no trial {number} in {study_id}", {"field": "trial"})
    spec = {k: v for k, v in row["spec"].items() if k in RunConfig.model_fields}
    config = RunConfig.model_validate({**spec, "params": {**spec.get("params", {}),
                                                          **trial["params"]}})  # fmt: skip
    universe = await run_in_threadpool(services.runs.resolve, config)
    strategy = await run_in_threadpool(validate_run, config, universe)
    run_id = await services.runs.submit(config, params=strategy.params, universe=universe)
    return _run_out(await run_in_threadpool(services.store.get_run, run_id))


@ws_router.websocket("/ws/optimizations/{study_id}")
async def optimization_events(websocket: WebSocket, study_id: str) -> None:
    """``state`` first; then ``progress`` per trial (``trial``: the trial record,
    ``trials_done``, ``n_trials``) and ``log``; then one of completed/failed/cancelled/
    interrupted. Events of a busy study may be dropped for a slow client: the trials endpoint
    has every trial."""
    await JOBS.events(websocket, study_id, id_key="study_id", counters=("trials_done", "n_trials"))
