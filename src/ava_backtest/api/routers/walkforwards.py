"""/api/v2/walk-forwards: walk-forward analyses — create (validated, windows planned, stored, run
in a worker), list with true totals, get (the stitched out-of-sample record), windows, cancel,
delete; and the WebSocket of an analysis' events (``/ws/walk-forwards/{id}``), one ``progress``
event per window."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ava_backtest.api.job_routes import JobRoutes, JobStatus, Limit, Offset, StrategyFilter
from ava_backtest.api.routers.backtests import Deleted
from ava_backtest.runs.walkforwards import WalkForwardRequest

router = APIRouter(prefix="/walk-forwards", tags=["walk-forwards"])
ws_router = APIRouter(tags=["walk-forwards"])


class WindowOut(BaseModel):
    index: int
    status: str = Field(description="planned, optimised (in sample), completed or no_trial")
    is_start: str
    is_end: str
    oos_start: str
    oos_end: str
    params: dict[str, Any] | None = Field(default=None, description="chosen in sample")
    is_value: float | None = Field(default=None, description="the objective in sample")
    oos_value: float | None = Field(default=None, description="the objective out of sample")
    is_metrics: dict[str, Any] = {}
    oos_metrics: dict[str, Any] = {}
    trials: int | None = Field(default=None, description="complete in-sample trials")
    elapsed_s: float | None = None
    error: str = ""
    finished_at: str | None = None


class WindowList(BaseModel):
    items: list[WindowOut]
    total: int
    limit: int
    offset: int


class WalkForwardOut(BaseModel):
    id: str
    status: str = Field(description="queued, running, completed, failed, cancelled, interrupted")
    strategy_name: str
    market: str
    universe: str | None = None
    symbols: list[str] = []
    spec: dict[str, Any] = Field(description="the request as accepted")
    mode: str
    objective: str
    n_windows: int
    windows_done: int = 0
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    progress: float = 0.0
    progress_message: str | None = None
    efficiency: float | None = Field(
        default=None, description="annualised OOS return / mean annualised IS return"
    )
    oos_return: float | None = Field(default=None, description="stitched OOS total return")
    result: dict[str, Any] | None = Field(
        default=None,
        description="when completed: oos_equity, is_equity (hindsight), trades, oos_metrics, "
        "efficiency, efficiency_sharpe, drift, overfitting, handover, plan, notes "
        "(docs/walkforward.md)",
    )
    runner: str | None = None
    elapsed_s: float | None = None
    error: str | None = None
    error_code: str | None = None
    code_version: str | None = None


class WalkForwardSummary(BaseModel):
    """A list row: the analysis without its stitched record."""

    id: str
    status: str
    strategy_name: str
    market: str
    symbols: list[str] = []
    mode: str
    objective: str
    n_windows: int
    windows_done: int = 0
    created_at: str | None = None
    finished_at: str | None = None
    progress: float = 0.0
    efficiency: float | None = None
    oos_return: float | None = None
    runner: str | None = None
    error: str | None = None


class WalkForwardList(BaseModel):
    items: list[WalkForwardSummary]
    total: int
    limit: int
    offset: int


JOBS = JobRoutes("walk-forward", "walkforwards", WalkForwardOut)


@router.post("", response_model=WalkForwardOut, status_code=201, summary="Start a walk-forward")
async def create_walk_forward(body: WalkForwardRequest, request: Request) -> WalkForwardOut:
    """Validates the analysis before storing it (strategy, ranges, objective, the base run
    against the data, and the window plan: windows longer than the data, a zero-length
    out-of-sample span or a step of zero are refused naming the field), stores it with its
    planned windows and runs it in a worker. Follow it on ``/ws/walk-forwards/{id}``."""
    service = JOBS.service(request)
    _spec, plan, spans, universe = await service.validate_wf(body)
    wf_id = await service.submit_wf(body, plan, spans, universe)
    return await JOBS.get_out(request, wf_id)


@router.get("", response_model=WalkForwardList, summary="List walk-forwards (true totals)")
async def list_walk_forwards(
    request: Request,
    status: JobStatus | None = None,
    strategy: StrategyFilter = None,
    market: Literal["US", "IN", "24x7"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    sort: Literal[
        "created_at", "-created_at", "strategy_name", "-strategy_name", "status", "-status",
        "efficiency", "-efficiency", "oos_return", "-oos_return",
    ] = "-created_at",
) -> WalkForwardList:  # fmt: skip
    rows, total = await JOBS.list_rows(
        request, status=status, strategy=strategy, market=market, limit=limit, offset=offset,
        sort=sort,
    )  # fmt: skip
    items = [WalkForwardSummary(**{k: v for k, v in r.items()
                                   if k in WalkForwardSummary.model_fields}) for r in rows]  # fmt: skip
    return WalkForwardList(items=items, total=total, limit=limit, offset=offset)


@router.get("/{wf_id}", response_model=WalkForwardOut, summary="One walk-forward and its result")
async def get_walk_forward(wf_id: str, request: Request) -> WalkForwardOut:
    return await JOBS.get_out(request, wf_id)


@router.get("/{wf_id}/windows", response_model=WindowList, summary="A walk-forward's windows")
async def get_windows(
    wf_id: str,
    request: Request,
    limit: int = Query(500, ge=1, le=5000),
    offset: Offset = 0,
) -> WindowList:
    await JOBS.get(request, wf_id)
    rows, total = await run_in_threadpool(
        JOBS.service(request).store.windows, wf_id, limit=limit, offset=offset
    )
    return WindowList(items=[WindowOut(**r) for r in rows], total=total, limit=limit,
                      offset=offset)  # fmt: skip


@router.post("/{wf_id}/cancel", response_model=WalkForwardOut, summary="Cancel a walk-forward")
async def cancel_walk_forward(wf_id: str, request: Request) -> WalkForwardOut:
    """Stops the analysis after the windows already running; finished windows stay stored."""
    return await JOBS.cancel(request, wf_id)


@router.delete("/{wf_id}", response_model=Deleted, summary="Delete a walk-forward")
async def delete_walk_forward(wf_id: str, request: Request) -> Deleted:
    return await JOBS.delete(request, wf_id)


@ws_router.websocket("/ws/walk-forwards/{wf_id}")
async def walk_forward_events(websocket: WebSocket, wf_id: str) -> None:
    """``state`` first; then ``progress`` per window (``window``: index, params chosen in
    sample, in-sample value, trials; ``windows_done``, ``n_windows``) and ``log``; then one of
    completed/failed/cancelled/interrupted."""
    await JOBS.events(
        websocket, wf_id, id_key="walk_forward_id", counters=("windows_done", "n_windows")
    )
