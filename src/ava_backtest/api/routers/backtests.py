"""/api/v2/backtests: create (validated, stored as queued, executed off the event loop), list with
true totals (filters, search, sort by any headline metric), read, label (name, tags, notes), trades,
equity curve, cancel, delete; and the WebSocket of a run's events."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections import OrderedDict
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ava_backtest.api.errors import ApiError
from ava_backtest.api.routers.data import bar_columns
from ava_backtest.api.security import WS_UNAUTHORIZED
from ava_backtest.domain.config import RunConfig
from ava_backtest.markets.registry import MARKETS
from ava_backtest.runs.defaults import default_capital, with_default_positions
from ava_backtest.runs.equity_views import equity_views
from ava_backtest.runs.execute import build_strategy, load_run_panel
from ava_backtest.runs.indicators import display_series
from ava_backtest.runs.symbols import symbol_table
from ava_backtest.strategies.registry import get_strategy

router = APIRouter(prefix="/backtests", tags=["backtests"])
ws_router = APIRouter(tags=["backtests"])

TERMINAL = ("completed", "failed", "cancelled", "interrupted")


class RunOut(BaseModel):
    id: str
    status: str
    strategy_name: str
    market: str
    universe: str | None = None
    symbols: list[str] | None = None
    config: dict[str, Any]
    params: dict[str, Any] | None = None
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    progress: float | None = None
    progress_message: str | None = None
    error: str | None = None
    error_code: str | None = None
    code_version: str | None = None
    data_fingerprint: str | None = None
    metrics: dict[str, Any] | None = None
    currency: str | None = None
    synthetic: bool | None = None
    effective_start: str | None = None
    notes: list[str] | None = None
    n_trades: int | None = None
    final_equity: float | None = None
    timings: dict[str, Any] | None = None
    cancel_requested: bool | None = None
    """A cancel sent to an API process that does not run the run, on its way to the one that does
    (the status changes once that process has stopped the worker)."""
    name: str | None = Field(None, description="the name someone gave the run (PATCH)")
    tags: list[str] = Field(default_factory=list, description="its tags (PATCH)")
    label_notes: str | None = Field(
        None,
        description="what someone wrote about the run (PATCH ``notes``); ``notes`` are the run's own",
    )


MAX_TAGS = 20
TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.:/+#-]{0,31}$")


class RunLabel(BaseModel):
    """``PATCH /backtests/{id}``: the fields given are set (``null`` or ``""`` clears one); the
    fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200, description="a short name; blank clears it")
    tags: list[str] | None = Field(
        None,
        description=f"up to {MAX_TAGS} tags of 1-32 characters: letters, digits, space and "
        "_ . : / + # - (starting with a letter or digit); duplicates (ignoring case) are dropped",
    )
    notes: str | None = Field(None, max_length=10_000, description="free text; blank clears it")

    @field_validator("name", "notes")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if any(ord(c) < 32 and c not in "\n\r\t" for c in v):
            raise ValueError("control characters are not allowed")
        return v.strip() or None

    @field_validator("name")
    @classmethod
    def _one_line(cls, v: str | None) -> str | None:
        if v is not None and ("\n" in v or "\r" in v):
            raise ValueError("a name is one line")
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        out: list[str] = []
        seen: set[str] = set()
        for i, raw in enumerate(v):
            tag = raw.strip()
            if not TAG_RE.match(tag):
                raise ValueError(
                    f"tag {i} ({raw[:40]!r}): 1-32 characters, letters, digits, space and "
                    "_ . : / + # - only, starting with a letter or digit"
                )
            if tag.lower() not in seen:
                seen.add(tag.lower())
                out.append(tag)
        if len(out) > MAX_TAGS:
            raise ValueError(f"at most {MAX_TAGS} tags (got {len(out)})")
        return out


class RunList(BaseModel):
    items: list[RunOut]
    total: int
    limit: int
    offset: int


class TradeOut(BaseModel):
    seq: int
    symbol: str
    direction: str
    entry_time: str
    exit_time: str
    entry_price: float
    exit_price: float
    qty: float
    pnl_gross: float
    fees: float
    dividends: float
    pnl_net: float
    return_pct: float | None = None
    exit_reason: str
    bars_held: int
    exit_qty: float | None = Field(None, description="shares sold; differs from qty after a split")
    entry_price_adj: float | None = Field(None, description="entry on the adjusted price scale")
    exit_price_adj: float | None = Field(None, description="exit on the adjusted price scale")
    qty_adj: float | None = Field(None, description="quantity on the adjusted price scale")


class TradeList(BaseModel):
    items: list[TradeOut]
    total: int
    limit: int
    offset: int


class EquityPointOut(BaseModel):
    date: str
    equity: float
    cash: float | None = None
    drawdown: float | None = None
    exposure: float | None = None
    benchmark: float | None = None


class EquityCurve(BaseModel):
    run_id: str
    points: list[EquityPointOut]


class Deleted(BaseModel):
    id: str
    deleted: bool


def _services(request: Request) -> Any:
    return request.app.state.services


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v


_LABEL_OUT = {"label_name": "name", "label_tags": "tags", "label_notes": "label_notes"}


def _run_out(row: dict[str, Any]) -> RunOut:
    out = {
        k: _iso(v) for k, v in row.items() if k in RunOut.model_fields and k not in ("name", "tags")
    }
    for col, key in _LABEL_OUT.items():
        if row.get(col) is not None:
            out[key] = row[col]
    return RunOut(**out)


async def _get_run(request: Request, run_id: str) -> dict[str, Any]:
    row = await run_in_threadpool(_services(request).store.get_run, run_id)
    if row is None:
        raise ApiError(404, "not_found", f"no backtest with id {run_id!r}", {"field": "id"})
    return row


async def _completed_run(request: Request, run_id: str) -> dict[str, Any]:
    """The run, refused with 409 unless it completed (what its results' endpoints need)."""
    row = await _get_run(request, run_id)
    if row["status"] != "completed":
        raise ApiError(
            409, "conflict", f"backtest {run_id} is {row['status']}, not completed",
            {"status": row["status"]},
        )  # fmt: skip
    return row


class BacktestRequest(RunConfig):
    """``POST /backtests``: a :class:`RunConfig`, or the original platform's body beside it.

    The original's names are read too: ``parameters`` (= ``params``), ``strategy_version``
    (``"latest"`` or the strategy's own version; not stored), ``market`` in any case, and its
    ``sizing``/``regime_filter``/``risk_rules`` left ``null``. Left out, ``initial_capital`` is
    the market's default (US $100,000, IN ₹10,00,000: the market registry's ``default_capital``)
    and, for a universe of more than 10 symbols with equal-slot sizing, ``max_positions`` is 10.
    """

    strategy_version: str = Field(
        default="latest",
        max_length=32,
        description="the original's field: \"latest\" or the strategy's version",
    )
    sync: bool = Field(
        default=False,
        description="first fetch what the market-data store lacks for this run (ava data sync)",
    )

    @model_validator(mode="before")
    @classmethod
    def _original_names(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "parameters" in data:
            if "params" in data:
                raise ValueError("give params or parameters (the original's name), not both")
            data["params"] = {} if data["parameters"] is None else data.pop("parameters")
            data.pop("parameters", None)
        market = data.get("market")
        if isinstance(market, str):
            data["market"] = _MARKET_CODES.get(market.strip().upper(), market)
        for key in ("sizing", "risk_rules"):
            if key in data and data[key] is None:
                del data[key]  # the original sent null for "not used"
        if data.get("regime_filter") is None:
            data.pop("regime_filter", None)
        if data.get("initial_capital") is None:
            data.pop("initial_capital", None)
            code = data.get("market", "US")
            capital = default_capital(code) if isinstance(code, str) else None
            if capital is not None:
                data["initial_capital"] = capital
        return data

    def run_config(self) -> RunConfig:
        return RunConfig.model_validate(
            self.model_dump(exclude={"strategy_version", "sync"}, exclude_unset=False)
        )


_MARKET_CODES = {code.upper(): code for code in MARKETS}


async def create_run(request: Request, body: BacktestRequest) -> RunOut:
    """Validates everything that can be known before running (strategy, parameters, universe or
    symbols, dates against the data), stores the run as ``queued`` and starts it in a worker."""
    # The run's own checks (symbols, dates and benchmark against the data, costs, what the
    # sizing mode needs from the signals): a bad request fails here, 4xx, not as a failed run.
    # The run service resolves the universe (built-in or custom) and runs these checks in its
    # validation helper process: the API process never loads a run's panel.
    services = _services(request)
    config = body.run_config()
    if body.strategy_version != "latest":
        version = get_strategy(config.strategy_name).version
        if body.strategy_version != version:
            raise ApiError(
                422, "validation_error",
                f"strategy_version: {config.strategy_name} is at version {version}; ask for "
                f"{version!r} or \"latest\"",
                {"field": "strategy_version"},
            )  # fmt: skip
    if body.sync:  # fetch first: the universe's members (or symbols) and the benchmarks
        from ava_backtest.data.sync import sync_for_run
        from ava_backtest.store.market_data import mirror_download

        resolved = await run_in_threadpool(services.runs.resolve, config)
        await run_in_threadpool(
            partial(sync_for_run, mirror=mirror_download), config.market, resolved,
            config.symbols, config.start_date, config.end_date,
        )  # fmt: skip
    if "max_positions" not in body.model_fields_set and config.universe is not None:
        universe = await run_in_threadpool(services.runs.resolve, config)
        config = with_default_positions(config, universe)
    universe, params = await services.runs.validate(config)
    run_id = await services.runs.submit(config, params=params, universe=universe)
    return _run_out(await _get_run(request, run_id))


@router.post("", response_model=RunOut, status_code=201, summary="Create a backtest")
async def create_backtest(body: BacktestRequest, request: Request) -> RunOut:
    """Validates everything that can be known before running (strategy, parameters, universe or
    symbols, dates against the data), stores the run as ``queued`` and starts it in a worker.
    The original platform's body is accepted too (see BacktestRequest)."""
    return await create_run(request, body)


@router.get("", response_model=RunList, summary="List backtests (filters, true totals)")
async def list_backtests(
    request: Request,
    status: Literal["queued", "running", "completed", "failed", "cancelled", "interrupted", "pending"] | None = Query(
        None, description='"pending" (the original platform\'s name) is "queued"'),
    market: Literal["US", "IN", "24x7"] | None = None,
    strategy: str | None = Query(None, max_length=100),
    created_from: dt.datetime | None = None,
    created_to: dt.datetime | None = None,
    search: str | None = Query(None, max_length=200, description=(
        "words that must each occur (case-insensitive) in the run's name, tags, strategy or notes"
    )),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
    sort: str = Query("-created_at", max_length=64, description=(
        "created_at, strategy_name, status, name, n_trades or any metric (total_return, sharpe, "
        "max_drawdown, cagr …), '-' for descending. Ratios and percentages rank runs of every "
        "currency; final_equity and other amounts sort within each currency (never $ against ₹)"
    )),
) -> RunList:  # fmt: skip
    try:
        rows, total = await run_in_threadpool(
            _services(request).store.list_runs,
            status="queued" if status == "pending" else status, market=market, strategy=strategy, created_from=created_from,
            created_to=created_to, search=(search or "").strip() or None, limit=limit,
            offset=offset, sort=sort,
        )  # fmt: skip
    except ValueError as e:
        raise ApiError(422, "validation_error", f"sort: {e}", {"field": "sort"}) from None
    return RunList(items=[_run_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/{run_id}", response_model=RunOut, summary="One backtest: config, status, metrics, timing"
)
async def get_backtest(run_id: str, request: Request) -> RunOut:
    return _run_out(await _get_run(request, run_id))


@router.patch(
    "/{run_id}", response_model=RunOut, summary="Name, tag and annotate a backtest (any status)"
)
async def label_backtest(run_id: str, label: RunLabel, request: Request) -> RunOut:
    """Sets the fields given (``name``, ``tags``, ``notes``); the others keep their value. The
    run's config and results never change."""
    await _get_run(request, run_id)
    fields = label.model_dump(include=label.model_fields_set)
    row = await run_in_threadpool(partial(_services(request).store.set_label, run_id, **fields))
    if row is None:
        raise ApiError(404, "not_found", f"no backtest with id {run_id!r}", {"field": "id"})
    return _run_out(row)


_TRADE_SORTS = [
    f"{sign}{c}"
    for c in (
        "seq",
        "symbol",
        "entry_time",
        "exit_time",
        "pnl_net",
        "return_pct",
        "bars_held",
        "fees",
        "qty",
    )
    for sign in ("", "-")
]


@router.get(
    "/{run_id}/trades",
    response_model=TradeList,
    summary="A backtest's trades (paginated, sortable)",
)
async def get_trades(
    run_id: str,
    request: Request,
    limit: int = Query(100, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=10_000_000),
    sort: Literal[tuple(_TRADE_SORTS)] = "seq",  # type: ignore[valid-type]
) -> TradeList:
    await _get_run(request, run_id)
    rows, total = await run_in_threadpool(
        _services(request).store.trades, run_id, limit=limit, offset=offset, sort=sort
    )
    items = [
        TradeOut(**{k: _iso(v) for k, v in r.items() if k in TradeOut.model_fields}) for r in rows
    ]
    return TradeList(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{run_id}/indicators",
    summary="The strategy's own display series for one symbol, on the prices it used",
    responses={
        200: {
            "description": "``series``: the strategy's declared overlays (on the price) and panes, "
            "one value per date (null while undefined); ``factor``: adjusted / as-traded price per "
            "date, to draw a price overlay on the as-traded chart; ``notes``: e.g. data changed "
            "since the run."
        }
    },
)
async def get_indicators(
    run_id: str,
    request: Request,
    symbol: str = Query(..., min_length=1, max_length=32, description="one of the run's symbols"),
) -> JSONResponse:
    row = await _get_run(request, run_id)
    config = RunConfig.model_validate(row["config"])
    services = _services(request)
    universe = await run_in_threadpool(services.runs.resolve, config)
    out = await run_in_threadpool(
        partial(
            display_series,
            config,
            symbol,
            universe=universe,
            fingerprint=row.get("data_fingerprint"),
        )
    )
    return JSONResponse({"run_id": run_id, **out})


@router.get(
    "/{run_id}/price-chart",
    summary="One symbol's price chart of a run: its bars (as columns) and the strategy's series",
    responses={
        200: {
            "description": "``bars``: what ``GET /data/bars/{market}/{symbol}`` answers over the "
            "run's dates, as columns (``time``, ``open``, ``high``, ``low``, ``close``, "
            "``volume``); ``indicators``: what ``GET /backtests/{id}/indicators`` answers for "
            "the symbol. One request, keyed by the run alone, serves the run page's chart: "
            "``symbol`` defaults to the run's first, ``prices`` to the view the chart opens "
            "with (adjusted unless the run used as-traded prices)."
        }
    },
)
async def get_price_chart(
    run_id: str,
    request: Request,
    symbol: str | None = Query(
        None,
        min_length=1,
        max_length=32,
        description="one of the run's symbols (default: its first)",
    ),
    prices: Literal["adjusted", "as_traded"] | None = Query(
        None, description="adjusted or as_traded bars (default: adjusted unless the run used none)"
    ),
) -> Response:
    row = await _completed_run(request, run_id)
    config = RunConfig.model_validate(row["config"])
    name = symbol if symbol is not None else next(iter(row.get("symbols") or []), None)
    if name is None:
        raise ApiError(409, "conflict", f"backtest {run_id} has no symbols", {"field": "symbol"})
    view = prices or ("as_traded" if config.adjustment == "none" else "adjusted")
    services = _services(request)
    universe = await run_in_threadpool(services.runs.resolve, config)

    def build() -> bytes:
        # The run's results never change; the data under them may (a sync): an answer is kept
        # for the data it was computed on (the run's panel fingerprint, as loaded now).
        strategy = build_strategy(config)
        panel, info = load_run_panel(config, strategy, universe)
        key = (run_id, name.strip().upper(), view, panel.fingerprint)
        hit = _CHARTS.get(key)
        if hit is not None:
            return hit
        # the series first: they check that the symbol is the run's
        indicators = display_series(
            config,
            name,
            fingerprint=row.get("data_fingerprint"),
            loaded=(strategy, panel, info),
        )
        bars = bar_columns(
            config.market, indicators["symbol"], config.start_date, config.end_date, view
        )
        body = _json_bytes(
            {"run_id": run_id, "symbol": indicators["symbol"], "prices": view, "bars": bars,
             "indicators": {"run_id": run_id, **indicators}}
        )  # fmt: skip
        _CHARTS.put(key, body)
        return body

    return Response(await run_in_threadpool(build), media_type="application/json")


class _Kept:
    """Answers kept by key, the least recently used dropped past ``limit`` bytes (thread-safe:
    the routes build them in worker threads)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self.items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> bytes | None:
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
            return body

    def put(self, key: tuple[str, ...], body: bytes) -> None:
        if len(body) > self.limit // 4:
            return  # one huge answer (years of minute bars) would push out everything else
        with self.lock:
            old = self.items.pop(key, None)
            self.size += len(body) - (len(old) if old is not None else 0)
            self.items[key] = body
            while self.size > self.limit:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)


_CHARTS = _Kept(64 << 20)
_CURVES = _Kept(64 << 20)


def _json_bytes(content: Any) -> bytes:
    """JSON as JSONResponse renders it, built off the event loop (large answers take ~10-25 ms)."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


@router.get(
    "/{run_id}/equity-curve", response_model=EquityCurve, summary="Equity, drawdown and benchmark"
)
async def get_equity(run_id: str, request: Request) -> EquityCurve:
    row = await _get_run(request, run_id)
    store = _services(request).store
    keys = tuple(EquityPointOut.model_fields)
    # A completed run's curve never changes: its answer is kept (a live run's grows).
    key = (run_id, str(row.get("finished_at"))) if row["status"] == "completed" else None

    def build() -> bytes:
        hit = _CURVES.get(key) if key else None
        if hit is not None:
            return hit
        points = [{k: _iso(r.get(k)) for k in keys} for r in store.equity(run_id)]
        body = _json_bytes({"run_id": run_id, "points": points})
        if key:
            _CURVES.put(key, body)
        return body

    # Thousands of points: serialised directly, not one model per point (the schema documents
    # it), and in a worker thread, not on the event loop the page's other requests wait on.
    return Response(await run_in_threadpool(build), media_type="application/json")  # type: ignore[return-value]


@router.get(
    "/{run_id}/symbols",
    summary="The run's closed trades by symbol: P&L, return contribution, win rate, exposure, fees",
    responses={
        200: {
            "description": "``items``: one row per traded symbol; ``totals``: their column sums; "
            "``run_pnl``: final equity - initial capital; ``not_in_closed_trades``: run_pnl minus "
            "the closed trades' net P&L (positions still open at the end, marked to market)."
        }
    },
)
async def get_symbols(run_id: str, request: Request) -> JSONResponse:
    row = await _completed_run(request, run_id)
    store = _services(request).store
    rows, _ = await run_in_threadpool(partial(store.trades, run_id, limit=10**9, offset=0))
    sessions = len(await run_in_threadpool(store.equity, run_id))
    out = await run_in_threadpool(
        partial(
            symbol_table,
            rows,
            sessions=sessions,
            initial_capital=float(row["config"]["initial_capital"]),
            final_equity=row.get("final_equity"),
        )
    )
    return JSONResponse({"run_id": run_id, **out})


@router.get(
    "/{run_id}/equity-views",
    summary="Worst drawdowns, rolling Sharpe / volatility / beta, return histogram, exposure",
)
async def get_equity_views(
    run_id: str,
    request: Request,
    window: int = Query(63, ge=2, le=2520, description="rolling window, in bars"),
    bins: int = Query(40, ge=5, le=200, description="histogram bins"),
    top: int = Query(5, ge=1, le=50, description="how many of the worst drawdowns"),
) -> JSONResponse:
    row = await _completed_run(request, run_id)
    points = await run_in_threadpool(_services(request).store.equity, run_id)
    config = RunConfig.model_validate(row["config"])
    out = await run_in_threadpool(
        partial(
            equity_views, [{k: _iso(v) for k, v in p.items()} for p in points],
            market=config.market, risk_free_rate=config.risk_free_rate, window=window,
            bins=bins, top=top,
        )
    )  # fmt: skip
    return JSONResponse({"run_id": run_id, **out})


@router.post(
    "/{run_id}/cancel", response_model=RunOut, summary="Cancel a queued or running backtest"
)
async def cancel_backtest(run_id: str, request: Request) -> RunOut:
    row = await _get_run(request, run_id)
    if row["status"] in TERMINAL:
        raise ApiError(
            409,
            "conflict",
            f"backtest {run_id} is already {row['status']}",
            {"status": row["status"]},
        )
    # The run's owner stops it: this process, or a peer sharing the database (which may take a
    # heartbeat to notice); the answer is the state recorded by then, never a guess.
    row = await _services(request).runs.cancel(run_id) or await _get_run(request, run_id)
    return _run_out(row)


@router.delete("/{run_id}", response_model=Deleted, summary="Delete a backtest and its results")
async def delete_backtest(run_id: str, request: Request) -> Deleted:
    await _get_run(request, run_id)
    deleted = await _services(request).runs.delete(run_id)  # a live run is cancelled first
    return Deleted(id=run_id, deleted=deleted)


async def _stream(websocket: WebSocket, run_id: str) -> None:
    services = websocket.app.state.services
    if not services.authorized_ws(websocket):
        # Accept, then close: a close before the handshake reaches a browser as 1006, no code.
        await websocket.accept()
        await websocket.close(code=WS_UNAUTHORIZED, reason="missing or wrong bearer token")
        return
    await websocket.accept()
    async with services.bus.subscribe(run_id) as events:
        row = await run_in_threadpool(services.store.get_run, run_id)
        if row is None:
            await websocket.send_json(
                {"type": "error", "run_id": run_id, "message": f"no backtest with id {run_id!r}"}
            )
            await websocket.close(code=4404)
            return
        last = await events.snapshot()
        state = {
            "type": "state",
            "run_id": run_id,
            "status": row["status"],
            "percent": round(100 * (row.get("progress") or 0.0), 1),
            "message": row.get("progress_message"),
            "last_event": last,
        }
        await websocket.send_json(state)
        if row["status"] in TERMINAL:
            await websocket.send_json(services.terminal_event(row))
            await websocket.close()
            return
        try:
            async for event in events:
                await websocket.send_json(event)
                if event.get("type") in TERMINAL:
                    break
        except WebSocketDisconnect:
            return
    await websocket.close()


@ws_router.websocket("/ws/backtests/{run_id}")
async def backtest_events(websocket: WebSocket, run_id: str) -> None:
    """``state`` first, then ``progress`` and ``log``, then one of completed/failed/cancelled/interrupted."""
    await _stream(websocket, run_id)
