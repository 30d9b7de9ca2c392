"""Universe screens: the same strategy and parameters backtested on every symbol of a universe
alone, one row of headline metrics per symbol.

A symbol's row is exactly the backtest ``symbol_config(config, symbol)`` gives (the screen's
config with ``symbols=[symbol]``): the run made from a row (``POST .../rows/{symbol}/run``) is
that same backtest, so its metrics are the row's. Symbols are independent jobs: they run through
``runs.cluster.job_runner`` in chunks (here, or on a Dask cluster whose workers read the bars
from the data store: the package's own data, or a shared ``AVA_HOME``), rows stream back as
chunks finish, and a cancel stops between chunks. A symbol the data cannot serve (no bars in
the range, a missing input the strategy needs) is a ``failed`` row naming why, not a failed
screen; a bug fails the screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

import ava_backtest
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import AvaError, ConfigError
from ava_backtest.runs import events as ev
from ava_backtest.runs.cluster import JobRunner, LocalRunner, job_runner
from ava_backtest.runs.executor import Cancelled, RunExecutor

if TYPE_CHECKING:
    from ava_backtest.data.universes import Universe
    from ava_backtest.runs.service import RunService
    from ava_backtest.store.screens import ScreenStore

log = logging.getLogger("ava.runs.screens")

HEADLINE = (
    "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate", "profit_factor",
    "trade_count", "exposure", "final_equity",
)  # fmt: skip
"""The columns a screen shows first; every metric is kept and sortable."""
MAX_SYMBOLS = 20_000
INTERRUPTED = "the server stopped before the screen finished"


def symbol_config(config: RunConfig, symbol: str) -> RunConfig:
    """The screen's config on one symbol alone: a row's backtest, and the run made from it."""
    return config.model_copy(update={"universe": None, "symbols": [symbol]})


@dataclass(frozen=True, slots=True)
class ScreenJob:
    """What every chunk of a screen shares (sent once per job to a cluster's workers)."""

    config: RunConfig


def screen_row(symbol: str, config: RunConfig) -> dict[str, Any]:
    """One symbol's row: its metrics, bars and span, or why it did not run."""
    from ava_backtest.runs.execute import run_backtest

    t0 = time.perf_counter()
    try:
        result = run_backtest(symbol_config(config, symbol))
    except AvaError as e:  # the symbol's data or the strategy's needs: this row, not the screen
        ms = (time.perf_counter() - t0) * 1000
        return {"symbol": symbol, "status": "failed", "error": str(e), "duration_ms": ms}
    dates = result.dates.astype("datetime64[D]")
    return {
        "symbol": symbol,
        "status": "complete",
        "metrics": result.metrics,
        "bars": len(dates),
        "start": str(dates[0]) if len(dates) else None,
        "end": str(dates[-1]) if len(dates) else None,
        "duration_ms": (time.perf_counter() - t0) * 1000,
    }


def screen_chunk(symbols: list[str], job: ScreenJob) -> list[dict[str, Any]]:
    """A job runner's task: the rows of a chunk of symbols, in order."""
    return [screen_row(s, job.config) for s in symbols]


def chunk_size(n: int, runner: JobRunner) -> int:
    """Symbols per task: small enough that progress streams and a cancel lands soon, large
    enough that a cluster's per-task overhead stays small (about 8 tasks per worker thread)."""
    if isinstance(runner, LocalRunner):
        return max(1, min(25, n))
    return max(1, min(200, math.ceil(n / (8 * runner.slots))))


@dataclass(slots=True)
class ScreenResult:
    config: RunConfig
    rows: list[dict[str, Any]]  # in the order of the symbols
    runner: str
    elapsed_s: float

    def sorted_rows(self, sort: str = "-sharpe") -> list[dict[str, Any]]:
        """Rows by a metric (or symbol), ``-`` for descending; failed rows and undefined
        values last, ties by symbol."""
        desc = sort.startswith("-")
        key = sort.removeprefix("-").removeprefix("metric:")
        if key == "symbol":
            return sorted(self.rows, key=lambda r: r["symbol"], reverse=desc)

        def value(r: dict[str, Any]) -> float | None:
            v = (r.get("metrics") or {}).get(key)
            return float(v) if isinstance(v, int | float) and np.isfinite(v) else None

        have = [r for r in self.rows if value(r) is not None]
        have.sort(key=lambda r: r["symbol"])
        have.sort(key=lambda r: value(r), reverse=desc)  # type: ignore[arg-type,return-value]
        return have + sorted((r for r in self.rows if value(r) is None), key=lambda r: r["symbol"])

    def to_dict(self, sort: str = "-sharpe") -> dict[str, Any]:
        rows = self.sorted_rows(sort)
        complete = sum(1 for r in rows if r["status"] == "complete")
        return {
            "strategy_name": self.config.strategy_name,
            "params": self.config.params,
            "universe": self.config.universe,
            "market": self.config.market,
            "runner": self.runner,
            "n_symbols": len(rows),
            "complete": complete,
            "failed": len(rows) - complete,
            "sort": sort,
            "elapsed_s": round(self.elapsed_s, 3),
            "rows": rows,
        }


def check_sort(sort: str) -> str:
    from ava_backtest.analytics.metrics import METRICS

    name = sort.removeprefix("-").removeprefix("metric:")
    if name != "symbol" and name not in METRICS:
        raise ConfigError(
            f"cannot sort by {sort!r}: give symbol or a metric (sharpe, cagr, max_drawdown …), "
            "'-' for descending",
            field="sort",
        )
    return sort


def screen_symbols(config: RunConfig, universe: Universe | None = None) -> list[str]:
    from ava_backtest.runs.execute import resolve_symbols

    symbols = resolve_symbols(config, universe)[0]
    if len(symbols) > MAX_SYMBOLS:
        raise ConfigError(
            f"a screen runs at most {MAX_SYMBOLS:,} symbols; this one has {len(symbols):,}",
            field="universe",
        )
    return symbols


def run_screen(
    config: RunConfig,
    *,
    universe: Universe | None = None,
    symbols: Sequence[str] | None = None,
    runner: JobRunner | None = None,
    on_rows: Callable[[list[dict[str, Any]], int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ScreenResult:
    """Backtest ``config`` on each of its symbols alone. ``on_rows(rows, done, total)`` as
    chunks finish (completion order); the result's rows are in symbol order. A stop raises
    ``runs.cluster.JobStopped`` (its ``done`` holds the finished chunks)."""
    t0 = time.perf_counter()
    names = list(symbols) if symbols is not None else screen_symbols(config, universe)
    runner = runner or LocalRunner()
    size = chunk_size(len(names), runner)
    chunks = [names[i : i + size] for i in range(0, len(names), size)]
    done = 0

    def take(_: int, rows: list[dict[str, Any]]) -> None:
        nonlocal done
        done += len(rows)
        if on_rows is not None:
            on_rows(rows, done, len(names))

    parts = runner.map(
        screen_chunk, chunks, ScreenJob(config), on_result=take, should_stop=should_stop
    )
    rows = [r for part in parts for r in part]
    return ScreenResult(config, rows, runner.name, time.perf_counter() - t0)


# -------------------------------------------------------------------------------- the service


def screen_job(payload: dict[str, Any], report: Any, universe: Any = None) -> dict[str, Any]:
    """The executor's job for a stored screen (runs in a worker process): rows are written to
    the store as chunks finish; progress goes out as events; a cancel stops between chunks."""
    from ava_backtest.runs.cluster import JobStopped
    from ava_backtest.store.db import make_engine
    from ava_backtest.store.screens import ScreenStore

    engine = make_engine(payload["db_url"])
    try:
        store = ScreenStore(engine)
        config = RunConfig.model_validate(payload["config"])
        screen_id = payload["screen_id"]
        runner = job_runner(payload.get("dask_address"))
        t0 = time.monotonic()

        def on_rows(rows: list[dict[str, Any]], done: int, total: int) -> None:
            store.save_rows(screen_id, rows)
            event = ev.progress_event(
                report.run_id, done / total if total else 1.0, f"{done}/{total} symbols",
                elapsed=time.monotonic() - t0,
            )  # fmt: skip
            event.update(symbols_done=done, n_symbols=total, runner=runner.name)
            report._events.put((report.run_id, report.attempt, event))

        try:
            result = run_screen(
                config, universe=universe, symbols=payload["symbols"], runner=runner,
                on_rows=on_rows, should_stop=report.cancelled,
            )  # fmt: skip
        except JobStopped:
            raise Cancelled(screen_id) from None
        return {
            "symbols_done": len(result.rows),
            "elapsed_s": result.elapsed_s,
            "runner": result.runner,
        }
    finally:
        engine.dispose()


class ScreenService:
    """Screens accepted by this process, run in their own worker pool (started on first use);
    each screen's symbols go through the job runner (``AVA_DASK_ADDRESS``: a Dask cluster)."""

    def __init__(
        self,
        store: ScreenStore,
        bus: ev.EventBus,
        runs: RunService,
        db_url: str,
        *,
        workers: int | None = None,
        dask_address: str | None = None,
    ) -> None:
        self.store = store
        self.bus = bus
        self.runs = runs
        self.db_url = db_url
        self.dask_address = dask_address
        self.executor = RunExecutor(workers=workers, on_event=self.on_event, job=screen_job)
        self._last_progress: dict[str, float] = {}

    @property
    def owner(self) -> str:
        return self.runs.owner

    async def start(self) -> None:
        n = await asyncio.to_thread(self.store.interrupt_orphans, INTERRUPTED)
        if n:
            log.warning("marked %d screen(s) of stopped processes as interrupted", len(n))

    async def shutdown(self) -> None:
        await self.executor.shutdown()
        await asyncio.to_thread(self.store.interrupt_orphans, INTERRUPTED, owner=self.owner)

    async def validate(self, config: RunConfig) -> tuple[list[str], Universe | None]:
        """The strategy, parameters, dates and costs checked as a run checks them (on the whole
        universe), and the symbols the screen will run."""
        universe, _ = await self.runs.validate(config)
        symbols = await asyncio.to_thread(screen_symbols, config, universe)
        return symbols, universe

    async def submit(self, config: RunConfig, symbols: list[str], universe: Universe | None) -> str:
        body = config.model_dump(mode="json")
        screen_id = await asyncio.to_thread(
            lambda: self.store.create(
                body, symbols=symbols, owner=self.owner, code_version=ava_backtest.__version__
            )
        )
        payload = {
            "screen_id": screen_id,
            "db_url": self.db_url,
            "config": body,
            "symbols": symbols,
            "dask_address": self.dask_address,
        }
        self.executor.submit(screen_id, payload, universe)  # type: ignore[arg-type]
        return screen_id

    async def cancel(self, screen_id: str) -> dict[str, Any] | None:
        if not self.executor.cancel(screen_id):
            row = await asyncio.to_thread(self.store.get, screen_id)
            if row is None or row["status"] not in ("queued", "running"):
                return row
            await self.finish(screen_id, {"type": "cancelled"})
        deadline = asyncio.get_running_loop().time() + 10.0
        while True:  # the worker stops at its next chunk
            row = await asyncio.to_thread(self.store.get, screen_id)
            if row is None or row["status"] not in ("queued", "running"):
                return row
            if asyncio.get_running_loop().time() > deadline:
                return row
            await asyncio.sleep(0.05)

    async def delete(self, screen_id: str) -> bool:
        row = await asyncio.to_thread(self.store.get, screen_id)
        if row is not None and row["status"] in ("queued", "running"):
            await self.cancel(screen_id)
        return bool(await asyncio.to_thread(self.store.delete, screen_id))

    async def row_run(self, screen_id: str, symbol: str) -> tuple[dict[str, Any], bool] | None:
        """The backtest run of a row: the one made before, or a new one (``symbol_config``);
        ``(run, created)``, ``None`` when the screen or row does not exist."""
        screen = await asyncio.to_thread(self.store.get, screen_id)
        row = await asyncio.to_thread(self.store.get_row, screen_id, symbol)
        if screen is None or row is None:
            return None
        if row.get("run_id"):
            run = await asyncio.to_thread(self.runs.store.get_run, row["run_id"])
            if run is not None:
                return run, False
        config = symbol_config(RunConfig.model_validate(screen["spec"]), symbol)
        _, params = await self.runs.validate(config)
        run_id = await self.runs.submit(config, params=params)
        if not await asyncio.to_thread(self.store.set_row_run, screen_id, symbol, run_id):
            # Two clicks at once: the first link stays; this run is dropped.
            await self.runs.cancel(run_id)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.runs.store.delete_run, run_id)
            return await self.row_run(screen_id, symbol)
        run = await asyncio.to_thread(self.runs.store.get_run, run_id)
        return run or {"id": run_id}, True

    # -- events --

    async def on_event(self, screen_id: str, event: dict[str, Any]) -> None:
        kind = event.get("type")
        try:
            if kind == "started":
                await asyncio.to_thread(
                    self.store.mark_running, screen_id, _runner_name(self.dask_address)
                )
            elif kind == "progress":
                done, total = event.get("symbols_done"), event.get("n_symbols")
                now = time.monotonic()
                if (
                    done is not None
                    and total
                    and (done >= total or now - self._last_progress.get(screen_id, 0.0) > 0.25)
                ):
                    self._last_progress[screen_id] = now
                    await asyncio.to_thread(
                        self.store.set_progress, screen_id, done, total, event.get("message", "")
                    )
            elif kind in ("completed", "failed", "cancelled"):
                self._last_progress.pop(screen_id, None)
                await self.finish(screen_id, event)
                return
        except Exception:
            log.exception("recording %s for screen %s", kind, screen_id)
        await self.bus.publish(screen_id, {**event, "run_id": screen_id, "screen_id": screen_id})

    async def finish(self, screen_id: str, event: dict[str, Any]) -> None:
        kind = event["type"]
        try:
            if kind == "completed":
                res = event.get("result") or {}
                await asyncio.to_thread(
                    self.store.mark_completed, screen_id, res.get("elapsed_s"),
                    int(res.get("symbols_done") or 0),
                )  # fmt: skip
            elif kind == "failed":
                await asyncio.to_thread(
                    self.store.mark_failed, screen_id, event.get("code", "internal_error"),
                    event.get("message", ""),
                )  # fmt: skip
            else:
                await asyncio.to_thread(self.store.mark_cancelled, screen_id)
            row = await asyncio.to_thread(self.store.get, screen_id)
        except Exception:
            log.exception("finishing screen %s", screen_id)
            row = None
        out: dict[str, Any] = {"type": row["status"] if row else kind}
        if row and row.get("error"):
            out.update(message=row["error"], code=row.get("error_code"))
        await self.bus.publish(screen_id, {**out, "run_id": screen_id, "screen_id": screen_id})


def _runner_name(dask_address: str | None) -> str:
    return f"dask {dask_address}" if dask_address else "local"


__all__ = [
    "HEADLINE",
    "ScreenJob",
    "ScreenResult",
    "ScreenService",
    "check_sort",
    "run_screen",
    "screen_chunk",
    "screen_job",
    "symbol_config",
]
