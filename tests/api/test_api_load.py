"""50 concurrent backtests against a real uvicorn server: none lost, none merged, all completed.

The server is its own process (SQLite in tmp_path, two worker processes) so the test's client
does not share its GIL. /api/v2/health is polled throughout; its latencies are printed (run with
``-s`` to see them), not asserted: bench/api_load.py measures them against a target.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

N_RUNS, N_IDENTICAL, WAIT_S = 50, 5, 120.0
TERMINAL = ("completed", "failed", "cancelled", "interrupted")


def body(fast: int, slow: int = 30) -> dict[str, Any]:
    return {
        "strategy_name": "sma_crossover",
        "symbols": ["GOOG"],
        "params": {"fast_period": fast, "slow_period": slow},
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVA_")}
    env.update(
        AVA_DATABASE_URL=f"sqlite:///{tmp_path / 'ava.db'}",
        AVA_WORKERS="2",
        AVA_HOME=str(tmp_path / "home"),
    )
    log_path = tmp_path / "server.log"
    cmd = [
        sys.executable, "-m", "uvicorn", "ava_backtest.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, log_path.read_text()[-3000:]
                assert time.monotonic() < deadline, "server did not start in 60 s"
                try:
                    if httpx.get(f"{base}/api/v2/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield base
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # the lifespan's shutdown: pool, store
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    pytest.fail(f"server ignored SIGINT: {log_path.read_text()[-3000:]}")
    assert proc.returncode == 0, log_path.read_text()[-3000:]


class HealthPoller(threading.Thread):
    """GET /health back to back on its own thread and connection while the load runs."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.latencies_ms, self.failures = base, [], []
        self.done = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=10) as client:
            while not self.done.is_set():
                t0 = time.perf_counter()
                try:
                    r = client.get("/api/v2/health")
                    ok = r.status_code == 200 and r.json()["status"] == "ok"
                except httpx.HTTPError as e:
                    ok, r = False, e
                if ok:
                    self.latencies_ms.append((time.perf_counter() - t0) * 1000)
                else:
                    self.failures.append(repr(r))
                time.sleep(0.005)


async def _load(base: str, payloads: list[dict[str, Any]]) -> tuple[list[str], list[dict], dict]:
    """POST all at once; wait (bounded) until every run is finished; read each back with the
    total of its trades."""
    limits = httpx.Limits(max_connections=len(payloads) + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        posted = await asyncio.gather(*(client.post("/api/v2/backtests", json=p) for p in payloads))
        bad = [(r.status_code, r.text) for r in posted if r.status_code != 201]
        assert not bad, bad
        ids = [r.json()["id"] for r in posted]
        deadline = time.monotonic() + WAIT_S
        while True:
            page = (await client.get("/api/v2/backtests", params={"limit": 500})).json()
            if all(r["status"] in TERMINAL for r in page["items"]) and page["total"] >= len(ids):
                break
            assert time.monotonic() < deadline, f"runs not finished after {WAIT_S} s"
            await asyncio.sleep(0.2)
        runs = [(await client.get(f"/api/v2/backtests/{i}")).json() for i in ids]
        for run in runs:
            trades = await client.get(f"/api/v2/backtests/{run['id']}/trades", params={"limit": 1})
            run["trades_total"] = trades.json()["total"]
        return ids, runs, page


def test_fifty_concurrent_backtests_all_complete_none_lost_none_merged(server):
    distinct = [body(5 + i % 25, 30 + 10 * (i // 25)) for i in range(N_RUNS - N_IDENTICAL)]
    payloads = distinct + [body(12, 40)] * N_IDENTICAL  # the same config, five times

    poller = HealthPoller(server)
    poller.start()
    t0 = time.perf_counter()
    try:
        ids, runs, page = asyncio.run(_load(server, payloads))
    finally:
        poller.done.set()
        poller.join()
    wall = time.perf_counter() - t0

    assert len(set(ids)) == N_RUNS  # identical configs are separate runs, never merged
    assert page["total"] == N_RUNS and {r["id"] for r in page["items"]} == set(ids)
    for run, payload in zip(runs, payloads, strict=True):
        assert run["status"] == "completed", run
        assert run["params"] == payload["params"]
        assert run["n_trades"] > 0 and run["trades_total"] == run["n_trades"]
        assert run["metrics"]["trade_count"] == run["n_trades"]
    same = runs[-N_IDENTICAL:]
    assert len({r["id"] for r in same}) == N_IDENTICAL
    assert all(r["metrics"] == same[0]["metrics"] for r in same)  # deterministic, each computed
    assert poller.failures == []  # /health answered throughout

    lat = poller.latencies_ms
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [float("nan")] * 99
    print(
        f"\n{N_RUNS} concurrent runs completed in {wall:.2f} s ({N_RUNS / wall:.1f} runs/s); "
        f"/health during the load: n={len(lat)}, p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms, "
        f"max {max(lat, default=float('nan')):.1f} ms"
    )
