"""Single backtests on a Dask cluster: RunExecutor with ``dask_address`` (the API's with
AVA_DASK_ADDRESS) sends each run to a real two-process LocalCluster instead of its local pool.

The same events as the local pool (started, progress, completed / failed / cancelled, with
contiguous ``seq``), the same trades and metrics as a run in this process, cancel of a queued
and of a running run, a strategy error recorded as a failed run with its message, and a worker
killed mid-run: the scheduler reruns the task on the other worker and the run still completes
with the local numbers. Workers import this module by name to find ``job``.
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
from ava_backtest.runs.events import client_event
from ava_backtest.runs.execute import run_backtest
from ava_backtest.runs.executor import RunExecutor

TERMINAL = {"completed", "failed", "cancelled", "interrupted"}
GOOG = RunConfig(
    strategy_name="sma_crossover", symbols=["GOOG"], params={"fast_period": 10, "slow_period": 40}
)


def job(config: RunConfig, progress):
    """The workers' job: a real backtest, or a test behaviour named in the params."""
    kind = config.params.get("test")
    if kind is None:
        return run_backtest(config, progress=progress)
    seconds = float(config.params.get("seconds", 1.0))
    if kind == "slow":  # reports often, so it notices a cancel quickly; then a real backtest
        t0 = time.monotonic()
        while (elapsed := time.monotonic() - t0) < seconds:
            progress(min(elapsed / seconds, 0.5), "sleeping")
            time.sleep(0.02)
        return run_backtest(config.model_copy(update={"params": {}}), progress=progress)
    if kind == "stubborn":  # never reports: only releasing its task ends the run
        time.sleep(seconds)
        return {"slept": seconds}
    if kind == "boom":
        progress(0.5, "about to fail")
        raise RuntimeError("kaboom on a Dask worker")
    raise AssertionError(kind)


def _test(kind: str, **more) -> RunConfig:
    return RunConfig(strategy_name="sma_crossover", symbols=["GOOG"], params={"test": kind, **more})


class Harness:
    def __init__(self, address: str, *, job_fn=job, cancel_grace: float = 10.0) -> None:
        self.loop = asyncio.new_event_loop()
        self.events: dict[str, list[dict]] = defaultdict(list)
        self.ex = RunExecutor(
            on_event=self.on_event, workers=7, job=job_fn, cancel_grace=cancel_grace,
            dask_address=address,
        )  # fmt: skip

    async def on_event(self, run_id: str, event: dict) -> None:
        self.events[run_id].append(event)

    def run(self, coro, timeout: float = 120.0):
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    async def until(self, run_id: str, types: set[str], timeout: float = 90.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.events[run_id]:
                if e["type"] in types:
                    return e
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {types} for {run_id}; got {self.types(run_id)}")

    def types(self, run_id: str) -> list[str]:
        return [e["type"] for e in self.events[run_id]]

    def close(self) -> None:
        self.run(self.ex.shutdown())
        self.loop.close()


@pytest.fixture
def h(dask_address):
    harness = Harness(dask_address)
    harness.run(harness.ex.start())
    yield harness
    harness.close()


def _rid() -> str:
    return uuid.uuid4().hex[:12]


def _same_result(got, expected) -> None:
    assert got.trades.equals(expected.trades)
    np.testing.assert_array_equal(got.equity, expected.equity)
    # Every metric, exactly (NaN as None on both sides).
    assert client_event({"m": got.metrics}) == client_event({"m": expected.metrics})


def test_a_backtest_on_the_cluster_equals_the_local_one_with_the_same_events(h, dask_address):
    assert h.ex.workers == 2  # the cluster's threads, not the 7 asked for the local pool
    rid = _rid()

    async def body():
        h.ex.submit(rid, GOOG)
        return await h.until(rid, TERMINAL)

    done = h.run(body())
    assert done["type"] == "completed", done
    types = h.types(rid)
    assert types[0] == "started" and types[-1] == "completed"
    assert types.count("progress") >= 3 and set(types[1:-1]) <= {"progress", "log"}
    events = h.events[rid]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["pid"] != os.getpid()  # it ran on a worker process
    progress = [e["percent"] for e in events if e["type"] == "progress"]
    assert progress == sorted(progress) and progress[-1] == 100.0
    expected = run_backtest(GOOG)
    _same_result(done["result"], expected)
    assert done["metrics"]["trade_count"] == expected.metrics["trade_count"] > 0
    assert h.ex.state(rid) is None


def test_strategy_errors_fail_the_run_with_their_message(h):
    boom, nope = _rid(), _rid()

    async def body():
        h.ex.submit(boom, _test("boom"))
        h.ex.submit(nope, RunConfig(strategy_name="sma_crossover", symbols=["NOPE"]))
        return await h.until(boom, TERMINAL), await h.until(nope, TERMINAL)

    failed, missing = h.run(body())
    assert h.types(boom) == ["started", "progress", "failed"]
    assert failed["code"] == "internal_error" and "kaboom on a Dask worker" in failed["message"]
    assert "RuntimeError" in failed["details"]["traceback"]
    assert missing["type"] == "failed" and missing["code"] == "not_found"
    assert "NOPE" in missing["message"]


def test_cancel_a_running_and_a_queued_run(h):
    a, b, c = _rid(), _rid(), _rid()

    async def body():
        for rid in (a, b, c):
            h.ex.submit(rid, _test("slow", seconds=60))
        assert h.ex.queued == [c]  # two worker threads: the third waits here
        await h.until(a, {"progress"})
        assert h.ex.cancel(c) and h.ex.cancel(a)
        return await h.until(c, TERMINAL), await h.until(a, TERMINAL, timeout=30)

    queued, running = h.run(body())
    assert queued["type"] == "cancelled" and queued["stage"] == "queued"
    assert h.types(c) == ["cancelled"]
    assert running["type"] == "cancelled" and running["stage"] == "running"
    assert h.ex.cancel(b)
    assert h.run(h.until(b, TERMINAL, timeout=30))["type"] == "cancelled"


def test_a_run_that_ignores_its_cancel_is_released_and_recorded_cancelled(dask_address):
    harness = Harness(dask_address, cancel_grace=0.5)
    try:
        rid = _rid()

        async def body():
            harness.ex.submit(rid, _test("stubborn", seconds=3))
            await harness.until(rid, {"started"})
            harness.ex.cancel(rid)
            return await harness.until(rid, TERMINAL, timeout=30)

        assert harness.run(body())["type"] == "cancelled"
        assert "completed" not in harness.types(rid)
    finally:
        harness.close()


def test_a_worker_killed_mid_run_costs_a_rerun_not_the_run(h, dask_cluster):
    rid = _rid()
    config = _test("slow", seconds=3)

    async def body():
        h.ex.submit(rid, config)
        started = await h.until(rid, {"started"})
        await h.until(rid, {"progress"})
        os.kill(started["pid"], signal.SIGKILL)
        return started["pid"], await h.until(rid, TERMINAL, timeout=180)

    killed, done = h.run(body(), timeout=240)
    assert done["type"] == "completed", done
    starts = [e for e in h.events[rid] if e["type"] == "started"]
    assert len(starts) == 2 and starts[1]["pid"] != killed  # rerun on another worker
    _same_result(done["result"], run_backtest(config.model_copy(update={"params": {}})))
    # The nanny restarts the killed worker: wait for two workers again for the next tests.
    client = h.ex._client
    deadline = time.monotonic() + 60
    while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(client.scheduler_info()["workers"]) == 2


def test_without_an_address_single_backtests_stay_local(monkeypatch):
    monkeypatch.setenv("AVA_DASK_ADDRESS", "tcp://127.0.0.1:9")
    assert RunExecutor(on_event=lambda *_: None).dask_address == "tcp://127.0.0.1:9"
    # A job of its own (a study, a screen) sends its pieces to the cluster itself.
    assert RunExecutor(on_event=lambda *_: None, job=job).dask_address is None
    assert RunExecutor(on_event=lambda *_: None, dask_address=None).dask_address is None
    monkeypatch.delenv("AVA_DASK_ADDRESS")
    assert RunExecutor(on_event=lambda *_: None).dask_address is None
