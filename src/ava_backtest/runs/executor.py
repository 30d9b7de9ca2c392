"""Runs off the event loop: a pool of spawned worker processes, cancellation, live progress.

:class:`RunExecutor` keeps its own queue and hands the pool at most one run per worker, so a
queued run is really queued (cancelling it just drops it) and every run in the pool is running.
Workers report through a Manager queue that a pump task of the API process reads (in a thread)
and hands to ``on_event`` in order; the outcome comes back as the job's return value.

Events given to ``on_event(run_id, event)`` (all carry ``type``, ``run_id``, ``ts`` and ``seq``):

- ``started``: a worker picked the run up (``pid``, ``attempt``);
- ``progress``: ``percent``, ``message``, ``symbol``, ``bars_done``, ``eta_seconds``;
- ``log``: ``level``, ``message``;
- ``completed``: ``result`` (the ``BacktestResult``; never for clients), ``metrics``,
  ``elapsed_seconds``;
- ``failed``: ``code`` (the ``AvaError`` code, ``internal_error`` for a bug, ``worker_died``
  when the worker process died), ``message``, ``field``, ``details``;
- ``cancelled``: ``stage`` (``queued`` or ``running``);
- ``interrupted``: the executor shut down before the run finished (``stage``).

A cancelled run stops at its next progress report (the worker checks a shared flag, about once
a phase of ``run_backtest``); one that does not report within ``cancel_grace`` seconds has its
worker killed. A worker that dies breaks the whole ``ProcessPoolExecutor``: the pool is
recreated, the run of the dead worker fails with ``worker_died``, and runs that were only
collateral (on a healthy worker the pool tore down) start again.

This module imports neither numba nor the engine at import time: a spawned worker imports it
before its initializer has set ``NUMBA_NUM_THREADS=1``.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import ctypes
import inspect
import itertools
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ava_backtest.domain.errors import AvaError
from ava_backtest.runs import events as ev

if TYPE_CHECKING:
    from ava_backtest.data.universes import Universe
    from ava_backtest.domain.config import RunConfig

log = logging.getLogger("ava.runs.executor")

OnEvent = Callable[[str, dict[str, Any]], Awaitable[None] | None]
Job = Callable[..., Any]
"""``job(config, progress) -> result``: a module-level function (workers import it by name)."""

_END = "_end"  # a worker's last message for a run: everything it reported is in the queue
MAX_RESTARTS = 2  # times a run is restarted after being collateral damage of a dead worker
_PROGRESS_MIN_INTERVAL = 0.1  # seconds between progress events (and cancel checks) of one run


class Cancelled(BaseException):
    """Raised by the progress callback inside a worker once the run has been cancelled.

    A ``BaseException``, like ``asyncio.CancelledError``, so that no ``except Exception`` on the
    way up swallows it."""


def default_workers() -> int:
    raw = os.environ.get("AVA_WORKERS", "").strip()
    if raw:
        n = int(raw)
        if n < 1:
            raise ValueError(f"AVA_WORKERS must be at least 1, not {n}")
        return n
    return os.cpu_count() or 1


# ------------------------------------------------------------------------------- worker side

_worker: dict[str, Any] = {}


def _ignore_sigint() -> None:
    """Ctrl-C reaches the whole process group: the parent shuts its helpers down, they don't."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL_SECONDS = 0.5


def die_with_parent(parent_pid: int, *, pdeathsig: bool = True) -> None:
    """Make this (child) process end when ``parent_pid`` does, however the parent dies.

    A parent killed with SIGKILL runs no clean-up: its pool workers would wait on their pipes
    forever (holding their memory). On Linux, ``pdeathsig`` asks the kernel to SIGKILL this
    process the moment its parent goes (``prctl(PR_SET_PDEATHSIG)``; the kernel ties it to the
    parent *thread* that started the child, so use it only for children started from a thread
    that lives as long as the parent). Everywhere, a daemon thread watches for the parent pid to
    change (the orphan is re-parented) and exits."""
    if pdeathsig and sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:  # gone before the kernel was asked to tell us
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="ava-parent-watch", daemon=True
    ).start()


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(1)


def _init_manager(parent_pid: int) -> None:
    """The Manager's server process: no Ctrl-C, and gone with its parent. It is started from a
    helper thread, so only the watchdog (not PDEATHSIG) ties it to the parent."""
    _ignore_sigint()
    die_with_parent(parent_pid, pdeathsig=False)


def one_numba_thread() -> None:
    """This worker process uses one numba thread (the pool's processes are the parallelism).

    Before numba is imported, the environment decides its thread count. Once it is imported
    (a spawned worker re-imports the parent's main module, and ``ava``'s imports numba), its
    configuration has read the count already: changing the environment then makes the next
    compilation (a kernel not in the cache, as on a fresh install) fail with "Cannot set
    NUMBA_NUM_THREADS to a different value once the threads have been launched". There, only
    the number of threads in use is lowered."""
    if "numba" not in sys.modules:
        os.environ["NUMBA_NUM_THREADS"] = "1"
        return
    import numba

    numba.set_num_threads(1)


def _init_worker(events: Any, cancel_flags: Any, pids: Any, warm: bool, parent_pid: int) -> None:
    """Pool initializer: gone with the parent, one numba thread, the shared channels, warm
    kernels."""
    die_with_parent(parent_pid)
    one_numba_thread()
    _ignore_sigint()
    _worker.update(events=events, cancel=cancel_flags, pids=pids)
    if warm:
        try:
            _warm_kernels()
        except Exception:  # a cold kernel is slow, not wrong
            log.warning("warming the engine kernels failed", exc_info=True)


def _warm_kernels() -> None:
    """Import the engine and simulate six bars, so numba loads its cache before the first run."""
    import numpy as np

    import ava_backtest.engine.kernel
    import ava_backtest.runs.execute  # noqa: F401 - the imports of a real run, paid once
    from ava_backtest.domain.bars import Panel
    from ava_backtest.domain.signals import Signals
    from ava_backtest.engine.backtest import EngineSettings, simulate

    o = np.array([[10.0], [11.0], [12.0], [13.0], [14.0], [15.0]])
    dates = np.arange(6).astype("datetime64[D]").astype("datetime64[ns]")
    panel = Panel.from_prices(dates, ["WARM"], o, o + 1, o - 1, o + 0.5, None)
    signals = Signals.empty((6, 1))
    signals.long_entry[1, 0] = True
    signals.long_exit[3, 0] = True
    simulate(panel, signals, EngineSettings(initial_cash=1000.0))


def _run_backtest(config: Any, progress: Callable[..., None], universe: Any = None) -> Any:
    from ava_backtest.domain.errors import NotFoundError
    from ava_backtest.runs.execute import run_backtest
    from ava_backtest.strategies.registry import get_strategy, reload_plugins

    try:
        get_strategy(config.strategy_name)
    except NotFoundError:
        # A strategy file saved (the builder) or reloaded in the API process since this worker
        # started: import the plugin directories again; still unknown, the run fails naming it.
        reload_plugins()
    if universe is None:
        return run_backtest(config, progress=progress)
    return run_backtest(config, progress=progress, universe=universe)


class _Reporter:
    """The progress callback a job gets: sends events to the parent and honours cancellation."""

    def __init__(self, run_id: str, attempt: int, events: Any, cancel_flags: Any) -> None:
        self.run_id = run_id
        self.attempt = attempt
        self._events = events
        self._cancel = cancel_flags
        self.t0 = time.monotonic()
        self._last_fraction = -1.0
        self._last_sent = 0.0
        self._last_message: str | None = None

    def cancelled(self) -> bool:
        return bool(self._cancel.get(self.run_id))

    def __call__(
        self,
        fraction: float,
        message: str,
        *,
        symbol: str | None = None,
        bars_done: int | None = None,
    ) -> None:
        now = time.monotonic()
        fresh = message != self._last_message or fraction >= 1.0
        if not fresh and now - self._last_sent < _PROGRESS_MIN_INTERVAL:
            return  # a chatty job: at most ten events (and cancel checks) a second
        if self.cancelled():
            raise Cancelled(self.run_id)
        self._last_sent = now
        self._last_message = message
        if fraction <= self._last_fraction:
            # No step forward: a remark about the run, not progress.
            event = ev.make_event("log", self.run_id, level="info", message=message)
        else:
            self._last_fraction = fraction
            event = ev.progress_event(
                self.run_id,
                fraction,
                message,
                elapsed=now - self.t0,
                symbol=symbol,
                bars_done=bars_done,
            )
        self._events.put((self.run_id, self.attempt, event))


def _details(e: AvaError) -> Any:
    try:
        return ev.client_event({"d": e.details})["d"]
    except Exception:
        return None


def _work(
    run_id: str, config: Any, job: Job | None, attempt: int, universe: Any = None
) -> tuple[Any, ...]:
    """One run inside a pool worker. Returns a tagged tuple and never raises, so no exception
    type (an ``AvaError`` subclass with its own ``__init__``) has to survive pickling."""
    return _work_with(
        _worker["events"], _worker["cancel"], _worker["pids"], run_id, config, job, attempt,
        universe,
    )  # fmt: skip


def _work_with(
    events: Any,
    cancel_flags: Any,
    pids: Any,
    run_id: str,
    config: Any,
    job: Job | None,
    attempt: int,
    universe: Any = None,
) -> tuple[Any, ...]:
    """A run with its channels: ``events.put((run_id, attempt, event))``, ``cancel_flags.get``
    (true once cancelled) and ``pids`` (run id -> pid while it runs)."""
    try:
        if cancel_flags.get(run_id):
            return ("cancelled",)
        pids[run_id] = os.getpid()
        started = ev.make_event("started", run_id, pid=os.getpid(), attempt=attempt)
        events.put((run_id, attempt, started))
        report = _Reporter(run_id, attempt, events, cancel_flags)
        run = job or _run_backtest
        # The universe the parent resolved (a user's universe lives in its database).
        result = run(config, report) if universe is None else run(config, report, universe)
        return ("completed", result, round(time.monotonic() - report.t0, 3))
    except Cancelled:
        return ("cancelled",)
    except AvaError as e:
        return ("failed", e.code, e.message, e.field, _details(e))
    except BaseException as e:  # SystemExit from a strategy included: the worker lives on
        tb = traceback.format_exc()
        log.error("run %s failed:\n%s", run_id, tb)
        return ("failed", "internal_error", f"{type(e).__name__}: {e}", None, {"traceback": tb})
    finally:
        with contextlib.suppress(Exception):
            pids.pop(run_id, None)
            events.put((run_id, attempt, {"type": _END}))


def _noop() -> int:
    return os.getpid()


# ------------------------------------------------------------------------- Dask worker side

_dask_cancelled: set[str] = set()
"""Run ids cancelled, in a Dask worker process (set by :func:`_dask_cancel` on every worker)."""


class _TopicEvents:
    """A Dask task's channel to its executor: structured events on the executor's own topic
    (``Worker.log_event``, batched with the worker's other messages to the scheduler, which
    forwards them to the subscribed client)."""

    def __init__(self, topic: str) -> None:
        self.topic = topic

    def put(self, item: tuple[str, int, dict[str, Any]]) -> None:
        from distributed import get_worker

        run_id, attempt, event = item
        get_worker().log_event(self.topic, [run_id, attempt, event])


class _DaskCancelFlags:
    def get(self, run_id: str, default: Any = None) -> bool:
        return run_id in _dask_cancelled


def _dask_cancel(run_id: str) -> None:
    """Runs on every Dask worker (``Client.run``): the run stops at its next progress report."""
    _dask_cancelled.add(run_id)


def _dask_work(
    topic: str, run_id: str, config: Any, job: Job | None, attempt: int, universe: Any = None
) -> tuple[Any, ...]:
    """One run as a Dask task: the run's config travels with it (a few hundred bytes); the
    bars are read on the worker from the shared store path (``AVA_HOME``, the packaged
    sample data), as a local run reads them."""
    try:
        return _work_with(
            _TopicEvents(topic), _DaskCancelFlags(), {}, run_id, config, job, attempt, universe
        )
    finally:
        _dask_cancelled.discard(run_id)


class RemoteRunError(AvaError):
    """A backtest that failed on a Dask worker, with the code and message it failed with."""

    def __init__(self, code: str, message: str, field: str | None, details: Any) -> None:
        super().__init__(message, field=field, details=details)
        self.code = code


def run_on_dask(
    address: str,
    config: Any,
    progress: Callable[[float, str], None] | None = None,
    universe: Any = None,
    *,
    job: Job | None = None,
) -> Any:
    """One backtest on the Dask scheduler at ``address``, waited for here (``ava backtest
    --dask``): the worker reads the bars from the shared store path, ``progress(fraction,
    message)`` follows the worker's progress events, and the result is what ``run_backtest``
    gives. A failure is raised as :class:`RemoteRunError` with the run's code and message;
    Ctrl-C cancels the run on the cluster."""
    import uuid

    from ava_backtest.runs.cluster import dask_client

    client = dask_client(address)
    run_id = uuid.uuid4().hex
    topic = f"ava-run-{run_id}"

    def on_topic(event: tuple[float, Any]) -> None:  # on the client's thread
        body = event[1][2]
        if progress is not None and body.get("type") == "progress":
            with contextlib.suppress(Exception):  # a display hiccup must not lose the run
                progress(body["percent"] / 100.0, body["message"])

    client.subscribe_topic(topic, on_topic)
    future = client.submit(
        _dask_work, topic, run_id, config, job, 1, universe, key=f"ava-run-{run_id}", pure=False
    )
    try:
        outcome = future.result()
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            client.run(_dask_cancel, run_id)
            client.cancel([future], force=True)
        raise
    finally:
        with contextlib.suppress(Exception):
            client.unsubscribe_topic(topic)
    kind = outcome[0]
    if kind == "completed":
        return outcome[1]
    if kind == "cancelled":
        raise RemoteRunError("cancelled", "the run was cancelled on the cluster", None, None)
    _, code, message, field_, details = outcome
    raise RemoteRunError(code, message, field_, details)


# ------------------------------------------------------------------------------- parent side


@dataclass(eq=False)
class _Run:
    run_id: str
    config: Any
    universe: Any = None
    seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    state: str = "queued"  # queued | running | done
    attempt: int = 0
    generation: int = -1
    pid: int | None = None
    cancel_requested: bool = False
    future: concurrent.futures.Future[Any] | None = None
    dask_future: Any = None  # distributed.Future of the run on a Dask cluster
    drained: asyncio.Event = field(default_factory=asyncio.Event)
    watcher: asyncio.Task[None] | None = None
    killer: asyncio.Task[None] | None = None


class _FromSettings:
    def __repr__(self) -> str:
        return "FROM_SETTINGS"


FROM_SETTINGS = _FromSettings()
"""``RunExecutor(dask_address=...)`` default: ``AVA_DASK_ADDRESS`` for single backtests."""


class RunExecutor:
    """Backtests in a pool of spawned worker processes, reported through ``on_event``.

    With ``dask_address`` (by default ``AVA_DASK_ADDRESS`` when no ``job`` is given) the runs
    go to that Dask cluster instead: one task per run, at most as many running as the cluster
    has worker threads (the rest wait here, so a queued run is still just dropped on cancel).
    The same events arrive: workers send them as structured events on this executor's topic; a
    cancel is a flag set on every worker (seen at the run's next progress report; a run that
    does not report within ``cancel_grace`` has its task released and is recorded cancelled);
    a worker that dies has its task rerun on another by the scheduler (up to Dask's
    ``allowed-failures``, then the run fails with ``worker_died``).

    ``submit`` and ``cancel`` are synchronous and quick; call them (and ``start``/``shutdown``)
    from the one event loop the executor lives on.
    """

    def __init__(
        self,
        *,
        on_event: OnEvent,
        workers: int | None = None,
        job: Job | None = None,
        cancel_grace: float | None = 10.0,
        warm: bool = True,
        dask_address: str | _FromSettings | None = FROM_SETTINGS,
    ) -> None:
        self.workers = workers if workers is not None else default_workers()
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if isinstance(dask_address, _FromSettings):
            # Single backtests follow AVA_DASK_ADDRESS. A job of its own (a study, a screen, a
            # walk-forward) coordinates here and sends its pieces to the cluster itself.
            if job is None:
                from ava_backtest.settings import get_settings

                dask_address = get_settings().dask_address
            else:
                dask_address = None
        self.dask_address: str | None = dask_address or None
        self._client: Any = None  # distributed.Client on the Dask path
        self._topic = f"ava-runs-{os.getpid()}-{id(self):x}-{time.time_ns():x}"
        self.cancel_grace = cancel_grace
        self._on_event = on_event
        self._job = job
        self._warm = warm
        self._ctx = mp.get_context("spawn")
        self._manager: Any = None
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._generation = 0
        self._recovering: dict[int, asyncio.Future[None]] = {}
        self._procs: dict[int, Any] = {}  # pid -> multiprocessing Process of any pool generation
        self._runs: dict[str, _Run] = {}
        self._queue: collections.deque[_Run] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._starting: asyncio.Task[None] | None = None
        self._closing = False
        self._closed = False

    # -- lifecycle --

    async def start(self, *, wait_warm: bool = True) -> None:
        """Start the Manager, the pump and the pool; with ``wait_warm``, wait until every worker
        has started and warmed its kernels (1-2 s each, in parallel)."""
        await self._ensure_started()
        if wait_warm and self._pool is not None:
            futures = [self._pool.submit(_noop) for _ in range(self.workers)]
            self._snapshot_processes()
            await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))

    async def _ensure_started(self) -> None:
        if self._closed or self._closing:
            raise RuntimeError("the executor is shut down")
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        if self.dask_address:
            await self._start_dask(self._loop, self.dask_address)
            return
        from multiprocessing.managers import SyncManager

        self._manager = SyncManager(ctx=self._ctx)
        await asyncio.to_thread(self._manager.start, _init_manager, (os.getpid(),))
        self._events = self._manager.Queue()
        self._cancel_flags = self._manager.dict()
        self._pids = self._manager.dict()
        self._pool = self._new_pool()
        self._tasks = [
            self._loop.create_task(ev.pump(self._events, self._on_worker_message), name="ava-pump"),
            self._loop.create_task(self._deliver(), name="ava-deliver"),
        ]

    async def _start_dask(self, loop: asyncio.AbstractEventLoop, address: str) -> None:
        from ava_backtest.runs.cluster import dask_client

        try:
            self._client = await asyncio.to_thread(dask_client, address)
            nthreads = await asyncio.to_thread(self._client.nthreads)
        except BaseException:
            self._loop = None  # not started: a later submit may try again
            raise
        # Runs in flight at once: the cluster's threads (at least one, so a cluster whose
        # workers are still starting queues runs on the scheduler rather than here forever).
        self.workers = max(1, sum(nthreads.values()))

        def on_topic(event: tuple[float, Any]) -> None:  # on the client's thread
            run_id, attempt, body = event[1]
            with contextlib.suppress(RuntimeError):  # the loop closed
                loop.call_soon_threadsafe(self._on_worker_message, (run_id, attempt, body))

        self._client.subscribe_topic(self._topic, on_topic)
        self._tasks = [loop.create_task(self._deliver(), name="ava-deliver")]

    def _new_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._ctx,
            initializer=_init_worker,
            # Workers are started by ``submit`` on the loop's thread, which lives as long as the
            # executor: PDEATHSIG is safe for them.
            initargs=(self._events, self._cancel_flags, self._pids, self._warm, os.getpid()),
        )

    async def shutdown(self, *, grace: float = 5.0) -> None:
        """Stop: queued runs and runs still going after ``grace`` seconds (they are asked to
        stop first) are reported ``interrupted``; then the pool, pump and Manager end."""
        if self._closed or self._closing:
            return
        self._closing = True
        if self._starting is not None and not self._starting.done():
            with contextlib.suppress(BaseException):
                await self._starting  # a lazy start in progress: finish it, then stop
        if self._loop is None or not self._tasks:
            while self._queue:
                run = self._queue.popleft()
                self._finish(run, "interrupted", stage="queued", message="the server shut down")
            while not self._outbox.empty():  # nothing delivers them now: hand them over here
                item = self._outbox.get_nowait()
                if item is not None:
                    with contextlib.suppress(Exception):
                        out = self._on_event(*item)
                        if inspect.isawaitable(out):
                            await out
            self._closed = True
            return
        while self._queue:
            run = self._queue.popleft()
            self._finish(run, "interrupted", stage="queued", message="the server shut down")
        running = [r for r in self._runs.values() if r.state == "running"]
        if self._client is not None:
            await self._shutdown_dask(running, grace)
            return
        for run in running:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._cancel_flags.__setitem__, run.run_id, True)
        watchers = [r.watcher for r in running if r.watcher is not None]
        if watchers:
            _, pending = await asyncio.wait(watchers, timeout=grace)
            if pending:
                self._kill_processes()
                await asyncio.wait(pending, timeout=grace)
        for run in list(self._runs.values()):
            if run.killer is not None:
                run.killer.cancel()
        pool = self._pool
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        # Let the pump deliver what workers reported, then the deliverer, then stop both.
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self._events.put, ev.STOP)
        pump_task, deliver_task = self._tasks
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(pump_task, 5.0)
        await self._outbox.put(None)
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(deliver_task, 30.0)
        for t in self._tasks:
            t.cancel()
        if self._manager is not None:
            await asyncio.to_thread(self._manager.shutdown)
        self._closed = True

    async def _shutdown_dask(self, running: list[_Run], grace: float) -> None:
        client = self._client
        for run in running:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(client.run, _dask_cancel, run.run_id)
        watchers = [r.watcher for r in running if r.watcher is not None]
        if watchers:
            _, pending = await asyncio.wait(watchers, timeout=grace)
            if pending:
                stuck = [r.dask_future for r in running if r.state == "running" and r.dask_future]
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(client.cancel, stuck, force=True)
                await asyncio.wait(pending, timeout=grace)
        for run in list(self._runs.values()):
            if run.killer is not None:
                run.killer.cancel()
            if run.state == "running":  # its task never answered the cancel
                self._finish(run, "interrupted", stage="running", message="the server shut down")
        with contextlib.suppress(Exception):
            client.unsubscribe_topic(self._topic)
        await self._outbox.put(None)
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(self._tasks[0], 30.0)
        for t in self._tasks:
            t.cancel()
        # The client is shared by the process (``cluster.dask_client``): it stays open.
        self._closed = True

    def _kill_processes(self) -> None:
        for proc in list(self._procs.values()):
            with contextlib.suppress(Exception):
                if proc.is_alive():
                    proc.kill()

    # -- public API --

    def _on_loop(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn`` on the executor's loop: directly from the loop (or while it is idle),
        else handed over from this thread and waited for."""
        loop = self._loop
        if loop is None or not loop.is_running() or loop.is_closed():
            return fn(*args)
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is loop:
            return fn(*args)
        if current is not None:
            raise RuntimeError("the executor belongs to another event loop")
        done: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def call() -> None:
            try:
                done.set_result(fn(*args))
            except BaseException as e:
                done.set_exception(e)

        loop.call_soon_threadsafe(call)
        return done.result(timeout=30)

    def submit(self, run_id: str, config: RunConfig, universe: Universe | None = None) -> None:
        """Queue a run (the caller has stored it as queued). Never blocks; events follow.
        ``universe``: the config's universe as the caller resolved it (built-in or custom).

        Call it from the event loop, or from another thread once the executor has started."""
        self._on_loop(self._submit, run_id, config, universe)

    def _submit(self, run_id: str, config: RunConfig, universe: Universe | None = None) -> None:
        if self._closed or self._closing:
            raise RuntimeError("the executor is shut down")
        existing = self._runs.get(run_id)
        if existing is not None:
            raise ValueError(f"run {run_id!r} is already {existing.state}")
        if self._loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError(
                    "submit from a running event loop, or `await executor.start()` first"
                ) from None
        run = _Run(run_id, config, universe)
        self._runs[run_id] = run
        self._queue.append(run)
        if self._loop is None:
            if self._starting is None or self._starting.done():  # (again, after a failed start)
                self._starting = loop.create_task(self._start_then_dispatch())
        else:
            self._dispatch()

    async def _start_then_dispatch(self) -> None:
        if self._closing:
            return  # shutdown came first: it reports the queued runs
        try:
            await self._ensure_started()
        except Exception as e:
            log.exception("the run executor could not start")
            while self._queue:
                run = self._queue.popleft()
                self._finish(run, "failed", code="internal_error", message=f"executor: {e}")
            return
        self._dispatch()

    def cancel(self, run_id: str) -> bool:
        """Cancel a queued or running run. ``True``: this executor has the run and its terminal
        event is still to come through ``on_event`` (``cancelled``, or whatever it finished
        with first). ``False``: it does not (never submitted here, or already delivered), so the
        caller records the cancellation itself."""
        return bool(self._on_loop(self._cancel, run_id))

    def _cancel(self, run_id: str) -> bool:
        run = self._runs.get(run_id)
        if run is None:
            return False
        if run.state == "done":
            return True  # finished; its outcome (maybe `completed`) is being delivered
        if run.state == "queued":
            with contextlib.suppress(ValueError):
                self._queue.remove(run)
            self._finish(run, "cancelled", stage="queued")
            return True
        if not run.cancel_requested:
            run.cancel_requested = True
            if self._client is not None:
                # Every worker learns it (the task may be rerun elsewhere); off the loop.
                assert self._loop is not None
                self._loop.create_task(
                    asyncio.to_thread(self._client.run, _dask_cancel, run_id),
                    name=f"ava-cancel-{run_id}",
                )
            else:
                # One quick round trip to the local Manager: the worker sees it at its next
                # report.
                self._cancel_flags[run_id] = True
            if self.cancel_grace is not None and self._loop is not None:
                run.killer = self._loop.create_task(self._kill_if_stuck(run))
        return True

    def state(self, run_id: str) -> str | None:
        """``queued``, ``running``, or ``None`` (unknown here, or finished)."""
        run = self._runs.get(run_id)
        return None if run is None or run.state == "done" else run.state

    @property
    def queued(self) -> list[str]:
        return [r.run_id for r in self._queue]

    @property
    def running(self) -> list[str]:
        return [r.run_id for r in self._runs.values() if r.state == "running"]

    # -- dispatch and outcomes --

    def _dispatch(self) -> None:
        if self._client is not None:
            self._dispatch_dask()
            return
        if self._pool is None or self._closing:
            return
        while self._queue and len(self.running) < self.workers:
            run = self._queue.popleft()
            run.state = "running"
            run.attempt += 1
            run.generation = self._generation
            run.pid = None
            run.drained = asyncio.Event()
            try:
                run.future = self._pool.submit(
                    _work, run.run_id, run.config, self._job, run.attempt, run.universe
                )
            except BrokenProcessPool:
                # The pool broke under us; recover, then try again.
                run.state = "queued"
                run.attempt -= 1
                self._queue.appendleft(run)
                assert self._loop is not None
                self._loop.create_task(self._recover(self._generation))
                return
            self._snapshot_processes()
            assert self._loop is not None
            run.watcher = self._loop.create_task(self._watch(run), name=f"ava-run-{run.run_id}")

    def _dispatch_dask(self) -> None:
        if self._closing:
            return
        assert self._loop is not None
        while self._queue and len(self.running) < self.workers:
            run = self._queue.popleft()
            run.state = "running"
            run.attempt += 1
            run.drained = asyncio.Event()
            run.dask_future = self._client.submit(
                _dask_work, self._topic, run.run_id, run.config, self._job, run.attempt,
                run.universe, key=f"ava-run-{run.run_id}-{run.attempt}", pure=False,
            )  # fmt: skip
            run.watcher = self._loop.create_task(
                self._watch_dask(run), name=f"ava-run-{run.run_id}"
            )

    async def _watch_dask(self, run: _Run) -> None:
        from distributed.client import FutureCancelledError

        loop = self._loop
        assert loop is not None
        done: asyncio.Future[None] = loop.create_future()

        def on_done(_: Any) -> None:  # on a thread of the Dask client
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(lambda: done.done() or done.set_result(None))

        fut = run.dask_future
        fut.add_done_callback(on_done)
        try:
            await done
            outcome = await asyncio.to_thread(fut.result)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                fut.cancel()
            self._finish(run, "interrupted", stage="running", message="the server shut down")
            raise
        except FutureCancelledError:
            if self._closing:
                self._finish(run, "interrupted", stage="running", message="the server shut down")
            else:
                self._finish(run, "cancelled", stage="running")
            return
        except BaseException as e:
            from distributed.scheduler import KilledWorker

            if isinstance(e, KilledWorker):
                self._finish(
                    run,
                    "failed",
                    code="worker_died",
                    message="the Dask workers running this backtest died again and again "
                    f"({e}); it may run out of memory there. Run it again, or with less data",
                )
            else:
                self._finish(run, "failed", code="internal_error",
                             message=f"{type(e).__name__}: {e}")  # fmt: skip
            return
        await self._outcome(run, outcome)

    def _snapshot_processes(self) -> None:
        # The pool's processes (a private attribute, read defensively): their exit codes tell a
        # worker that died from one the broken pool terminated.
        procs = getattr(self._pool, "_processes", None) or {}
        self._procs.update(procs)
        self._wake_pool()

    def _wake_pool(self) -> None:
        """Make the pool's manager thread look at its workers again.

        CPython's ``submit`` wakes that thread *before* it spawns the new worker, so the thread
        may go on waiting on the sentinels of the workers it knew: the death of the newest one
        (a SIGKILL, the OOM killer) then goes unnoticed and its run stays ``running``. A wake-up
        after the spawn (and after a kill) makes it watch every worker. A private attribute,
        used defensively: without it, only this safeguard is lost."""
        wakeup = getattr(self._pool, "_executor_manager_thread_wakeup", None)
        with contextlib.suppress(Exception):
            if wakeup is not None:
                wakeup.wakeup()

    async def _watch(self, run: _Run) -> None:
        assert run.future is not None
        try:
            outcome = await asyncio.wrap_future(run.future)
        except BrokenProcessPool:
            await self._after_broken_pool(run)
            return
        except asyncio.CancelledError:
            if not run.future.cancelled():
                raise  # this task was cancelled, not the job
            self._finish(run, "interrupted", stage="running", message="the server shut down")
            return
        except BaseException as e:  # the pool could not send or return it (e.g. pickling)
            self._finish(run, "failed", code="internal_error", message=f"{type(e).__name__}: {e}")
            return
        await self._outcome(run, outcome)

    async def _outcome(self, run: _Run, outcome: tuple[Any, ...]) -> None:
        # Progress the worker reported is delivered before its outcome.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.drained.wait(), 10.0)
        kind = outcome[0]
        if kind == "completed":
            result, elapsed = outcome[1], outcome[2]
            metrics = getattr(result, "metrics", None)
            self._finish(
                run,
                "completed",
                result=result,
                metrics=ev.client_event({"m": metrics})["m"] if metrics is not None else None,
                elapsed_seconds=elapsed,
            )
        elif kind == "cancelled" and not run.cancel_requested:
            # Only shutdown sets the flag without a cancel: the run was interrupted.
            self._finish(run, "interrupted", stage="running", message="the server shut down")
        elif kind == "cancelled":
            self._finish(run, "cancelled", stage="running")
        else:
            _, code, message, field_, details = outcome
            self._finish(run, "failed", code=code, message=message, field=field_, details=details)

    async def _after_broken_pool(self, run: _Run) -> None:
        generation = run.generation
        await self._recover(generation)
        if run.pid is None:
            with contextlib.suppress(Exception):
                run.pid = await asyncio.to_thread(self._pids.get, run.run_id)
        proc = self._procs.get(run.pid) if run.pid is not None else None
        exitcode = proc.exitcode if proc is not None else None
        if run.pid is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._pids.pop, run.run_id, None)
        # The broken pool terminates its healthy workers (SIGTERM); any other end is a death.
        collateral = run.pid is None or exitcode in (None, -signal.SIGTERM)
        if self._closing:
            self._finish(run, "interrupted", stage="running", message="the server shut down")
        elif run.cancel_requested:
            self._finish(run, "cancelled", stage="running")
        elif collateral and run.attempt <= MAX_RESTARTS:
            self._emit(
                run,
                ev.make_event(
                    "log",
                    run.run_id,
                    level="warning",
                    message="another worker process died and took the pool down; "
                    "restarting this run",
                ),
            )
            run.state = "queued"
            self._queue.appendleft(run)
            self._dispatch()
        else:
            how = f"exit code {exitcode}" if exitcode is not None else "unknown cause"
            if exitcode is not None and exitcode < 0:
                with contextlib.suppress(ValueError):
                    how = f"killed by {signal.Signals(-exitcode).name}"
            self._finish(
                run,
                "failed",
                code="worker_died",
                message=f"the worker process running this backtest died ({how}); "
                "it may have run out of memory. Run it again, or with less data",
                details={"pid": run.pid, "exitcode": exitcode},
            )

    async def _recover(self, generation: int) -> None:
        """Replace the broken pool of ``generation`` once, however many runs it failed."""
        if generation in self._recovering:
            await self._recovering[generation]
            return
        assert self._loop is not None
        done: asyncio.Future[None] = self._loop.create_future()
        self._recovering[generation] = done
        try:
            old = self._pool if generation == self._generation else None
            if old is not None and not self._closing:
                self._generation += 1
                self._pool = self._new_pool()
                log.warning("a worker process died; the pool was recreated")
            if old is not None:
                # Joined: the old workers' exit codes are final.
                await asyncio.to_thread(old.shutdown, wait=True, cancel_futures=True)
        finally:
            done.set_result(None)
        self._dispatch()

    async def _kill_if_stuck(self, run: _Run) -> None:
        assert self.cancel_grace is not None
        await asyncio.sleep(self.cancel_grace)
        if run.state != "running":
            return
        if self._client is not None:
            # A Dask task cannot be killed without its worker: release it (its result, if it
            # ever comes, is dropped) and record the cancel now.
            log.warning("run %s ignored its cancel for %ss; releasing its Dask task",
                        run.run_id, self.cancel_grace)  # fmt: skip
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._client.cancel, [run.dask_future], force=True)
            self._finish(run, "cancelled", stage="running")
            return
        pid = run.pid
        if pid is None:
            with contextlib.suppress(Exception):
                pid = await asyncio.to_thread(self._pids.get, run.run_id)
        if pid is None or run.state != "running":
            return
        log.warning("run %s ignored its cancel for %ss; killing worker %s", run.run_id,
                    self.cancel_grace, pid)  # fmt: skip
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        for _ in range(50):  # until the pool has seen the death (see _wake_pool)
            await asyncio.sleep(0.1)
            if run.state != "running":
                return
            self._wake_pool()

    def _finish(self, run: _Run, kind: str, **fields: Any) -> None:
        if run.state == "done":
            return
        run.state = "done"
        if run.killer is not None and run.killer is not asyncio.current_task():
            run.killer.cancel()
        if run.cancel_requested and self._client is None:
            with contextlib.suppress(Exception):
                self._cancel_flags.pop(run.run_id, None)
        # Forgotten once ``on_event`` has its terminal event (see ``_deliver``): until then
        # ``cancel`` still answers True, since an outcome is on its way.
        self._emit(run, ev.make_event(kind, run.run_id, **fields))
        self._dispatch()

    # -- events --

    def _on_worker_message(self, item: tuple[str, int, dict[str, Any]]) -> None:
        run_id, attempt, event = item
        run = self._runs.get(run_id)
        if run is None or attempt != run.attempt or run.state != "running":
            return  # a finished run, or an attempt a dead pool cut short
        if event.get("type") == _END:
            run.drained.set()
            return
        if event.get("type") == "started":
            run.pid = event.get("pid")
        self._emit(run, event)

    def _emit(self, run: _Run, event: dict[str, Any]) -> None:
        event["seq"] = next(run.seq)
        self._outbox.put_nowait((run.run_id, event))

    async def _deliver(self) -> None:
        """Hand events to ``on_event`` one at a time, in the order they happened."""
        while True:
            item = await self._outbox.get()
            if item is None:
                return
            run_id, event = item
            try:
                out = self._on_event(run_id, event)
                if inspect.isawaitable(out):
                    await out
            except Exception:
                log.exception("on_event failed for %s event of run %s", event.get("type"), run_id)
            if ev.is_terminal(event):
                run = self._runs.get(run_id)
                if run is not None and run.state == "done":
                    del self._runs[run_id]
