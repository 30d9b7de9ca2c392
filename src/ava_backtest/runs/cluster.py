"""Where research jobs run: in this process (the local runner) or on a Dask cluster.

A job is many independent items (optimisation batches, walk-forward windows, the symbols of a
screen) evaluated by one top-level function ``fn(item, shared)``. ``shared`` (the data panel, the
run config) is the same for every item: the Dask runner scatters it to every worker once per job
(``broadcast=True``), never once per task. Results stream back as they finish (``on_result(index,
result)`` in completion order), ``should_stop`` is polled between completions and cancels what is
left, and the returned list is in item order, so a job's numbers never depend on which worker
finished first. A task whose worker dies is run again elsewhere (the scheduler reschedules it and
``retries`` covers a failure on the way), so losing a worker does not lose the job.

``job_runner()`` picks the runner: an explicit address, else ``AVA_DASK_ADDRESS``, else local.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ava_backtest.domain.errors import ConfigError
from ava_backtest.settings import get_settings

if TYPE_CHECKING:  # dask is an optional dependency (the ``distributed`` extra)
    from distributed import Client

T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R")

TASK_RETRIES = 3
"""Times Dask retries a task that failed on the way (on top of rescheduling a lost worker's)."""
CONNECT_TIMEOUT_S = 10.0


class JobStopped(Exception):
    """Raised by ``map`` when ``should_stop`` answered True: the remaining items were cancelled.
    ``done`` holds the results that had arrived, by item index."""

    def __init__(self, done: dict[int, Any], total: int) -> None:
        super().__init__(f"stopped after {len(done)} of {total} items")
        self.done = done
        self.total = total


class JobRunner(Protocol):
    name: str
    slots: int  # items worth running at once: 1 here, the cluster's threads on Dask

    def map(
        self,
        fn: Callable[[T, S], R],
        items: Sequence[T],
        shared: S,
        *,
        on_result: Callable[[int, R], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[R]: ...


class LocalRunner:
    """Runs the items here, one after another, in item order: the same numbers as before there
    was a cluster."""

    name = "local"
    slots = 1

    def map(
        self,
        fn: Callable[[T, S], R],
        items: Sequence[T],
        shared: S,
        *,
        on_result: Callable[[int, R], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[R]:
        out: list[R] = []
        for i, item in enumerate(items):
            if should_stop is not None and should_stop():
                raise JobStopped(dict(enumerate(out)), len(items))
            r = fn(item, shared)
            out.append(r)
            if on_result is not None:
                on_result(i, r)
        return out


class DaskRunner:
    """Submits the items to a Dask cluster through ``distributed.Client``."""

    def __init__(self, client: Client, retries: int = TASK_RETRIES) -> None:
        self.client = client
        self.retries = retries
        self.name = f"dask {client.scheduler.address}"
        self._shared: tuple[Any, Any] | None = None  # (object, its future on the workers)

    @property
    def slots(self) -> int:
        """Tasks the cluster runs at once (its workers' threads)."""
        return max(1, sum(self.client.nthreads().values()))

    def _scatter(self, shared: Any) -> Any:
        # A job that maps several times over the same object (a study's batches) sends it once;
        # it stays on the workers until another object replaces it or the runner is dropped.
        if self._shared is not None and self._shared[0] is shared:
            return self._shared[1]
        self.release()
        future = self.client.scatter(shared, broadcast=True, hash=False)
        self._shared = (shared, future)
        return future

    def release(self) -> None:
        """Drop the shared data from the workers."""
        if self._shared is not None:
            self.client.cancel([self._shared[1]])
            self._shared = None

    def map(
        self,
        fn: Callable[[T, S], R],
        items: Sequence[T],
        shared: S,
        *,
        on_result: Callable[[int, R], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[R]:
        from distributed import as_completed

        if not items:
            return []
        client = self.client
        # Once per job, on every worker; each task gets a reference, not a copy.
        shared_future = self._scatter(shared)
        futures = [
            client.submit(fn, item, shared_future, pure=False, retries=self.retries)
            for item in items
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        results: dict[int, R] = {}
        try:
            for fut in as_completed(futures, loop=client.loop):
                if should_stop is not None and should_stop():
                    raise JobStopped(dict(results), len(items))
                r = fut.result()  # a task's own exception is raised here, naming it
                i = index[fut.key]
                results[i] = r
                if on_result is not None:
                    on_result(i, r)
        finally:
            pending = [f for f in futures if not f.done()]
            if pending:
                client.cancel(pending)
        return [results[i] for i in range(len(items))]


_clients: dict[str, Client] = {}
_lock = threading.Lock()


def dask_client(address: str) -> Client:
    """One client per scheduler address per process, connected on first use."""
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError(
            "Dask is not installed; pip install 'ava-backtest[distributed]'",
            field="dask_address",
        ) from None
    with _lock:
        client = _clients.get(address)
        if client is not None and client.status in ("running", "connecting"):
            return client
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except OSError as e:
            raise ConfigError(
                f"cannot reach a Dask scheduler at {address!r}: {e}",
                field="dask_address",
            ) from None
        _clients[address] = client
        return client


def close_clients() -> None:
    with _lock:
        for c in _clients.values():
            with contextlib.suppress(Exception):  # closing at exit: a gone scheduler is fine
                c.close()
        _clients.clear()


atexit.register(close_clients)


def job_runner(dask_address: str | None = None) -> JobRunner:
    """The Dask runner for ``dask_address`` (or ``AVA_DASK_ADDRESS``), else the local runner."""
    address = dask_address or get_settings().dask_address
    if not address:
        return LocalRunner()
    return DaskRunner(dask_client(address))
