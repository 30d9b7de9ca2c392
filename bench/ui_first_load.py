"""First load of the run page in a real browser: target under one second.

Starts its own ``ava serve`` (a temporary AVA_HOME, its own SQLite), creates a 6-symbol, 13-year
backtest through the API (rsi_mean_reversion on us_sample, 2000-03-01 .. 2013-03-01: an RSI pane
below the prices), then opens ``/runs/<id>`` in Debian's headless Chromium five times, each in a
fresh browser context (empty cache) with a window tall enough (1280 x 2600) that the price chart
is on the first screen, and times navigation start to the moment the equity chart's canvas has
drawn, the trades table has rows, and the price chart has painted with the strategy's own series
and its indicator pane (``data-paint="indicators"``, set a frame after the series' data, and its
canvases drawn). Prints each load, the median in milliseconds, whether the target is met, and the
machine's load average (the measurement shares the CPUs with whatever else runs).

    .venv/bin/python bench/ui_first_load.py            # needs the built UI (make ui)
    .venv/bin/python bench/ui_first_load.py --loads 9
    .venv/bin/python bench/ui_first_load.py --cpu-slowdown 2   # as on a machine half as fast

Not part of pytest. Exit status 0 when the median meets the target, 1 when not, 2 when it could
not measure.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "src" / "ava_backtest" / "static" / "index.html"
CHROMIUM = "/usr/bin/chromium"
AVA = Path(sys.executable).with_name("ava")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
RUN = {
    "strategy_name": "rsi_mean_reversion",
    "universe": "us_sample",
    "start_date": "2000-03-01",
    "end_date": "2013-03-01",
}
TARGET_MS = 1000.0

VIEWPORT = {"width": 1280, "height": 2600}

# True (as performance.now(), ms since navigation start) once a canvas in the equity chart has
# drawn more than a few hundred pixels, the trades table has a row, and the price chart has painted
# with the strategy's series and at least one indicator pane whose canvas has drawn.
READY_JS = """
() => {
  const drawn = (c) => {
    if (!c.width || !c.height) return 0;
    const ctx = c.getContext('2d');
    if (!ctx) return 0;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let differ = 0;
    for (let i = 0; i < d.length; i += 16) {
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) differ++;
    }
    return differ;
  };
  if (!document.querySelector('[data-testid="trade-row"]')) return false;
  const eq = document.querySelector('[data-testid="equity-chart"]');
  if (!eq || ![...eq.querySelectorAll('canvas')].some((c) => drawn(c) > 150)) return false;
  const price = document.querySelector('[data-testid="price-chart-canvas"]');
  if (!price || price.dataset.paint !== 'indicators' || !(+price.dataset.panes >= 1)) return false;
  // lightweight-charts draws each pane in its own table row, then the time axis: the row above
  // the axis is the lowest indicator pane
  const rows = [...price.querySelectorAll('tr')].filter((r) => r.querySelector('canvas'));
  const pane = rows.length >= 4 ? rows[rows.length - 2] : null;
  if (!pane || ![...pane.querySelectorAll('canvas')].some((c) => drawn(c) > 50)) return false;
  return performance.now();
}
"""
NAV_TIMING_JS = """
() => {
  const n = performance.getEntriesByType('navigation')[0];
  return n ? {response_end: n.responseEnd, dom_content_loaded: n.domContentLoadedEventEnd,
              load: n.loadEventEnd} : {};
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AVA_DATABASE_URL", "AVA_REDIS_URL", "AVA_API_TOKEN", "AVA_CORS_ORIGINS")
    }
    env.update(AVA_HOME=str(home), AVA_WORKERS="2")
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [str(AVA), "serve", "--port", str(port)],
        env=env,
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/api/v2/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"ava serve did not start:\n{(home / 'server.log').read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def create_run(base: str) -> dict:
    with httpx.Client(base_url=f"{base}/api/v2", timeout=120) as api:
        r = api.post("/backtests", json=RUN)
        if r.status_code != 201:
            raise SystemExit(f"creating the backtest failed: {r.status_code} {r.text}")
        run_id = r.json()["id"]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            run = api.get(f"/backtests/{run_id}").json()
            if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
                if run["status"] != "completed":
                    raise SystemExit(f"the backtest ended {run['status']}: {run.get('error')}")
                return run
            time.sleep(0.2)
    raise SystemExit("the backtest did not finish in 180 s")


def measure(
    base: str, run: dict, loads: int, timeout_ms: float, cpu_slowdown: float = 1.0
) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(loads):
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                if cpu_slowdown > 1:  # Chromium's own throttling (DevTools' "CPU: Nx slowdown")
                    cdp = context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
                t0 = time.perf_counter()
                page.goto(f"{base}/runs/{run['id']}", wait_until="commit")
                ready = page.wait_for_function(READY_JS, polling="raf", timeout=timeout_ms)
                wall = (time.perf_counter() - t0) * 1000
                rows = page.locator('[data-testid="trade-row"]').count()
                results.append(
                    {
                        "ms": float(ready.json_value()),
                        "wall_ms": wall,
                        "rows": rows,
                        **page.evaluate(NAV_TIMING_JS),
                    }
                )
                context.close()
        finally:
            browser.close()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loads", type=int, default=5, help="fresh page loads (default 5)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per load before giving up")
    ap.add_argument(
        "--cpu-slowdown",
        type=float,
        default=1.0,
        help="slow the page's CPU down this many times (Chromium's throttling), to see the load "
        "on a slower machine; the target applies to the default, 1",
    )
    args = ap.parse_args()

    if not INDEX.is_file():
        print(f"the web UI is not built ({INDEX.relative_to(ROOT)} missing): run `make ui`")
        return 2
    if not os.access(CHROMIUM, os.X_OK):
        print(f"{CHROMIUM} is missing: apt-get install chromium")
        return 2

    with tempfile.TemporaryDirectory(prefix="ava-ui-bench-") as tmp:
        proc, base = start_server(Path(tmp))
        try:
            run = create_run(base)
            print(
                f"run {run['id']}: {RUN['strategy_name']} on {RUN['universe']} "
                f"{RUN['start_date']} .. {RUN['end_date']}, {len(run.get('symbols') or [])} "
                f"symbols, {run['n_trades']} trades"
            )
            results = measure(base, run, args.loads, args.timeout * 1000, args.cpu_slowdown)
        finally:
            stop_server(proc)

    for i, r in enumerate(results, 1):
        print(
            f"  load {i}: {r['ms']:7.0f} ms to charts + trades + indicator pane  (wall {r['wall_ms']:.0f} ms; "
            f"html {r.get('response_end', 0):.0f} ms, DOMContentLoaded "
            f"{r.get('dom_content_loaded', 0):.0f} ms; {r['rows']} trade rows)"
        )
    median = statistics.median(r["ms"] for r in results)
    met = median < TARGET_MS
    load1, load5, load15 = os.getloadavg()
    print(
        f"run page first load with indicator panes, median of {len(results)} fresh loads: "
        f"{median:.0f} ms (target < {TARGET_MS:.0f} ms: {'met' if met else 'NOT met'}"
        f"{f', with the CPU slowed {args.cpu_slowdown:g}x' if args.cpu_slowdown > 1 else ''}); "
        f"load average {load1:.1f} / {load5:.1f} / {load15:.1f} on {os.cpu_count()} CPUs"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
