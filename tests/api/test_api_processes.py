"""Real server processes: progress crosses API processes through Redis; a killed worker never
leaves a run stuck in ``running``; two API processes on one PostgreSQL database leave each other's
runs alone and a cancel reaches the process that runs the run; a SIGKILLed server leaves no
worker or helper process behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.gated_strategy import NAME as GATED
from tests.gated_strategy import gated_env, wait_until_waiting

AVA = Path(sys.executable).with_name("ava")
SLOW = {
    "strategy_name": "sma_crossover",
    "market": "IN",
    "universe": "in_sample_synthetic",
    "start_date": "2005-01-03",
    "end_date": "2024-12-31",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.port = _free_port()
        self.log = (tmp / f"server-{self.port}.log").open("w")
        self.proc = subprocess.Popen(
            [str(AVA), "serve", "--port", str(self.port)],
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/v2/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError(
            f"server on {self.port} did not start: {Path(self.log.name).read_text()[-2000:]}"
        )

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.log.closed:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _wait(base: str, run_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = httpx.get(f"{base}/api/v2/backtests/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"{run_id} still {run['status']}")


def test_progress_reaches_a_client_of_another_api_process_through_redis(
    pg_url, redis_url, tmp_path
):
    env = {
        "AVA_DATABASE_URL": pg_url,
        "AVA_REDIS_URL": redis_url,
        "AVA_WORKERS": "1",
        "AVA_HOME": str(tmp_path),
    }
    a = Server(env, tmp_path)
    b = Server(env, tmp_path)
    try:
        r = httpx.post(f"{a.base}/api/v2/backtests", json=SLOW, timeout=60)
        assert r.status_code == 201, r.text
        run_id = r.json()["id"]
        events = []
        with connect(f"ws://127.0.0.1:{b.port}/ws/backtests/{run_id}", open_timeout=10) as ws:
            while True:
                e = json.loads(ws.recv(timeout=90))
                events.append(e)
                if e["type"] in ("completed", "failed", "cancelled", "interrupted"):
                    break
        assert events[0]["type"] == "state"
        assert events[-1]["type"] == "completed", events[-1]
        kinds = {e["type"] for e in events}
        if events[0]["status"] == "queued" or events[0]["percent"] < 100:
            assert "progress" in kinds
        assert httpx.get(f"{b.base}/api/v2/backtests/{run_id}").json()["status"] == "completed"
    finally:
        a.stop()
        b.stop()


def test_a_killed_worker_fails_the_run_and_the_server_goes_on(sqlite_url, tmp_path):
    env = {"AVA_DATABASE_URL": sqlite_url, "AVA_WORKERS": "1", "AVA_HOME": str(tmp_path)}
    srv = Server(env, tmp_path)
    try:
        run_id = httpx.post(f"{srv.base}/api/v2/backtests", json=SLOW, timeout=60).json()["id"]
        pid = None
        with connect(f"ws://127.0.0.1:{srv.port}/ws/backtests/{run_id}", open_timeout=10) as ws:
            while pid is None:
                e = json.loads(ws.recv(timeout=60))
                pid = e.get("pid") or (e.get("last_event") or {}).get("pid")
                if e["type"] in ("completed", "failed"):
                    pytest.fail(f"run ended before its worker could be killed: {e}")
        os.kill(pid, signal.SIGKILL)
        run = _wait(srv.base, run_id)
        assert run["status"] in ("failed", "interrupted")
        assert run["error_code"] == "worker_died"
        # The pool is rebuilt: the next run completes.
        ok = httpx.post(
            f"{srv.base}/api/v2/backtests",
            json={"strategy_name": "sma_crossover", "symbols": ["GOOG"]},
            timeout=60,
        )
        assert _wait(srv.base, ok.json()["id"])["status"] == "completed"
    finally:
        srv.stop()


def _sleepy_env(tmp_path: Path, sleeps: dict[str, float], **env: str) -> dict[str, str]:
    return {**gated_env(tmp_path, sleeps), "AVA_HOME": str(tmp_path), **env}


def _sleepy(base: str, symbol: str) -> str:
    body = {"strategy_name": GATED, "symbols": [symbol], "benchmark": "none"}
    r = httpx.post(f"{base}/api/v2/backtests", json=body, timeout=60)
    if r.status_code == 422 and "benchmark" in r.text:  # before benchmark "none" existed
        body.pop("benchmark")
        r = httpx.post(f"{base}/api/v2/backtests", json=body, timeout=60)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _wait_status(base: str, run_id: str, status: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    run: dict = {}
    while time.monotonic() < deadline:
        run = httpx.get(f"{base}/api/v2/backtests/{run_id}", timeout=10).json()
        if run["status"] == status:
            return run
        assert run["status"] in ("queued", "running"), run
        time.sleep(0.2)
    raise AssertionError(f"{run_id} is {run.get('status')}, not {status}")


def test_two_api_processes_on_one_database_leave_each_others_runs_alone(
    pg_url, redis_url, tmp_path
):
    env = _sleepy_env(
        tmp_path,
        {"AAPL": 300, "IBM": 300, "MSFT": 0},
        AVA_DATABASE_URL=pg_url,
        AVA_REDIS_URL=redis_url,
        AVA_WORKERS="2",
    )
    a = Server(env, tmp_path)
    b: Server | None = None
    try:
        survivor = _sleepy(a.base, "AAPL")  # holds A's first worker until its gate opens
        doomed = _sleepy(a.base, "IBM")  # holds A's second worker (its gate never opens)
        _wait_status(a.base, survivor, "running")
        _wait_status(a.base, doomed, "running")

        # B starts on the same database while A's runs are live: they stay A's.
        b = Server(env, tmp_path)
        for run_id in (survivor, doomed):
            assert httpx.get(f"{b.base}/api/v2/backtests/{run_id}").json()["status"] == "running"

        # A cancel sent to B reaches A, whose worker really stops: it is free for the next run
        # while the survivor still holds the other one.
        r = httpx.post(f"{b.base}/api/v2/backtests/{doomed}/cancel", timeout=30)
        assert r.status_code == 200, r.text
        # Never a cancel it did not do: cancelled once A stopped the worker, else on its way.
        assert r.json()["status"] == "cancelled" or r.json()["cancel_requested"] is True
        _wait_status(a.base, doomed, "cancelled", timeout=40)
        quick = _sleepy(a.base, "MSFT")
        assert _wait_status(a.base, quick, "completed", timeout=20)["n_trades"] > 0
        assert httpx.get(f"{a.base}/api/v2/backtests/{survivor}").json()["status"] == "running"

        # B stops (SIGTERM, as a deployment does): A's run goes on.
        b.stop(signal.SIGTERM)
        assert b.proc.returncode is not None
        assert httpx.get(f"{a.base}/api/v2/backtests/{survivor}").json()["status"] == "running"

        (tmp_path / "gates" / "AAPL").touch()
        run = _wait_status(a.base, survivor, "completed", timeout=90)
        assert run["n_trades"] > 0 and run["error"] is None
        trades = httpx.get(f"{a.base}/api/v2/backtests/{survivor}/trades").json()
        assert trades["total"] == run["n_trades"]
        curve = httpx.get(f"{a.base}/api/v2/backtests/{survivor}/equity-curve").json()
        assert len(curve["points"]) > 100
    finally:
        a.stop()
        if b is not None:
            b.stop()


def test_a_cancel_the_owner_cannot_finish_at_once_says_it_is_on_its_way(sqlite_url, tmp_path):
    """The run's own process takes the cancel while its worker is between reports (here silent
    for minutes): the answer is the run as recorded, ``running``, marked as a cancel on its way,
    never a plain ``running`` that reads as a refusal; the executor stops the silent worker after
    its grace and records the run cancelled."""
    env = _sleepy_env(tmp_path, {"IBM": 300}, AVA_DATABASE_URL=sqlite_url, AVA_WORKERS="1")
    srv = Server(env, tmp_path)
    try:
        run_id = _sleepy(srv.base, "IBM")
        wait_until_waiting(tmp_path / "gates", "IBM")
        r = httpx.post(f"{srv.base}/api/v2/backtests/{run_id}/cancel", timeout=30)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "running" and r.json()["cancel_requested"] is True, r.text
        assert _wait_status(srv.base, run_id, "cancelled", timeout=40)["status"] == "cancelled"
    finally:
        srv.stop()


def _proc_stat(pid: int) -> tuple[int, str, int] | None:
    """(ppid, state, start time) of a live process, None when there is none."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], int(fields[19])


def _alive(pid: int, started: int | None = None) -> bool:
    stat = _proc_stat(pid)
    if stat is None or stat[1] in ("Z", "X"):
        return False
    return started is None or stat[2] == started


def _descendants(root: int) -> dict[int, int]:
    """pid -> start time of every process below ``root``."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))) is not None:
            parents.setdefault(stat[0], []).append(int(entry.name))
            starts[int(entry.name)] = stat[2]
    out: dict[int, int] = {}
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            out[child] = starts[child]
            todo.append(child)
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_sigkilled_server_leaves_no_process_behind(sqlite_url, tmp_path):
    env = _sleepy_env(tmp_path, {"AAPL": 120}, AVA_DATABASE_URL=sqlite_url, AVA_WORKERS="2")
    srv = Server(env, tmp_path)
    try:
        run_id = _sleepy(srv.base, "AAPL")
        _wait_status(srv.base, run_id, "running")
        # The Manager, a worker busy with the run, and whatever else the pool started.
        below = _descendants(srv.proc.pid)
        assert len(below) >= 2, below
        srv.proc.kill()
        srv.proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            left = {pid for pid, start in below.items() if _alive(pid, start)}
            if not left:
                break
            time.sleep(0.2)
        for pid in left:  # never leave them behind for the next test, whatever the outcome
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not left, f"processes outlived the SIGKILLed server: {sorted(left)}"

        # Its run's owner is gone (its pid on this host exited): the next start-up interrupts it.
        again = Server(env, tmp_path)
        try:
            run = httpx.get(f"{again.base}/api/v2/backtests/{run_id}").json()
            assert run["status"] == "interrupted" and run["error_code"] == "interrupted", run
        finally:
            again.stop()
    finally:
        srv.stop()
