"""The run lifecycle in one place: validate, store, submit, status transitions, events, results.

:class:`RunService` sits between the doors (the API; the CLI runs its backtests in-process with
the same resolver) and the machinery below it: the :class:`RunStore`, the event bus and the
:class:`RunExecutor`. It is the only code that moves a run from one status to another.

Several API processes may share one database. Each is a *run owner*: it registers itself
(``run_owners``: host, pid, heartbeat) and every run it accepts records it as ``runs.owner``.
Then:

- start-up interrupts only runs whose owner is gone (no row, a stale heartbeat, or a pid on this
  host that has exited), never a live peer's;
- shutdown interrupts only this process's own runs;
- a cancel sent to a process that does not run the run sets ``runs.cancel_requested``; the owner
  polls for it with its heartbeat and cancels in its executor, so the worker really stops;
- a run's outcome is recorded even over ``interrupted`` (a peer that presumed this process gone
  never makes it throw a finished result away).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ava_backtest
from ava_backtest.data.universes import Universe, custom_universe, resolve_universe
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs.events import EventBus
from ava_backtest.runs.executor import RunExecutor
from ava_backtest.runs.validator import Validator
from ava_backtest.store.repository import TERMINAL_STATUSES, RunStore

log = logging.getLogger("ava.runs.service")

HEARTBEAT_SECONDS = 1.0
"""How often an owner beats its heartbeat and looks for cancels sent to its peers."""
STALE_SECONDS = 20.0
"""An owner whose heartbeat is older than this is gone (a crashed process on another host)."""
REAP_EVERY = 5
"""Heartbeats between sweeps for runs of gone owners."""
INTERRUPTED = "the server stopped while this run was queued or running"
CANCEL_WAIT_SECONDS = 2.0


def host_key() -> str:
    """This host and PID namespace: pids are only comparable between processes sharing both."""
    ns = ""
    with contextlib.suppress(OSError):
        ns = os.readlink("/proc/self/ns/pid")
    return f"{socket.gethostname()}/{ns}"[:255]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def store_universes(store: RunStore) -> Callable[[str], Universe | None]:
    """The custom universes of ``store`` as a lookup for :func:`resolve_universe`."""

    def lookup(name: str) -> Universe | None:
        row = store.get_custom_universe(name)
        if row is None:
            return None
        return custom_universe(row["name"], row["market"], row["symbols"], row["description"])

    return lookup


def database_universes(url: str | None = None) -> Callable[[str], Universe | None]:
    """The custom universes of the database at ``url`` (default ``AVA_DATABASE_URL``, else the
    SQLite file under ``AVA_HOME``), as the API created them: how the CLI sees them. The database
    is opened only for a name that is not built in, read only, never created or migrated."""

    def lookup(name: str) -> Universe | None:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import SQLAlchemyError

        from ava_backtest.store.db import database_url, make_engine

        chosen = make_url(database_url(url))
        if chosen.get_backend_name() == "sqlite" and not Path(chosen.database or "").is_file():
            return None  # no database yet: no custom universes
        engine = make_engine(chosen.render_as_string(hide_password=False))
        try:
            return store_universes(RunStore(engine))(name)
        except SQLAlchemyError:  # not an Ava database (yet)
            return None
        finally:
            engine.dispose()

    return lookup


def resolve_run_universe(
    config: RunConfig, custom: Callable[[str], Universe | None] | None
) -> Universe | None:
    """The run's universe, built-in or custom (``None`` for a symbol list): the one resolver the
    API, the CLI and (through the executor) the workers share. A NotFoundError names the field
    ``universe``; a universe of another market is a ConfigError naming ``market``."""
    if config.universe is None:
        return None
    universe = resolve_universe(config.universe, custom)
    if universe.market != config.market:
        raise ConfigError(
            f"universe {config.universe!r} belongs to market {universe.market}, "
            f"not {config.market}",
            field="market",
        )
    return universe


class RunService:
    """Runs accepted by this process: stored with it as owner, executed in its worker pool."""

    def __init__(
        self,
        store: RunStore,
        bus: EventBus,
        *,
        workers: int | None = None,
        dask_address: str | None = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        stale_seconds: float = STALE_SECONDS,
    ) -> None:
        self.store = store
        self.bus = bus
        self.host = host_key()
        self.pid = os.getpid()
        self.owner = f"{socket.gethostname()[:30]}:{self.pid}:{uuid.uuid4().hex[:12]}"
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        # With a Dask scheduler, each backtest is a task on that cluster; else the local pool.
        self.executor = RunExecutor(
            workers=workers, on_event=self.on_event, dask_address=dask_address
        )
        self.validator = Validator()
        self._beat: asyncio.Task[None] | None = None

    # -- lifecycle of the process ------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self.store.register_owner, self.owner, self.host, self.pid)
        n = await asyncio.to_thread(self.reap)
        if n:
            log.warning("marked %d run(s) of stopped processes as interrupted", n)
        await self.executor.start(wait_warm=False)
        self.validator.warm()  # its imports happen now, not in the first create
        self._beat = asyncio.get_running_loop().create_task(self._heartbeat(), name="ava-beat")

    async def shutdown(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
            with contextlib.suppress(BaseException):
                await self._beat
        await self.executor.shutdown()
        await asyncio.to_thread(self.validator.shutdown)
        await asyncio.to_thread(self.store.interrupt_owned, self.owner, INTERRUPTED)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.store.remove_owner, self.owner)

    def reap(self) -> int:
        """Interrupt runs whose owner is gone; returns how many."""
        gone = [
            o["id"]
            for o in self.store.owners()
            if o["id"] != self.owner and o["hostname"] == self.host and not pid_alive(o["pid"])
        ]
        stale = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.stale_seconds)
        return len(self.store.interrupt_orphans(INTERRUPTED, stale_before=stale, gone=gone))

    async def _heartbeat(self) -> None:
        beats = 0
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            beats += 1
            try:
                if not await asyncio.to_thread(self.store.heartbeat, self.owner):
                    # A peer took this process for gone: say it is alive again.
                    await asyncio.to_thread(
                        self.store.register_owner, self.owner, self.host, self.pid
                    )
                for run_id in await asyncio.to_thread(self.store.cancel_requests, self.owner):
                    if not self.executor.cancel(run_id):
                        await self.finish(run_id, {"type": "cancelled"})
                if beats % REAP_EVERY == 0:
                    await asyncio.to_thread(self.reap)
            except Exception:  # a database hiccup: beat again next time
                log.exception("run owner heartbeat")

    # -- runs ----------------------------------------------------------------------------------

    def resolve(self, config: RunConfig) -> Universe | None:
        """The config's universe, built-in or one of the store's custom universes (``None`` for
        a symbol list); NotFoundError names the field ``universe``."""
        return resolve_run_universe(config, store_universes(self.store))

    async def validate(self, config: RunConfig) -> tuple[Universe | None, dict[str, Any]]:
        """Everything that can be known before running, checked as the run checks it but in the
        validation helper process, so the API process never loads a run's panel: the resolved
        universe and the strategy's parameters, or the domain error naming the field."""
        universe = await asyncio.to_thread(self.resolve, config)
        return universe, await self.validator.validate(config, universe)

    async def submit(
        self, config: RunConfig, *, params: dict[str, Any], universe: Universe | None = None
    ) -> str:
        """Store a validated run as queued, owned by this process, and hand it to the executor
        with its resolved ``universe`` (workers cannot see the store's custom universes)."""
        symbols = list(universe.symbols) if universe is not None else list(config.symbols or [])
        run_id = await asyncio.to_thread(
            lambda: self.store.create_run(
                config,
                params=params,
                code_version=ava_backtest.__version__,
                symbols=symbols,
                owner=self.owner,
            )
        )
        self.executor.submit(run_id, config, universe=universe)
        return run_id

    async def cancel(self, run_id: str) -> dict[str, Any] | None:
        """Cancel a queued or running run wherever it runs; the run as recorded afterwards.

        The run's owner stops it: this process directly, a live peer through the database (it
        polls each heartbeat). A run whose owner is gone is recorded cancelled at once."""
        if not self.executor.cancel(run_id):
            row = await asyncio.to_thread(self.store.get_run, run_id)
            if row is None or row["status"] in TERMINAL_STATUSES:
                return row
            owner = row.get("owner")
            if owner and owner != self.owner and await asyncio.to_thread(self._alive, owner):
                await asyncio.to_thread(self.store.request_cancel, run_id)
            else:
                await self.finish(run_id, {"type": "cancelled"})
        deadline = asyncio.get_running_loop().time() + CANCEL_WAIT_SECONDS
        while True:  # the worker notices at its next report: report the recorded state
            row = await asyncio.to_thread(self.store.get_run, run_id)
            if row is None or row["status"] in TERMINAL_STATUSES:
                return row
            if asyncio.get_running_loop().time() > deadline:
                # Still live: a worker between reports (one that stays silent is stopped after
                # the executor's grace). The cancel is on its way, as a peer's would be.
                return {**row, "cancel_requested": True}
            await asyncio.sleep(0.05)

    async def delete(self, run_id: str) -> bool:
        """Delete a run and its results; a live one is cancelled first (its owner stops it)."""
        row = await asyncio.to_thread(self.store.get_run, run_id)
        if row is not None and row["status"] not in TERMINAL_STATUSES:
            await self.cancel(run_id)
        return bool(await asyncio.to_thread(self.store.delete_run, run_id))

    def _alive(self, owner: str) -> bool:
        stale = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.stale_seconds)
        for o in self.store.owners():
            if o["id"] == owner:
                if o["hostname"] == self.host and not pid_alive(o["pid"]):
                    return False
                return bool(o["heartbeat_at"] >= stale)
        return False

    # -- events from the executor ----------------------------------------------------------------

    @staticmethod
    def terminal_event(row: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = {"type": row["status"], "run_id": row["id"]}
        if row["status"] == "completed":
            metrics = row.get("metrics") or {}
            keys = ("total_return", "cagr", "sharpe", "max_drawdown", "trade_count", "final_equity")
            event["metrics"] = {k: metrics.get(k) for k in keys}
        elif row.get("error"):
            event["message"] = row["error"]
            event["code"] = row.get("error_code")
        return event

    async def on_event(self, run_id: str, event: dict[str, Any]) -> None:
        """Worker events: record the state, then tell every subscriber."""
        kind = event.get("type")
        try:
            if kind == "started":
                await asyncio.to_thread(self.store.mark_running, run_id)
                pid = event.get("pid")
                event = {
                    "type": "log",
                    "run_id": run_id,
                    "message": f"started in worker {pid}",
                    "pid": pid,
                }
            elif kind == "progress":
                await asyncio.to_thread(
                    self.store.set_progress,
                    run_id,
                    event.get("percent", 0) / 100.0,
                    event.get("message", ""),
                )
            elif kind in ("completed", "failed", "cancelled"):
                await self.finish(run_id, event)
                return
            elif kind == "interrupted":
                # This process is shutting down under the run (``shutdown`` records it just after).
                event = {
                    **event,
                    "message": event.get("message") or "the server stopped during this run",
                }
        except Exception:  # a deleted run, a store hiccup: never let it kill the pump
            log.exception("recording %s for run %s", kind, run_id)
        await self.bus.publish(run_id, {**event, "run_id": run_id})

    async def finish(self, run_id: str, event: dict[str, Any]) -> None:
        """Record a terminal outcome, then publish the run's terminal event."""
        kind = event["type"]
        try:
            if kind == "completed":
                await asyncio.to_thread(self.store.save_result, run_id, event["result"])
            elif kind == "failed":
                await asyncio.to_thread(
                    self.store.mark_failed,
                    run_id,
                    event.get("code", "internal_error"),
                    event.get("message", ""),
                )
            else:
                await asyncio.to_thread(self.store.mark_cancelled, run_id)
            row = await asyncio.to_thread(self.store.get_run, run_id)
        except Exception:
            log.exception("finishing run %s", run_id)
            row = None
        out = self.terminal_event(row) if row else {k: v for k, v in event.items() if k != "result"}
        await self.bus.publish(run_id, {**out, "run_id": run_id})


__all__ = [
    "RunService",
    "database_universes",
    "resolve_run_universe",
    "store_universes",
]
