"""Create-time validation outside the API process.

Checking a request as the run will check it (``runs.execute.validate_run``: strategy and
parameters, symbols, dates and benchmark against the data, costs, what the sizing mode needs from
the signals) loads the run's whole panel, and for some sizing modes computes its signals. Done in
the API process, every create would grow the API's memory by the panels it has seen and hold the
GIL while the event loop serves everyone else. :class:`Validator` does it in one spawned helper
process instead (it dies with the API process, like the workers) and hands back the strategy's
parameters, or the domain error exactly as it was raised: same class, message, field, details.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import logging
import multiprocessing as mp
import os
import threading
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from ava_backtest.domain.errors import AvaError, NotFoundError
from ava_backtest.runs import events as ev
from ava_backtest.runs.executor import _ignore_sigint, die_with_parent, one_numba_thread

if TYPE_CHECKING:
    from ava_backtest.data.universes import Universe
    from ava_backtest.domain.config import RunConfig

log = logging.getLogger("ava.runs.validator")


def _init(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    one_numba_thread()
    _ignore_sigint()


def _ready() -> int:
    """Import what a validation needs, once, before the first request waits for it."""
    import ava_backtest.runs.execute  # noqa: F401
    from ava_backtest.strategies.registry import all_strategies

    all_strategies()
    return os.getpid()


def _check(config: RunConfig, universe: Universe | None) -> tuple[Any, ...]:
    """In the helper: ``("ok", params)``, ``("error", module, class, message, field, details,
    extra)`` for a domain error, ``("bug", text)`` for anything else. Never raises, so no
    exception has to survive pickling."""
    from ava_backtest.runs.execute import validate_run
    from ava_backtest.strategies.registry import reload_plugins

    try:
        try:
            strategy = validate_run(config, universe)
        except NotFoundError as e:
            if e.kind != "strategy":
                raise
            # A strategy file the API process has (re)loaded since this helper started.
            reload_plugins()
            strategy = validate_run(config, universe)
        return ("ok", dict(strategy.params))
    except AvaError as e:
        cls = type(e)
        extra = {k: v for k, v in vars(e).items() if k not in ("message", "field", "details")}
        return (
            "error",
            cls.__module__,
            cls.__qualname__,
            e.message,
            e.field,
            _plain(e.details),
            _plain(extra),
        )
    except Exception as e:
        return ("bug", f"{type(e).__name__}: {e}")


def _plain(value: Any) -> Any:
    try:
        return ev.client_event({"v": value})["v"]
    except Exception:
        return None


def rebuild_error(module: str, name: str, message: str, field: str | None, details: Any,
                  extra: dict[str, Any]) -> AvaError:  # fmt: skip
    """The domain error the helper raised, as the same class (``AvaError`` if it is not one)."""
    cls: type[AvaError] = AvaError
    with contextlib.suppress(Exception):
        found = importlib.import_module(module)
        for part in name.split("."):
            found = getattr(found, part)
        if isinstance(found, type) and issubclass(found, AvaError):
            cls = found
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.message, err.field, err.details = message, field, details
    vars(err).update(extra or {})
    return err


class Validator:
    """One helper process that validates run requests; started on first use (or ``warm``)."""

    def __init__(self) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=mp.get_context("spawn"),
                    initializer=_init,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def warm(self) -> concurrent.futures.Future[int]:
        """Start the helper and import what it needs. Call from the thread that lives as long
        as the validator (the event loop's): the helper dies with that thread's process."""
        return self._get_pool().submit(_ready)

    async def validate(self, config: RunConfig, universe: Universe | None) -> dict[str, Any]:
        """The strategy's validated parameters, or the domain error naming the field."""
        for attempt in (1, 2):
            pool = self._get_pool()
            try:
                outcome = await asyncio.wrap_future(pool.submit(_check, config, universe))
                break
            except BrokenProcessPool:
                # The helper died (out of memory?): a fresh one gets one more try.
                with self._lock:
                    if self._pool is pool:
                        self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
                if attempt == 2:
                    raise RuntimeError("the validation helper process died twice") from None
        if outcome[0] == "ok":
            return dict(outcome[1])
        if outcome[0] == "error":
            raise rebuild_error(*outcome[1:])
        raise RuntimeError(f"validating the request failed: {outcome[1]}")

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
