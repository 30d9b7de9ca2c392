"""Real server processes: progress crosses API processes through Redis; a killed worker never
leaves a run stuck in ``running``."""

from __future__ import annotations

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

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
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
