"""API load benchmark: 50 backtests posted at once to a real server while /health is polled.

Starts the API in its own uvicorn process on 127.0.0.1 (a free port, SQLite in a temporary
directory, two worker processes), warms both workers, then sends 50 concurrent
``POST /api/v2/backtests`` (sma_crossover on GOOG, each with its own fast period, plus a few
identical ones) and waits until every run is ``completed``. Meanwhile /api/v2/health is requested
back to back; its latency shows whether the server's event loop was ever blocked by a backtest.
Prints runs/second, total wall time and /health p50/p95/p99/max against the target (p99 < 100 ms).

    python bench/api_load.py             # 50 runs, 2 workers
    python bench/api_load.py --cold      # the same burst on a freshly started server
    python bench/run.py --cases l        # the same, from the benchmark runner
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

TARGET_P99_MS = 100.0
TERMINAL = ("completed", "failed", "cancelled", "interrupted")


def body(fast: int, slow: int = 30) -> dict[str, Any]:
    return {
        "strategy_name": "sma_crossover",
        "symbols": ["GOOG"],
        "params": {"fast_period": fast, "slow_period": slow},
    }


def bodies(n: int, identical: int = 5) -> list[dict[str, Any]]:
    """``n`` bodies: ``n - identical`` distinct configs (fast 5..29, slow 30, 40, ...), then
    ``identical`` copies of one config, which must still be separate runs."""
    distinct = [body(5 + i % 25, 30 + 10 * (i // 25)) for i in range(n - identical)]
    return distinct + [body(10) for _ in range(identical)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def api_server(workdir: Path, workers: int = 2, timeout: float = 60.0) -> Iterator[str]:
    """The real app in its own uvicorn process; yields its base URL; stops it with SIGINT (the
    lifespan's shutdown: worker pool, store) and kills it only if that hangs."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVA_")}
    env.update(
        AVA_DATABASE_URL=f"sqlite:///{workdir / 'ava.db'}",
        AVA_WORKERS=str(workers),
        AVA_HOME=str(workdir),
    )
    cmd = [
        sys.executable, "-m", "uvicorn", "ava_backtest.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    log = (workdir / "server.log").open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"API server did not start: {(workdir / 'server.log').read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{base}/api/v2/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


@dataclass
class LoadResult:
    ids: list[str]
    post_statuses: list[int]
    runs: list[dict[str, Any]]
    listed_total: int
    wall_s: float  # first POST sent -> last run completed
    post_s: float  # first POST sent -> last POST answered
    health_ms: list[float] = field(default_factory=list)
    health_errors: int = 0
    timed_out: bool = False


class HealthPoller(threading.Thread):
    """GET /api/v2/health back to back (5 ms apart) on its own thread and connection, so the
    client's own event loop, busy with the 50 POSTs, does not delay or skip samples."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.samples: list[tuple[float, float]] = []  # (sent at, latency ms)
        self.errors = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=10.0) as client:
            while not self._stop_event.is_set():
                t0 = time.perf_counter()
                try:
                    ok = client.get("/api/v2/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    self.samples.append((t0, (time.perf_counter() - t0) * 1000))
                else:
                    self.errors += 1
                time.sleep(0.005)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


async def _all_done(client: httpx.AsyncClient, ids: list[str]) -> list[dict[str, Any]] | None:
    page = (await client.get("/api/v2/backtests", params={"limit": 500})).json()
    by_id = {r["id"]: r for r in page["items"]}
    if all(by_id.get(i, {}).get("status") in TERMINAL for i in ids):
        return [by_id[i] for i in ids]
    return None


async def run_load(base: str, payloads: list[dict[str, Any]], timeout: float = 120.0) -> LoadResult:
    """POST every payload at once while /health is polled; wait (bounded) until all finish."""
    limits = httpx.Limits(max_connections=len(payloads) + 10)
    poller = HealthPoller(base)
    poller.start()
    async with httpx.AsyncClient(base_url=base, timeout=60.0, limits=limits) as client:
        out = LoadResult(ids=[], post_statuses=[], runs=[], listed_total=0, wall_s=0, post_s=0)
        await asyncio.sleep(0.2)  # the poller connected and going
        t0 = time.perf_counter()
        responses = await asyncio.gather(
            *(client.post("/api/v2/backtests", json=p) for p in payloads)
        )
        out.post_s = time.perf_counter() - t0
        out.post_statuses = [r.status_code for r in responses]
        out.ids = [r.json()["id"] for r in responses if r.status_code == 201]
        deadline = t0 + timeout
        runs = None
        while time.perf_counter() < deadline:
            runs = await _all_done(client, out.ids)
            if runs is not None:
                break
            await asyncio.sleep(0.1)
        out.wall_s = time.perf_counter() - t0
        out.timed_out = runs is None
        poller.stop()
        out.health_ms = [ms for sent, ms in poller.samples if sent >= t0]  # during the load
        out.health_errors = poller.errors
        out.runs = runs or []
        out.listed_total = (await client.get("/api/v2/backtests")).json()["total"]
        return out


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def _warm(base: str, workers: int) -> float:
    """One run per worker first, so the load measures serving, not process start and JIT cache
    loading (both reported separately)."""
    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        rs = await asyncio.gather(
            *(client.post("/api/v2/backtests", json=body(5 + i)) for i in range(workers))
        )
        ids = [r.json()["id"] for r in rs]
        while await _all_done(client, ids) is None:
            if time.perf_counter() - t0 > 120:
                raise RuntimeError("warm-up runs did not finish in 120 s")
            await asyncio.sleep(0.1)
        for i in ids:  # the load's list total counts only its own runs
            await client.delete(f"/api/v2/backtests/{i}")
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=50, help="backtests posted at once")
    ap.add_argument("--workers", type=int, default=2, help="backtest worker processes")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the runs")
    ap.add_argument(
        "--cold", action="store_true", help="no warm-up: the burst hits a freshly started server"
    )
    args = ap.parse_args(argv)

    print(f"(l) API load: {args.runs} concurrent POST /api/v2/backtests, {args.workers} workers")
    with tempfile.TemporaryDirectory(prefix="ava-api-load-") as tmp:
        t0 = time.perf_counter()
        with api_server(Path(tmp), workers=args.workers) as base:
            start_s = time.perf_counter() - t0
            warm_s = 0.0 if args.cold else asyncio.run(_warm(base, args.workers))
            res = asyncio.run(run_load(base, bodies(args.runs), timeout=args.timeout))

    completed = [r for r in res.runs if r["status"] == "completed"]
    with_trades = [r for r in completed if (r.get("n_trades") or 0) > 0]
    lost = args.runs - len(res.ids)
    lat = res.health_ms
    p50, p95, p99 = (percentile(lat, q) for q in (50, 95, 99))
    warm = "none (--cold)" if args.cold else f"({args.workers} runs) {warm_s:.2f} s"
    print(f"  server start {start_s:.2f} s; warm-up {warm}")
    print(
        f"  {len(completed)}/{args.runs} completed ({len(with_trades)} with trades), "
        f"{len(set(res.ids))} distinct ids, list total {res.listed_total}"
        + (f", {lost} POSTs refused: {sorted(set(res.post_statuses))}" if lost else "")
        + (", TIMED OUT" if res.timed_out else "")
    )
    print(f"  all {args.runs} POSTs answered in {res.post_s:.2f} s")
    print(f"  wall time {res.wall_s:.2f} s  ->  {len(completed) / res.wall_s:.1f} runs/s")
    print(
        f"  /health during the load: n={len(lat)}, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {p99:.1f} ms, max {max(lat, default=float('nan')):.1f} ms, "
        f"mean {statistics.fmean(lat) if lat else float('nan'):.1f} ms, errors {res.health_errors}"
    )
    met = p99 < TARGET_P99_MS
    print(f"  target /health p99 < {TARGET_P99_MS:.0f} ms: {'met' if met else 'NOT MET'}")
    print()
    ok = (
        not res.timed_out
        and len(completed) == args.runs
        and len(with_trades) == args.runs
        and len(set(res.ids)) == args.runs
        and res.listed_total == args.runs
        and res.health_errors == 0
    )
    if not ok:
        print("API LOAD: runs lost, failed or unanswered (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
