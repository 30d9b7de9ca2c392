"""The FastAPI application.

``create_app()`` wires the run store (SQLite by default, PostgreSQL with ``AVA_DATABASE_URL``), the
event bus (in-process, or Redis with ``AVA_REDIS_URL``) and the run service with its worker pool.
Several API processes may share one database: each owns the runs it accepted (see
``runs.service``), and start-up marks ``interrupted`` only runs whose owner process is gone.
"""

from __future__ import annotations

import gc
import gzip
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import ava_backtest
from ava_backtest.api import api_docs, errors, security
from ava_backtest.api.routers import (
    analytics,
    backtests,
    data,
    health,
    markets,
    meta,
    optimizations,
    strategies,
    universes,
    uploads,
)
from ava_backtest.api.routers import builder as builder_router
from ava_backtest.api.routers import screens as screens_router
from ava_backtest.api.routers import trade_levels as trade_levels_router
from ava_backtest.api.routers import walkforwards as walkforwards_router
from ava_backtest.runs.events import EventBus, make_bus
from ava_backtest.runs.executor import RunExecutor
from ava_backtest.runs.screens import ScreenService
from ava_backtest.runs.service import RunService
from ava_backtest.runs.studies import StudyService
from ava_backtest.runs.walkforwards import WalkForwardService
from ava_backtest.settings import Settings, get_settings, warn_unknown_variables
from ava_backtest.store.db import database_url, make_engine, migrate
from ava_backtest.store.repository import RunStore
from ava_backtest.store.screens import ScreenStore
from ava_backtest.store.studies import StudyStore
from ava_backtest.store.walkforwards import WalkForwardStore

log = logging.getLogger("ava.api")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@dataclass
class Services:
    settings: Settings
    store: RunStore
    bus: EventBus
    runs: RunService
    """The run lifecycle: create, cancel, delete, status and events (``runs.service``)."""
    studies: StudyService | None = None
    """Optimisation studies, the same lifecycle (``runs.studies``)."""
    screens: ScreenService | None = None
    """Universe screens, the same lifecycle (``runs.screens``)."""
    walkforwards: WalkForwardService | None = None
    """Walk-forward analyses, the same lifecycle (``runs.walkforwards``)."""

    def authorized(self, header: str | None) -> bool:
        return security.bearer_ok(header, self.settings.api_token)

    def authorized_ws(self, websocket: WebSocket) -> bool:
        return security.request_ok(
            websocket.headers, websocket.query_params, self.settings.api_token, query_ok=True
        )

    @property
    def executor(self) -> RunExecutor:
        return self.runs.executor

    def terminal_event(self, row: dict[str, Any]) -> dict[str, Any]:
        return self.runs.terminal_event(row)


class _Guard(BaseHTTPMiddleware):
    """Bearer token on the API (but health/version) and its docs, not on the UI; a cap on request
    bodies."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        services: Services = request.app.state.services
        limit = services.settings.max_body_bytes
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return errors.error_response(
                413, "payload_too_large", f"request body over {limit} bytes"
            )
        path = security.canonical_path(request.url.path)
        if security.needs_token(path) and not security.request_ok(
            request.headers,
            request.query_params,
            services.settings.api_token,
            query_ok=path in security.DOCS_PATHS,  # a browser opening /docs sends no header
        ):
            return errors.error_response(401, "unauthorized", "missing or wrong bearer token")
        return await call_next(request)


class _BodyCap:
    """The body cap while the body streams in: a chunked body has no Content-Length for _Guard
    to check. Over the cap, reading the body raises a 413 (answered in the error shape)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise StarletteHTTPException(413, f"request body over {self.limit} bytes")
            return message

        await self.app(scope, capped, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app. Without ``settings``, they are read from the environment here: a malformed known
    variable raises :class:`~ava_backtest.settings.SettingsError` naming it, and each unknown
    ``AVA_*`` name is logged as a warning."""
    if settings is None:
        settings = get_settings()
        warn_unknown_variables()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(database_url(settings.database_url))
        migrate(engine)
        store = RunStore(engine)
        bus = make_bus(settings.redis_url)
        runs = RunService(store, bus, workers=settings.workers, dask_address=settings.dask_address)
        studies = StudyService(
            StudyStore(engine), bus, runs, engine.url.render_as_string(hide_password=False),
            workers=settings.workers, grid_limit=settings.grid_limit,
            dask_address=settings.dask_address,
        )  # fmt: skip
        screens = ScreenService(
            ScreenStore(engine), bus, runs, engine.url.render_as_string(hide_password=False),
            workers=settings.workers, dask_address=settings.dask_address,
        )  # fmt: skip
        walkforwards = WalkForwardService(
            WalkForwardStore(engine), bus, runs, engine.url.render_as_string(hide_password=False),
            workers=settings.workers,
        )  # fmt: skip
        services = Services(settings=settings, store=store, bus=bus, runs=runs, studies=studies,
                            walkforwards=walkforwards)  # fmt: skip
        services.screens = screens
        app.state.services = services
        # Interrupts only runs whose owner process is gone, never a live peer's.
        await runs.start()
        await studies.start()
        await screens.start()
        await walkforwards.start()
        # Start-up objects (modules, strategies, calendars) never die: keep them out of the
        # collector's full passes, which otherwise pause the event loop for ~100 ms under load.
        gc.freeze()
        try:
            yield
        finally:
            await walkforwards.shutdown()
            await screens.shutdown()
            await studies.shutdown()  # interrupts this process's own studies only
            await runs.shutdown()  # interrupts this process's own runs only
            await bus.close()
            engine.dispose()

    app = FastAPI(
        title="Ava API",
        version=ava_backtest.__version__,
        description="Backtests, strategies, markets and data. Errors: {'error': {code, message, details}}.",
        lifespan=lifespan,
        docs_url=None,  # served by api_docs.install: the token may come as ?token= there
        redoc_url=None,
        responses={
            400: {"model": errors.ErrorResponse},
            401: {"model": errors.ErrorResponse},
            404: {"model": errors.ErrorResponse},
            409: {"model": errors.ErrorResponse},
            413: {"model": errors.ErrorResponse},
            422: {"model": errors.ErrorResponse},
            500: {"model": errors.ErrorResponse},
        },
    )
    errors.install(app)
    api_docs.install(app, bearer=bool(settings.api_token))
    # Inside _Guard, so its 413 is raised in the route's own call and answered as an ApiError is.
    app.add_middleware(_BodyCap, limit=settings.max_body_bytes)
    app.add_middleware(_Guard)
    # Equity curves and trade pages are large. Level 4: a third of level 9's CPU for ~7% more bytes
    # (a page's first load asks for several large answers at once; compressing them at 9 was the
    # bulk of their server time). The UI's own files are compressed once, in _mount_ui.
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=4)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials=True,
        )
    api = APIRouter(prefix="/api/v2")
    for r in (
        health.router,
        strategies.router,
        markets.router,
        meta.router,
        universes.router,
        data.router,
        uploads.router,
        backtests.router,
        trade_levels_router.router,
        optimizations.router,
        analytics.router,
        screens_router.router,
        walkforwards_router.router,
        builder_router.router,
    ):
        api.include_router(r)
    api.include_router(data.search_router)  # /api/v2/symbols/search, as the original
    api.include_router(data.ws_router)  # /api/v2/ws/data/sync
    api.include_router(backtests.ws_router)
    api.include_router(optimizations.ws_router)
    api.include_router(screens_router.ws_router)
    api.include_router(walkforwards_router.ws_router)
    app.include_router(api)
    # GET /health at the root too, where the original platform served it (open, like /api/v2/health)
    app.add_api_route("/health", health.health, response_model=health.Health, tags=["health"],
                      summary="Liveness (the original platform's path)", methods=["GET"])  # fmt: skip
    app.include_router(backtests.ws_router)  # the path the original README documents
    app.include_router(optimizations.ws_router)  # /ws/optimizations/{id}, as backtests
    app.include_router(screens_router.ws_router)  # /ws/screens/{id}
    app.include_router(walkforwards_router.ws_router)  # /ws/walk-forwards/{id}
    app.include_router(data.ws_router)  # /ws/data/sync
    _mount_ui(app)
    return app


_PACKED = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_packed: dict[Path, tuple[int, int, bytes]] = {}


def _gzipped(path: Path) -> bytes | None:
    """The UI file gzipped once (level 9) and kept while its size and mtime stay the same: the
    bundle is half a megabyte, and compressing it on every page load took ~40 ms of the server's
    CPU while the page's first API answers waited. None: the file vanished meanwhile."""
    try:
        st = path.stat()
    except OSError:
        return None
    hit = _packed.get(path)
    if hit is not None and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
        return hit[2]
    try:
        body = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
    except OSError:
        return None
    if len(_packed) > 256:  # rebuilt UIs leave old hashed names behind
        _packed.clear()
    _packed[path] = (st.st_size, st.st_mtime_ns, body)
    return body


def _mount_ui(app: FastAPI) -> None:
    """Serve the built UI at / with SPA fallback; say so plainly when it has not been built."""

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    async def ui(path: str, request: Request) -> Response:
        # `//api/v2/x` reaches this route too (its path is not the router's `/api/v2/x`).
        wanted = security.canonical_path(path)
        if wanted in ("/api", "/ws") or wanted.startswith(("/api/", "/ws/")):
            return errors.error_response(404, "not_found", f"{wanted} not found")
        index = STATIC_DIR / "index.html"
        if not index.exists():
            return HTMLResponse(
                "<!doctype html><title>Ava</title><h1>Ava API is running</h1>"
                "<p>The web UI has not been built: run <code>make run</code> with Node.js installed. "
                'The API is at <a href="/docs">/docs</a>.</p>',
                status_code=200,
            )
        target = (STATIC_DIR / path).resolve()
        if path and target.is_file() and STATIC_DIR in target.parents:
            if "gzip" in request.headers.get("accept-encoding", "") and target.suffix in _PACKED:
                body = await run_in_threadpool(_gzipped, target)
                if body is not None:
                    return Response(
                        body, media_type=_PACKED[target.suffix],
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
                    )  # fmt: skip
            return FileResponse(target)
        return FileResponse(index)
