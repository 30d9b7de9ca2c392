"""/api/v2/data: which symbols exist, their coverage, and their bars."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ava_backtest.api.errors import ApiError
from ava_backtest.api.security import WS_UNAUTHORIZED
from ava_backtest.data.panel import load_panel_with_info
from ava_backtest.data.sync import expand_symbols
from ava_backtest.data.universes import list_symbols
from ava_backtest.domain.errors import ConfigError, DataError
from ava_backtest.markets import get_market
from ava_backtest.store.market_data import mirror_download

router = APIRouter(prefix="/data", tags=["data"])


class SymbolOut(BaseModel):
    symbol: str
    market: str
    name: str
    kind: str
    timeframe: str
    price_basis: str
    first: dt.date
    last: dt.date
    synthetic: bool
    source: str
    licence: str


class SymbolList(BaseModel):
    items: list[SymbolOut]
    total: int


class Bar(BaseModel):
    time: str
    open: float | None
    high: float | None
    low: float | None
    close: float | None
    volume: float | None


class BarsOut(BaseModel):
    market: str
    symbol: str
    adjustment: str
    synthetic: bool
    notes: list[str]
    bars: list[Bar]
    total: int


@router.get(
    "/symbols", response_model=SymbolList, summary="Symbols of a market with their coverage"
)
def symbols(market: Literal["US", "IN", "24x7"] = Query("US")) -> SymbolList:
    get_market(market)
    items = [
        SymbolOut(
            symbol=s.symbol,
            market=s.market,
            name=s.name,
            kind=s.kind,
            timeframe=s.timeframe,
            price_basis="synthetic" if s.synthetic else s.price_basis,
            first=s.first,
            last=s.last,
            synthetic=s.synthetic,
            source=s.source,
            licence=s.licence,
        )
        for s in list_symbols(market)
    ]
    return SymbolList(items=items, total=len(items))


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _column(a: np.ndarray) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in a.astype(float).tolist()]


BAR_FIELDS = ("open", "high", "low", "close", "volume")


def bar_columns(
    market: str,
    symbol: str,
    start: dt.date | None,
    end: dt.date | None,
    prices: Literal["adjusted", "as_traded"],
) -> dict[str, Any]:
    """What ``GET /data/bars`` answers, as columns: ``time`` and one list per OHLCV field (null
    where not finite), the bars whose close is finite. A chart reads these without a dict per bar
    (the run page's price chart: ``GET /backtests/{id}/price-chart``)."""
    mode = "adjusted" if prices == "adjusted" else "none"
    panel, _ = load_panel_with_info(market, [symbol], start, end, adjustment=mode)
    b = panel.bars
    keep = np.isfinite(b.close[:, 0])
    times = [str(t)[:19].replace("T00:00:00", "") for t in panel.dates[keep]]
    return {
        "market": market,
        "symbol": panel.symbols[0],
        "adjustment": prices,
        "synthetic": bool(panel.synthetic[0]),
        "notes": list(panel.notes),
        "time": times,
        **{f: _column(getattr(b, f)[keep, 0]) for f in BAR_FIELDS},
        "total": len(times),
    }


@router.get("/bars/{market}/{symbol}", response_model=BarsOut, summary="Bars of one symbol")
def bars(
    market: Literal["US", "IN", "24x7"],
    symbol: str,
    start: dt.date | None = Query(None, description="first date (default: the data's first)"),
    end: dt.date | None = Query(None, description="last date (default: the data's last)"),
    prices: Literal["adjusted", "as_traded"] = Query(
        "adjusted",
        description="adjusted (split+dividend, for charts) or as_traded (what fills see)",
    ),
) -> BarsOut:
    c = bar_columns(market, symbol, start, end, prices)
    rows = [
        Bar(time=t, open=o, high=h, low=lo, close=cl, volume=v)
        for t, o, h, lo, cl, v in zip(
            c["time"], c["open"], c["high"], c["low"], c["close"], c["volume"], strict=True
        )
    ]
    return BarsOut(
        market=market, symbol=c["symbol"], adjustment=prices, synthetic=c["synthetic"],
        notes=c["notes"], bars=rows, total=len(rows),
    )  # fmt: skip


# -- synced market data: candles, search, sync, providers (issue 17) ------------------------


class Candle(BaseModel):
    ts: str
    open: float | None
    high: float | None
    low: float | None
    close: float | None
    volume: float | None
    adj_close: float | None


class CandlesOut(BaseModel):
    symbol: str
    market: str
    timeframe: str
    source: str
    candles: list[Candle]


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    """Both inside the dates bars can have, ``start`` not after ``end``; the field is named."""
    from ava_backtest.domain.config import MAX_DATE, MIN_DATE

    for name, day in (("start", start), ("end", end)):
        if day is not None and not MIN_DATE <= day <= MAX_DATE:
            raise ConfigError(
                f"{day} is outside the supported dates {MIN_DATE} .. {MAX_DATE}", field=name
            )
    if start is not None and end is not None and start > end:
        raise ConfigError(f"start {start} is after end {end}", field="start")


def _keyed(vendors: list[Any]) -> list[Any]:
    """The vendors the user configured with a key: candles never reach a keyless archive (NSE)
    unasked; name it with ``provider`` (or sync) to use it."""
    return [v for v in vendors if v.key_variables]


def _candle_frame(
    market: str, symbol: str, timeframe: str, start: dt.date, end: dt.date, provider: str | None
) -> tuple[str, str]:
    """(panel name, source) of the symbol's bars, syncing missing sessions first when a
    provider is configured (the original's cache-first candles)."""
    from ava_backtest.data import market_store
    from ava_backtest.data.sync import default_providers, sync_symbols
    from ava_backtest.data.universes import get_symbol

    base = market_store.normalise(symbol)
    name = market_store.panel_name(base, timeframe)
    if market_store.missing_ranges(market, timeframe, base, start, end):
        try:
            vendors = default_providers(market, provider, timeframe)
        except ConfigError:
            if provider:
                raise
            vendors = []
        if not provider:
            vendors = _keyed(vendors)
        if vendors:
            state = sync_symbols(
                market, [base], start, end, timeframe=timeframe, providers=vendors,
                auxiliary=False, mirror=mirror_download,
            )  # fmt: skip
            if state.errors and market_store.stored(market, timeframe, base) is None:
                raise DataError(state.errors[0]["error"], field="symbol")
    info = get_symbol(market, name)
    return info.symbol, info.source


@router.get(
    "/candles",
    response_model=CandlesOut,
    summary="OHLCV candles of one symbol (synced first when a provider is configured)",
)
def candles(
    symbol: str = Query(..., min_length=1, max_length=30, description="e.g. AAPL, RELIANCE"),
    market: Literal["US", "IN"] = Query("US"),
    timeframe: Literal["1d", "1h", "15m", "5m", "1m"] = Query("1d"),
    start: dt.date = Query(..., description="first date (YYYY-MM-DD)"),
    end: dt.date = Query(..., description="last date (YYYY-MM-DD)"),
    provider: str | None = Query(None, description="sync from this vendor only"),
) -> CandlesOut:
    _check_dates(start, end)
    name, source = _candle_frame(market, symbol, timeframe, start, end, provider)
    raw, _ = load_panel_with_info(market, [name], start, end, adjustment="none")
    adj, _ = load_panel_with_info(market, [name], start, end, adjustment="adjusted")
    b, a = raw.bars, adj.bars
    daily = timeframe == "1d"
    times = [
        str(t)[:10] if daily else str(t)[:19] + "Z" for t in raw.bars.dates.astype("datetime64[s]")
    ]
    rows = [
        Candle(
            ts=times[i],
            open=_num(b.open[i, 0]),
            high=_num(b.high[i, 0]),
            low=_num(b.low[i, 0]),
            close=_num(b.close[i, 0]),
            volume=_num(b.volume[i, 0]),
            adj_close=_num(a.close[i, 0]),
        )
        for i in range(len(times))
        if np.isfinite(b.close[i, 0])
    ]
    return CandlesOut(symbol=name, market=market, timeframe=timeframe, source=source, candles=rows)


class ProviderOut(BaseModel):
    name: str
    title: str
    markets: list[str]
    timeframes: list[str]
    configured: bool
    key_variables: list[str]
    requests_per_minute: float
    reachable: bool | None
    error: str | None


class ProvidersOut(BaseModel):
    items: list[ProviderOut]
    checked: bool


@router.get(
    "/providers", response_model=ProvidersOut, summary="Market-data vendors and their state"
)
def providers(
    check: bool = Query(False, description="ping each configured vendor (one cheap request)"),
) -> ProvidersOut:
    from ava_backtest.data.providers.registry import provider_status

    items = [
        ProviderOut(
            name=s.name,
            title=s.title,
            markets=list(s.markets),
            timeframes=list(s.timeframes),
            configured=s.configured,
            key_variables=list(s.key_variables),
            requests_per_minute=s.requests_per_minute,
            reachable=s.reachable,
            error=s.error,
        )
        for s in provider_status(check=check)
    ]
    return ProvidersOut(items=items, checked=check)


class SyncBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    universe: str | None = Field(
        "sp500_liquid", description="a named universe (sp500_liquid, nifty50, ...) or custom one"
    )
    symbols: list[str] | None = Field(None, description="instead of a universe: these symbols")
    market: Literal["US", "IN"] | None = Field(None, description="default: the universe's")
    provider: str | None = Field(None, description="one vendor; default the market's order")
    timeframe: Literal["1d", "1h", "15m", "5m", "1m"] = "1d"
    start: dt.date | None = Field(None, description="default: end - days")
    end: dt.date | None = Field(None, description="default: today")
    days: int = Field(365, ge=1, le=365 * 60, description="history when start is not given")
    max_symbols: int = Field(0, ge=0, le=100_000, description="0 = every member")
    auxiliary: bool = Field(True, description="also sync the market's benchmarks and VIX")
    sentiment: bool = Field(
        False, description="also store Finnhub's news-sentiment snapshot of each (US) symbol"
    )

    @field_validator("symbols")
    @classmethod
    def _symbols(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and not v:
            raise ValueError("symbols: give at least one symbol, or leave it out")
        return v


class SyncState(BaseModel):
    job_id: str | None
    message: str
    status: Literal["idle", "running", "completed", "failed"]
    universe: str | None
    market: str | None
    provider: str | None
    timeframe: str | None
    start: str | None
    end: str | None
    total: int
    done: int
    current: str | None
    percent: float
    requests: int
    skipped: int
    bars_written: int
    errors: list[dict[str, str]]
    started_at: str | None
    completed_at: str | None


SYNC_CHANNEL = "data-sync"


class SyncManager:
    """One background sync per API process (and one per AVA_HOME across processes, by the
    store's lock); its state for GET /data/sync/status, its events on the bus for the socket."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state: dict[str, Any] = self._idle()

    @staticmethod
    def _idle() -> dict[str, Any]:
        return {
            "job_id": None, "message": "no sync has run in this process", "status": "idle",
            "universe": None, "market": None, "provider": None, "timeframe": None, "start": None,
            "end": None, "total": 0, "done": 0, "current": None, "percent": 0.0, "requests": 0,
            "skipped": 0, "bars_written": 0, "errors": [], "started_at": None,
            "completed_at": None,
        }  # fmt: skip

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {**self.state, "errors": list(self.state["errors"])}

    def start(
        self, plan: SyncPlan, loop: asyncio.AbstractEventLoop, bus: Any
    ) -> dict[str, Any] | None:
        """The new state, or None when a sync is already running."""
        with self._lock:
            if self.state["status"] == "running":
                return None
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            self.state = {
                **self._idle(),
                "job_id": uuid.uuid4().hex[:12],
                "message": f"syncing {plan.label}",
                "status": "running",
                "universe": plan.universe,
                "market": plan.market,
                "provider": plan.provider,
                "timeframe": plan.timeframe,
                "start": plan.start.isoformat(),
                "end": plan.end.isoformat(),
                "total": len(
                    expand_symbols(plan.market, plan.symbols, plan.timeframe, plan.auxiliary)
                ),
                "started_at": now,
            }
            snapshot = {**self.state}
        threading.Thread(
            target=self._run, args=(plan, loop, bus), name="ava-data-sync", daemon=True
        ).start()
        return snapshot

    def _emit(self, loop: asyncio.AbstractEventLoop, bus: Any, event: dict[str, Any]) -> None:
        coro = bus.publish(SYNC_CHANNEL, event)
        try:
            asyncio.run_coroutine_threadsafe(coro, loop)
        except RuntimeError:  # the app's loop is gone (shutting down): nobody is listening
            coro.close()

    def _run(self, plan: SyncPlan, loop: asyncio.AbstractEventLoop, bus: Any) -> None:
        from ava_backtest.data.sync import SyncProgress, sync_symbols

        def progress(p: SyncProgress) -> None:
            with self._lock:
                self.state.update(
                    total=p.total, done=p.done, current=p.current, requests=p.requests,
                    skipped=p.skipped, bars_written=p.bars_written, errors=list(p.errors),
                    percent=round(100 * p.done / p.total, 1) if p.total else 100.0,
                    message=f"{p.done}/{p.total}" + (f" {p.current}" if p.current else ""),
                )  # fmt: skip
                event = {"type": "progress", **self.state, "errors": list(p.errors)}
            self._emit(loop, bus, event)

        try:
            final = sync_symbols(
                plan.market, plan.symbols, plan.start, plan.end, timeframe=plan.timeframe,
                providers=plan.vendors, auxiliary=plan.auxiliary, progress=progress,
                sentiment=plan.sentiment, mirror=mirror_download,
            )  # fmt: skip
            progress(final)
            with self._lock:
                bad = len(final.errors)
                self.state.update(
                    status="completed", current=None,
                    message=f"synced {final.done} symbols: {final.requests} downloads, "
                    f"{final.skipped} already covered, {bad} with errors",
                )  # fmt: skip
        except Exception as e:
            with self._lock:
                self.state.update(status="failed", current=None, message=str(e))
        finally:
            for v in plan.vendors:
                close = getattr(v, "close", None)
                if callable(close):
                    with contextlib.suppress(Exception):
                        close()
            with self._lock:
                self.state["completed_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                event = {"type": self.state["status"], **self.state}
            self._emit(loop, bus, event)


@dataclass
class SyncPlan:
    label: str
    universe: str | None
    market: str
    provider: str | None
    timeframe: str
    start: dt.date
    end: dt.date
    symbols: list[str]
    vendors: list[Any]
    auxiliary: bool
    sentiment: bool = False


def plan_sync(body: SyncBody, custom: Any = None) -> SyncPlan:
    """What a sync request means, checked field by field before anything runs."""
    from ava_backtest.data import universe_members
    from ava_backtest.data.market_store import normalise
    from ava_backtest.data.sync import default_providers
    from ava_backtest.data.universes import resolve_universe

    today = dt.datetime.now(dt.UTC).date()
    _check_dates(body.start, body.end)
    end = body.end or today
    if body.start is None:
        try:
            start = end - dt.timedelta(days=body.days)
        except OverflowError:
            raise ConfigError(
                f"{body.days} days before {end} is not a date", field="days"
            ) from None
        _check_dates(start, None)
    else:
        start = body.start
    _check_dates(start, end)
    if body.symbols:
        market = body.market or "US"
        symbols = [normalise(s) for s in body.symbols]
        label, universe = ", ".join(symbols[:5]) + ("..." if len(symbols) > 5 else ""), None
    else:
        if not body.universe:
            raise ConfigError("give a universe or symbols", field="universe")
        u = resolve_universe(body.universe, custom)
        if body.market and body.market != u.market:
            raise ConfigError(
                f"universe {u.name} belongs to market {u.market}, not {body.market}", field="market"
            )
        market = u.market
        members = (
            universe_members.member_list(u.name) if u.name in universe_members.names() else None
        )
        if members is not None and members.derived_from:
            symbols = list(universe_members.member_list(members.derived_from).symbols)
        else:
            symbols = list(u.symbols)
        label, universe = u.name, u.name
    if body.max_symbols:
        symbols = symbols[: body.max_symbols]
    vendors = default_providers(market, body.provider, body.timeframe)
    return SyncPlan(
        label=label, universe=universe, market=market, provider=body.provider,
        timeframe=body.timeframe, start=start, end=end, symbols=symbols, vendors=vendors,
        auxiliary=body.auxiliary, sentiment=body.sentiment,
    )  # fmt: skip


def _manager(app: Any) -> SyncManager:
    manager = getattr(app.state, "data_sync", None)
    if manager is None:
        manager = app.state.data_sync = SyncManager()
    return manager


def _custom_universes(request: Request) -> Any:
    from ava_backtest.runs.service import store_universes

    services = getattr(request.app.state, "services", None)
    return store_universes(services.store) if services is not None else None


@router.post(
    "/sync",
    response_model=SyncState,
    status_code=202,
    summary="Start a background sync of a universe's bars (one at a time)",
    responses={409: {"description": "a sync is already running; the body carries its state"}},
)
async def start_sync(body: SyncBody, request: Request) -> SyncState:
    plan = await run_in_threadpool(plan_sync, body, _custom_universes(request))
    manager = _manager(request.app)
    state = manager.start(plan, asyncio.get_running_loop(), request.app.state.services.bus)
    if state is None:
        raise ApiError(409, "sync_running", "Sync already running", manager.snapshot())
    return SyncState(**state)


@router.get("/sync/status", response_model=SyncState, summary="The state of the last sync")
def sync_status(request: Request) -> SyncState:
    return SyncState(**_manager(request.app).snapshot())


search_router = APIRouter(tags=["data"])


class SymbolHit(BaseModel):
    symbol: str
    name: str
    exchange: str
    sector: str


class SearchOut(BaseModel):
    results: list[SymbolHit]
    market: str
    source: str


@search_router.get("/symbols/search", response_model=SearchOut, summary="Find symbols by name")
def search_symbols(
    q: str = Query(..., min_length=1, max_length=100, description="part of a symbol or name"),
    market: Literal["US", "IN"] = Query("US"),
    provider: str | None = Query(None, description="ask this vendor only"),
    limit: int = Query(20, ge=1, le=100),
) -> SearchOut:
    """The named vendor's search, else the first vendor configured with a key; with none, the
    symbols Ava has on disk (shipped, uploaded, synced). ``source`` says which answered."""
    from ava_backtest.data.providers.base import ProviderError
    from ava_backtest.data.providers.registry import providers_for
    from ava_backtest.data.providers.registry import search_symbols as vendor_search

    if not q.strip():
        raise ConfigError("the search text is empty", field="q")
    keyed = _keyed(providers_for(market))
    if provider or keyed:
        try:
            found, vendor = vendor_search(market, q, limit, provider or keyed[0].name)
        except ProviderError as e:
            raise DataError(str(e), field="provider" if provider else "q") from None
        hits = [
            SymbolHit(symbol=m.symbol, name=m.name, exchange=m.exchange, sector=m.kind)
            for m in found[:limit]
        ]
        return SearchOut(results=hits, market=market, source=vendor)
    needle = q.strip().upper()
    local = [
        SymbolHit(symbol=s.symbol, name=s.name, exchange=s.market, sector=s.kind)
        for s in list_symbols(market)
        if needle in s.symbol.upper() or needle in s.name.upper()
    ]
    return SearchOut(results=local[:limit], market=market, source="local")


ws_router = APIRouter()


@ws_router.websocket("/ws/data/sync")
async def sync_socket(websocket: WebSocket) -> None:
    """``state`` (the sync's state now), then ``progress`` events until ``completed`` or
    ``failed``; closes at once after the state when no sync is running."""
    services = websocket.app.state.services
    if not services.authorized_ws(websocket):
        await websocket.accept()
        await websocket.close(code=WS_UNAUTHORIZED, reason="missing or wrong bearer token")
        return
    await websocket.accept()
    manager = _manager(websocket.app)
    async with services.bus.subscribe(SYNC_CHANNEL) as events:
        state = manager.snapshot()
        await websocket.send_json({"type": "state", **state})
        if state["status"] != "running":
            await websocket.close()
            return
        try:
            async for event in events:
                if event.get("job_id") != state["job_id"]:
                    continue
                await websocket.send_json(event)
                if event.get("type") in ("completed", "failed"):
                    break
        except WebSocketDisconnect:
            return
    await websocket.close()
