"""Runs in spawned worker processes: progress, outcomes, cancellation, dead workers, shutdown.

One executor (two workers) serves the module, on one event loop. Test-only behaviour comes in
through the executor's ``job`` hook: ``job`` runs real backtests, and a few fake strategies
(``test:slow`` and friends) that sleep, ignore cancellation, fail or report on their worker.
Workers import this module by name to find ``job``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections import defaultdict

import numpy as np
import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.events import InProcessBus
from ava_backtest.runs.execute import run_backtest
from ava_backtest.runs.executor import Cancelled, RunExecutor, _Reporter

TERMINAL = {"completed", "failed", "cancelled", "interrupted"}


def job(config: RunConfig, progress):
    """The workers' job: a real backtest, or a test behaviour named by the strategy."""
    kind = config.strategy_name
    seconds = float(config.params.get("seconds", 1.0))
    if kind == "test:slow":  # reports often, so it notices a cancel quickly
        t0 = time.monotonic()
        while (elapsed := time.monotonic() - t0) < seconds:
            progress(min(elapsed / seconds, 0.99), "sleeping")
            time.sleep(0.02)
        progress(1.0, "done")
        return {"slept": seconds}
    if kind == "test:stubborn":  # never reports: only killing its worker stops it
        time.sleep(seconds)
        return {"slept": seconds}
    if kind == "test:boom":
        progress(0.5, "about to fail")
        raise RuntimeError("kaboom in the worker")
    if kind == "test:env":
        import numba

        from ava_backtest.engine import kernel

        return {
            "numba_threads": numba.config.NUMBA_NUM_THREADS,
            "env": os.environ.get("NUMBA_NUM_THREADS"),
            "warm_signatures": len(kernel.simulate.signatures),
            "pid": os.getpid(),
        }
    return run_backtest(config, progress=progress)


def _cfg(strategy: str = "sma_crossover", **params) -> RunConfig:
    symbols = ["GOOG"] if not strategy.startswith("test:") else ["X"]
    return RunConfig(strategy_name=strategy, symbols=symbols, params=params)


def _rid() -> str:
    return uuid.uuid4().hex[:12]


class Harness:
    """The app's side: record every event and publish it to an in-process bus."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.events: dict[str, list[dict]] = defaultdict(list)
        self.times: dict[str, list[float]] = defaultdict(list)
        self.bus = InProcessBus()
        self.ex = RunExecutor(on_event=self.on_event, workers=2, job=job, cancel_grace=10.0)

    async def on_event(self, run_id: str, event: dict) -> None:
        self.events[run_id].append(event)
        self.times[run_id].append(time.monotonic())
        await self.bus.publish(run_id, event)

    def run(self, coro, timeout: float = 30.0):
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    async def until(self, run_id: str, types: set[str], timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.events[run_id]:
                if e["type"] in types:
                    return e
            await asyncio.sleep(0.01)
        raise AssertionError(f"no {types} for {run_id}; got {self.types(run_id)}")

    async def finished(self, run_id: str, timeout: float = 20.0) -> dict:
        return await self.until(run_id, TERMINAL, timeout)

    def submit_and_wait(self, run_id: str, config: RunConfig, timeout: float = 20.0) -> dict:
        async def body():
            self.ex.submit(run_id, config)  # from the loop, like the API's route handlers
            return await self.finished(run_id, timeout)

        return self.run(body(), timeout + 5)

    def types(self, run_id: str) -> list[str]:
        return [e["type"] for e in self.events[run_id]]


@pytest.fixture(scope="module")
def h():
    loop = asyncio.new_event_loop()
    harness = Harness(loop)
    t0 = time.monotonic()
    harness.run(harness.ex.start())  # two workers spawned and warmed, in parallel
    harness.start_seconds = time.monotonic() - t0
    yield harness
    harness.run(harness.ex.shutdown())
    harness.run(harness.bus.close())
    loop.close()


def test_real_run_streams_progress_then_completes_like_in_process(h):
    config = _cfg()
    rid = _rid()
    lags: list[float] = []

    async def body():
        async def ticker():
            while True:
                t = time.monotonic()
                await asyncio.sleep(0.01)
                lags.append(time.monotonic() - t - 0.01)

        tick = asyncio.ensure_future(ticker())
        async with h.bus.subscribe(rid) as sub:
            h.ex.submit(rid, config)
            assert h.ex.state(rid) in ("queued", "running")
            seen = [e async for e in sub]
        tick.cancel()
        return seen

    seen = h.run(body())
    assert h.types(rid) == ["started"] + ["progress"] * 5 + ["completed"]
    events = h.events[rid]
    assert [e["seq"] for e in events] == list(range(1, 8))
    assert all(e["run_id"] == rid and e["ts"] for e in events)
    progress = [e for e in events if e["type"] == "progress"]
    assert [p["percent"] for p in progress] == [5.0, 35.0, 60.0, 85.0, 100.0]
    assert [p["message"] for p in progress][1:3] == ["computing signals", "simulating"]
    assert progress[-1]["eta_seconds"] == 0.0 and progress[2]["eta_seconds"] is not None
    assert {"symbol", "bars_done"} <= progress[0].keys()
    done = events[-1]
    expected = run_backtest(config)
    assert done["result"].trades.equals(expected.trades)
    assert np.array_equal(done["result"].equity, expected.equity)
    assert done["metrics"]["trade_count"] == expected.metrics["trade_count"]
    assert done["elapsed_seconds"] > 0
    # Through the pump to a bus subscriber: the same events, without the result object.
    assert [e["type"] for e in seen] == h.types(rid)
    assert "result" not in seen[-1] and seen[-1]["metrics"]["trade_count"] > 0
    assert h.ex.state(rid) is None
    assert max(lags) < 0.5, f"the event loop stalled for {max(lags):.3f}s"


def test_bad_symbol_fails_with_not_found_naming_it(h):
    rid = _rid()
    failed = h.submit_and_wait(rid, RunConfig(strategy_name="sma_crossover", symbols=["NOPE"]))
    assert failed["type"] == "failed" and failed["code"] == "not_found"
    assert "NOPE" in failed["message"]
    assert "GOOG" in failed["details"]["available"]


def test_unexpected_exception_fails_as_internal_error(h):
    rid = _rid()
    failed = h.submit_and_wait(rid, _cfg("test:boom"))
    assert h.types(rid) == ["started", "progress", "failed"]
    assert failed["code"] == "internal_error"
    assert "kaboom in the worker" in failed["message"]
    assert "RuntimeError" in failed["details"]["traceback"]


def test_workers_run_one_numba_thread_with_warm_kernels(h):
    rid = _rid()
    done = h.submit_and_wait(rid, _cfg("test:env"))
    assert done["type"] == "completed"
    info = done["result"]
    assert info["numba_threads"] == 1 and info["env"] == "1"
    assert info["warm_signatures"] >= 1  # the initializer compiled/loaded the kernel
    assert info["pid"] != os.getpid()


def test_cancel_queued_run_drops_it_and_running_run_stops_within_a_second(h):
    a, b, c = _rid(), _rid(), _rid()

    async def body():
        h.ex.submit(a, _cfg("test:slow", seconds=30))
        h.ex.submit(b, _cfg("test:slow", seconds=30))
        h.ex.submit(c, _cfg("test:slow", seconds=30))  # both workers busy: c waits
        await h.until(a, {"started"})
        await h.until(b, {"started"})
        assert h.ex.state(c) == "queued" and h.ex.queued == [c]
        assert h.ex.cancel(c) is True
        dropped = await h.finished(c)
        assert h.ex.cancel(a) is True
        t_cancel = time.monotonic()
        stopped = await h.finished(a)
        took = h.times[a][-1] - t_cancel
        h.ex.cancel(b)
        await h.finished(b)
        return dropped, stopped, took

    dropped, stopped, took = h.run(body())
    assert h.types(c) == ["cancelled"] and dropped["stage"] == "queued"
    assert stopped["type"] == "cancelled" and stopped["stage"] == "running"
    assert took < 1.0, f"cancel took {took:.2f}s"
    assert "progress" in h.types(a)
    assert h.ex.cancel(a) is False  # finished: nothing to cancel
    assert h.ex.cancel("no-such-run") is False


def test_cancel_kills_a_worker_that_ignores_it_and_restarts_the_collateral_run(h):
    stuck, bystander = _rid(), _rid()
    h.ex.cancel_grace = 0.5

    async def body():
        h.ex.submit(stuck, _cfg("test:stubborn", seconds=60))
        h.ex.submit(bystander, _cfg("test:slow", seconds=1.5))
        await h.until(stuck, {"started"})
        await h.until(bystander, {"started"})
        h.ex.cancel(stuck)
        t_cancel = time.monotonic()
        await h.finished(stuck)
        took = h.times[stuck][-1] - t_cancel
        await h.finished(bystander)
        return took

    try:
        took = h.run(body())
    finally:
        h.ex.cancel_grace = 10.0
    assert h.types(stuck) == ["started", "cancelled"]
    assert took < 3.0, f"cancel took {took:.2f}s"
    # The bystander's healthy worker went down with the pool: it ran again and completed.
    types = h.types(bystander)
    assert types[-1] == "completed" and types.count("started") == 2
    restarted = [e for e in h.events[bystander] if e["type"] == "log"]
    assert restarted and "restarting" in restarted[0]["message"]
    starts = [e for e in h.events[bystander] if e["type"] == "started"]
    assert [s["attempt"] for s in starts] == [1, 2]


def test_killed_worker_fails_its_run_and_later_runs_still_complete(h):
    victim, later = _rid(), _rid()

    async def body():
        h.ex.submit(victim, _cfg("test:slow", seconds=60))
        started = await h.until(victim, {"started"})
        await h.until(victim, {"progress"})
        os.kill(started["pid"], signal.SIGKILL)
        failed = await h.finished(victim)
        h.ex.submit(later, _cfg())
        done = await h.finished(later, timeout=30)
        return failed, done

    failed, done = h.run(body(), timeout=60)
    assert failed["type"] == "failed" and failed["code"] == "worker_died"
    assert "SIGKILL" in failed["message"]
    assert done["type"] == "completed" and done["result"].metrics["trade_count"] > 0


def test_submit_and_cancel_from_another_thread(h):
    rid = _rid()

    async def body():
        # A sync route handler runs in a thread pool; it gets the same behaviour.
        await asyncio.to_thread(h.ex.submit, rid, _cfg("test:slow", seconds=30))
        await h.until(rid, {"progress"})
        assert await asyncio.to_thread(h.ex.cancel, rid) is True
        return await h.finished(rid)

    assert h.run(body())["type"] == "cancelled"


def test_ctrl_c_to_the_process_group_leaves_workers_running(h):
    rid = _rid()

    async def body():
        h.ex.submit(rid, _cfg("test:slow", seconds=1.0))
        started = await h.until(rid, {"started"})
        os.kill(started["pid"], signal.SIGINT)  # the API's Ctrl-C reaches the workers too
        return await h.finished(rid)

    assert h.run(body())["type"] == "completed"


def test_reporter_sends_progress_logs_stalls_and_raises_on_cancel():
    class Sink(list):
        def put(self, item):
            self.append(item)

    sink, flags = Sink(), {}
    report = _Reporter("r1", 1, sink, flags)
    report(0.05, "loading 1 symbols")
    report(0.6, "simulating")
    report(0.6, "shorts are not allowed overnight")  # no step forward: a log line
    for i in range(1000):  # a chatty job is throttled to about ten events a second
        report(0.6 + (i + 1) / 10_000, "simulating bars")
    events = [e for _, attempt, e in sink if attempt == 1]
    assert [e["type"] for e in events[:4]] == ["progress", "progress", "log", "progress"]
    assert events[2]["message"] == "shorts are not allowed overnight"
    assert len(events) <= 6
    flags["r1"] = True
    time.sleep(0.11)
    with pytest.raises(Cancelled):
        report(0.7, "simulating bars")


def test_shutdown_interrupts_running_and_queued_runs():
    loop = asyncio.new_event_loop()
    got: dict[str, list[dict]] = defaultdict(list)
    ex = RunExecutor(on_event=lambda rid, e: got[rid].append(e), workers=1, job=job, warm=False)
    running, waiting = _rid(), _rid()

    async def body():
        ex.submit(running, _cfg("test:slow", seconds=30))  # starts the executor lazily
        ex.submit(waiting, _cfg("test:slow", seconds=30))
        while not any(e["type"] == "progress" for e in got[running]):
            await asyncio.sleep(0.01)
        t0 = time.monotonic()
        await ex.shutdown(grace=3.0)
        took = time.monotonic() - t0
        with pytest.raises(RuntimeError, match="shut down"):
            ex.submit(_rid(), _cfg())
        return took

    try:
        took = loop.run_until_complete(asyncio.wait_for(body(), 30))
    finally:
        loop.close()
    assert got[running][-1]["type"] == "interrupted" and got[running][-1]["stage"] == "running"
    assert [e["type"] for e in got[waiting]] == ["interrupted"]
    assert took < 3.0


def test_a_killed_worker_spawned_after_the_first_run_is_noticed():
    """CPython's pool wakes its manager thread before it spawns a new worker, so that thread may
    wait on the first worker only: the second one's death (here, killed for ignoring a cancel)
    went unnoticed and its run stayed ``running``. The executor wakes the thread after a spawn
    and after a kill."""
    got: dict[str, list[dict]] = defaultdict(list)
    loop = asyncio.new_event_loop()

    async def body() -> list[str]:
        ex = RunExecutor(
            on_event=lambda rid, e: got[rid].append(e),
            workers=2,
            job=job,
            cancel_grace=0.5,
            warm=False,
        )
        await ex.start(wait_warm=False)  # no worker yet: each submit spawns one
        first, second = _rid(), _rid()
        try:
            for run_id in (first, second):
                ex.submit(run_id, _cfg("test:stubborn", seconds=60))
                while not any(e["type"] == "started" for e in got[run_id]):
                    await asyncio.sleep(0.02)
            assert ex.cancel(second)
            deadline = time.monotonic() + 10
            while not any(e["type"] in TERMINAL for e in got[second]):
                assert time.monotonic() < deadline, f"still running: {got[second]}"
                await asyncio.sleep(0.05)
            return [e["type"] for e in got[second]]
        finally:
            await ex.shutdown(grace=0.5)

    try:
        types = loop.run_until_complete(asyncio.wait_for(body(), 60))
    finally:
        loop.close()
    assert types[-1] == "cancelled"


_COMPILE_IN_WORKER = """
import concurrent.futures, multiprocessing as mp, os, sys
import numba  # as ``ava``'s main module does: the spawned workers import numba before the initializer

from ava_backtest.runs.executor import _init_worker


def compile_fresh():
    # never in a cache: a kernel compiled in the worker, as every kernel is on a fresh install
    return numba.njit(lambda x: x + 1)(41), numba.get_num_threads()


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=ctx, initializer=_init_worker, initargs=(None, None, None, False, os.getpid())
    ) as pool:
        print(pool.submit(compile_fresh).result())
"""


def test_a_worker_whose_main_module_imported_numba_still_compiles_kernels(tmp_path):
    # ``ava serve`` on a fresh install failed every run with "Cannot set NUMBA_NUM_THREADS to a
    # different value once the threads have been launched": the initializer changed the
    # environment after numba had read it, and the first compilation re-read it.
    import subprocess
    import sys

    script = tmp_path / "main.py"
    script.write_text(_COMPILE_IN_WORKER)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_NUM_THREADS"}
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "(42, 1)"
