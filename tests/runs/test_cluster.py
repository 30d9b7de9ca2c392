"""The job runners: the local one, and the Dask one on a real two-process LocalCluster, give the
same results in item order; shared data travel once per worker; a stop cancels what is left; a
worker killed mid-job costs nothing but time."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs import cluster
from ava_backtest.runs.cluster import DaskRunner, JobStopped, LocalRunner, job_runner


def weighted_sum(item: int, shared: np.ndarray) -> float:
    return float(shared[item % len(shared)] * item + shared.sum())


def where_and_which(item: int, shared: np.ndarray) -> tuple[int, int]:
    time.sleep(0.05)
    return os.getpid(), id(shared)


def slow_square(item: int, shared: dict[str, float]) -> float:
    time.sleep(shared["sleep"])
    return item * item * shared["scale"]


def fails_on_three(item: int, shared: None) -> int:
    if item == 3:
        raise ValueError("item 3 is refused")
    return item


SHARED = np.linspace(0.5, 2.0, 7)


def test_local_runner_runs_in_item_order():
    seen: list[int] = []
    out = LocalRunner().map(weighted_sum, range(10), SHARED, on_result=lambda i, r: seen.append(i))
    assert out == [weighted_sum(i, SHARED) for i in range(10)]
    assert seen == list(range(10))


def test_local_runner_stops_between_items():
    seen: list[int] = []
    with pytest.raises(JobStopped) as stop:
        LocalRunner().map(
            weighted_sum, range(10), SHARED,
            on_result=lambda i, r: seen.append(i), should_stop=lambda: len(seen) >= 4,
        )  # fmt: skip
    assert sorted(stop.value.done) == [0, 1, 2, 3]
    assert stop.value.total == 10


def test_job_runner_is_local_without_an_address(monkeypatch):
    monkeypatch.delenv("AVA_DASK_ADDRESS", raising=False)
    assert job_runner().name == "local"


def test_unreachable_scheduler_is_a_named_error(monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(ConfigError) as e:
        job_runner("tcp://127.0.0.1:9")
    assert e.value.field == "dask_address"
    assert "tcp://127.0.0.1:9" in e.value.message


def test_dask_gives_the_local_results_in_item_order(dask_address, monkeypatch):
    monkeypatch.setenv("AVA_DASK_ADDRESS", dask_address)
    runner = job_runner()  # from the environment
    assert isinstance(runner, DaskRunner) and runner.name == f"dask {dask_address}"
    seen: list[tuple[int, float]] = []
    out = runner.map(weighted_sum, range(40), SHARED, on_result=lambda i, r: seen.append((i, r)))
    assert out == LocalRunner().map(weighted_sum, range(40), SHARED)
    assert sorted(i for i, _ in seen) == list(range(40))
    assert all(out[i] == r for i, r in seen)


def test_dask_sends_shared_data_once_per_worker(dask_address):
    out = job_runner(dask_address).map(where_and_which, range(20), np.arange(100_000.0))
    ids_by_worker: dict[int, set[int]] = {}
    for pid, ident in out:
        ids_by_worker.setdefault(pid, set()).add(ident)
    assert len(ids_by_worker) == 2  # both workers took part
    assert all(len(ids) == 1 for ids in ids_by_worker.values())  # one copy each, not per task


def test_dask_task_error_is_raised(dask_address):
    with pytest.raises(ValueError, match="item 3 is refused"):
        job_runner(dask_address).map(fails_on_three, range(6), None)


def test_dask_stop_cancels_the_rest(dask_address):
    runner = job_runner(dask_address)
    seen: list[int] = []
    t0 = time.perf_counter()
    with pytest.raises(JobStopped) as stop:
        runner.map(
            slow_square, range(40), {"sleep": 0.2, "scale": 1.0},
            on_result=lambda i, r: seen.append(i), should_stop=lambda: len(seen) >= 2,
        )  # fmt: skip
    assert len(stop.value.done) == 2
    assert time.perf_counter() - t0 < 40 * 0.2 / 2  # the 38 others were not all run
    # the cluster is free again at once: the cancelled tasks are gone
    assert runner.map(weighted_sum, range(3), SHARED) == [weighted_sum(i, SHARED) for i in range(3)]


def test_killing_a_worker_mid_job_still_completes(dask_address, dask_cluster):
    runner = job_runner(dask_address)
    client = runner.client
    shared = {"sleep": 0.3, "scale": 2.5}
    items = list(range(16))
    killed: list[int] = []

    def kill_one(i: int, r: float) -> None:
        if killed:
            return
        # Both single-thread workers are busy with a task: kill one of them outright.
        pid = next(iter(client.run(os.getpid).values()))
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    out = runner.map(slow_square, items, shared, on_result=kill_one)
    assert killed
    assert out == LocalRunner().map(slow_square, items, {"sleep": 0.0, "scale": 2.5})
    # The nanny restarts the killed worker: wait for two workers again for the next tests.
    deadline = time.monotonic() + 60
    while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(client.scheduler_info()["workers"]) == 2
    assert killed[0] not in client.run(os.getpid).values()


def test_clients_are_shared_per_address(dask_address):
    assert job_runner(dask_address).client is job_runner(dask_address).client
    assert threading.current_thread() is threading.main_thread()
