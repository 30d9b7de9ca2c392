"""/api/v2/screens: universe screens — create (validated, stored, run in a worker, its symbols
through the job runner: here or on ``AVA_DASK_ADDRESS``), list with true totals, get (progress
polled: ``progress``, ``symbols_done``), rows (paged, sorted by any metric), cancel, delete, and
a row's backtest run (made on first open: the screen's config on that symbol alone, so its
metrics are the row's); and the WebSocket of a screen's events (``/ws/screens/{id}``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response, WebSocket
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ava_backtest.api.errors import ApiError
from ava_backtest.api.job_routes import JobRoutes, JobStatus, Limit, Offset, StrategyFilter
from ava_backtest.api.routers.backtests import Deleted, RunOut, _run_out
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.screens import HEADLINE

router = APIRouter(prefix="/screens", tags=["screens"])
ws_router = APIRouter(tags=["screens"])


class ScreenOut(BaseModel):
    id: str
    status: str = Field(description="queued, running, completed, failed, cancelled, interrupted")
    strategy_name: str
    market: str
    universe: str | None = None
    symbols: list[str] = []
    spec: dict[str, Any] = Field(description="the run config every symbol shares, as accepted")
    n_symbols: int
    symbols_done: int = 0
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    progress: float = 0.0
    progress_message: str | None = None
    runner: str | None = Field(default=None, description="local, or dask <scheduler address>")
    elapsed_s: float | None = None
    error: str | None = None
    error_code: str | None = None
    code_version: str | None = None
    headline: list[str] = Field(default=list(HEADLINE), description="the metrics shown first")


class ScreenList(BaseModel):
    items: list[ScreenOut]
    total: int
    limit: int
    offset: int


class ScreenRowOut(BaseModel):
    symbol: str
    status: str = Field(description="complete, or failed (error says why)")
    metrics: dict[str, Any] | None = Field(default=None, description="every metric")
    bars: int | None = None
    start: str | None = None
    end: str | None = None
    duration_ms: float | None = None
    error: str | None = None
    run_id: str | None = Field(default=None, description="the run made from this row, if any")


class ScreenRowList(BaseModel):
    items: list[ScreenRowOut]
    total: int
    limit: int
    offset: int
    sort: str


JOBS = JobRoutes("screen", "screens", ScreenOut)


@router.post("", response_model=ScreenOut, status_code=201, summary="Start a universe screen")
async def create_screen(body: RunConfig, request: Request) -> ScreenOut:
    """The body is a backtest's run config (``universe`` or ``symbols``); each symbol is then
    backtested alone with it. Validated as a run is (naming the field) before it is stored."""
    screens = JOBS.service(request)
    symbols, universe = await screens.validate(body)
    screen_id = await screens.submit(body, symbols, universe)
    return await JOBS.get_out(request, screen_id)


@router.get("", response_model=ScreenList, summary="List screens (filters, true totals)")
async def list_screens(
    request: Request,
    status: JobStatus | None = None,
    strategy: StrategyFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
    sort: Literal[
        "created_at", "-created_at", "strategy_name", "-strategy_name", "status", "-status",
        "n_symbols", "-n_symbols",
    ] = "-created_at",
) -> ScreenList:  # fmt: skip
    rows, total = await JOBS.list_rows(
        request, status=status, strategy=strategy, limit=limit, offset=offset, sort=sort
    )
    return ScreenList(items=[JOBS.out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{screen_id}", response_model=ScreenOut, summary="One screen and its progress")
async def get_screen(screen_id: str, request: Request) -> ScreenOut:
    return await JOBS.get_out(request, screen_id)


@router.get("/{screen_id}/rows", response_model=ScreenRowList, summary="A screen's rows")
async def get_rows(
    screen_id: str,
    request: Request,
    limit: int = Query(100, ge=1, le=5000),
    offset: Offset = 0,
    sort: str = Query(
        "-sharpe",
        max_length=80,
        description="symbol, status, bars, duration_ms or any metric (sharpe, cagr, "
        "max_drawdown …); prefix '-' for descending; undefined values last",
    ),
    status: Literal["complete", "failed"] | None = None,
) -> ScreenRowList:
    await JOBS.get(request, screen_id)
    try:
        rows, total = await run_in_threadpool(
            JOBS.service(request).store.rows,
            screen_id, limit=limit, offset=offset, sort=sort, status=status,
        )  # fmt: skip
    except ValueError as e:
        raise ApiError(422, "validation_error", f"sort: {e}", {"field": "sort"}) from None
    return ScreenRowList(
        items=[ScreenRowOut(**r) for r in rows], total=total, limit=limit, offset=offset, sort=sort
    )


@router.post("/{screen_id}/cancel", response_model=ScreenOut, summary="Cancel a screen")
async def cancel_screen(screen_id: str, request: Request) -> ScreenOut:
    """Stops the screen at its next chunk of symbols; the rows so far stay."""
    return await JOBS.cancel(request, screen_id)


@router.delete("/{screen_id}", response_model=Deleted, summary="Delete a screen and its rows")
async def delete_screen(screen_id: str, request: Request) -> Deleted:
    return await JOBS.delete(request, screen_id)


@router.post(
    "/{screen_id}/rows/{symbol}/run",
    response_model=RunOut,
    status_code=201,
    summary="Open a row as its backtest run",
    responses={200: {"description": "the row's run, made before"}},
)
async def row_run(screen_id: str, symbol: str, request: Request, response: Response) -> RunOut:
    """The row's backtest: the screen's config with ``symbols=[symbol]``, made on first open
    (201) and the same run afterwards (200). Follow it on ``/ws/backtests/{id}``."""
    await JOBS.get(request, screen_id)
    out = await JOBS.service(request).row_run(screen_id, symbol)
    if out is None:
        raise ApiError(
            404, "not_found", f"screen {screen_id} has no row {symbol!r}", {"field": "symbol"}
        )
    run, created = out
    if not created:
        response.status_code = 200
    return _run_out(run)


@ws_router.websocket("/ws/screens/{screen_id}")
async def screen_events(websocket: WebSocket, screen_id: str) -> None:
    """``state`` first; then ``progress`` per chunk (``symbols_done``, ``n_symbols``); then one
    of completed/failed/cancelled/interrupted. ``GET /api/v2/screens/{id}`` polls the same."""
    await JOBS.events(
        websocket, screen_id, id_key="screen_id", counters=("symbols_done", "n_symbols"),
        with_snapshot=False,
        terminal_event=lambda row: {"type": row["status"], "run_id": screen_id,
                                    "screen_id": screen_id, "message": row.get("error")},
    )  # fmt: skip
