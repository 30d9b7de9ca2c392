"""The project's nginx config (deploy/nginx/ava.conf) run by Debian's nginx in front of two real
API processes that share one PostgreSQL database and fan events out through real Redis: the built
UI with its SPA fallback, the API, the docs, /health, WebSocket progress of a run created on the
other process, a real browser running a backtest through the nginx port, and the two-process
trust scenario (cancel across processes, one process going away) through the proxy."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.deploy.stack import (
    NGINX_TEMPLATE,
    STATIC,
    Nginx,
    Server,
    port_or_free,
    render_template,
    required,
)
from tests.gated_strategy import NAME as GATED
from tests.gated_strategy import gated_env

TERMINAL = ("completed", "failed", "cancelled", "interrupted")
CHROMIUM = "/usr/bin/chromium"
# A run long enough to report progress: 20 years of the synthetic Indian sample.
SLOW = {
    "strategy_name": "sma_crossover",
    "market": "IN",
    "universe": "in_sample_synthetic",
    "start_date": "2005-01-03",
    "end_date": "2024-12-31",
}


@dataclass
class Stack:
    a: Server
    b: Server
    nginx: Nginx
    gates: Path

    def upstreams(self, uri_prefix: str) -> set[int]:
        """The API ports nginx sent requests under ``uri_prefix`` to (from its access log)."""
        ports = set()
        for _method, uri, _status, upstream in self.nginx.access():
            if uri.startswith(uri_prefix) and upstream != "-":
                ports.update(int(a.rsplit(":", 1)[1]) for a in upstream.split(", "))
        return ports


@pytest.fixture(scope="module")
def stack(nginx_binary, module_pg_url, module_redis_url, tmp_path_factory) -> Iterator[Stack]:
    if not (STATIC / "index.html").is_file():
        required("the web UI is not built (src/ava_backtest/static/index.html; run `make ui`)")
    tmp = tmp_path_factory.mktemp("nginx-stack")
    env = {
        "AVA_DATABASE_URL": module_pg_url,
        "AVA_REDIS_URL": module_redis_url,
        "AVA_WORKERS": "2",
        "AVA_HOME": str(tmp / "home"),
        **gated_env(tmp, {"AAPL": 300, "IBM": 300, "MSFT": 0}),
    }
    a = Server(env, tmp)
    b: Server | None = None
    nginx: Nginx | None = None
    try:
        b = Server(env, tmp)
        # The stack's own UI port, 8203, unless something (a running stack, another test run)
        # has it or takes it first.
        try:
            nginx = Nginx(tmp, [a.port, b.port], port=port_or_free(8203))
        except AssertionError:
            nginx = Nginx(tmp, [a.port, b.port])
        yield Stack(a, b, nginx, tmp / "gates")
    finally:
        if nginx is not None:
            nginx.stop()
        if b is not None:
            b.stop()
        a.stop()


def _wait_status(base: str, run_id: str, wanted: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    run: dict = {}
    while time.monotonic() < deadline:
        r = httpx.get(f"{base}/api/v2/backtests/{run_id}", timeout=30)
        assert r.status_code == 200, r.text
        run = r.json()
        if run["status"] == wanted:
            return run
        assert run["status"] not in TERMINAL, run
        time.sleep(0.2)
    raise AssertionError(f"{run_id} is {run.get('status')}, not {wanted}")


def _events(url: str) -> list[dict]:
    events = []
    with connect(url, open_timeout=20) as ws:
        while True:
            e = json.loads(ws.recv(timeout=120))
            events.append(e)
            if e["type"] in TERMINAL:
                return events


def test_the_built_ui_and_its_client_routes_are_served_by_nginx(stack):
    base = stack.nginx.base
    index = (STATIC / "index.html").read_text()
    root = httpx.get(f"{base}/", timeout=30)
    assert root.status_code == 200 and root.text == index
    assert root.headers["content-type"].startswith("text/html")
    # A client-side route (no such file) falls back to the app.
    deep = httpx.get(f"{base}/runs/some-run-id?tab=trades", timeout=30)
    assert deep.status_code == 200 and deep.text == index
    # The hashed bundle the page loads, with a long cache lifetime.
    asset = re.search(r'src="(/assets/[^"]+\.js)"', index)
    assert asset, index
    js = httpx.get(f"{base}{asset.group(1)}", timeout=30)
    assert js.status_code == 200
    assert js.content == (STATIC / asset.group(1).lstrip("/")).read_bytes()
    assert "immutable" in js.headers["cache-control"]
    assert httpx.get(f"{base}/assets/no-such-file.js", timeout=30).status_code == 404
    # None of this reached the API.
    assert stack.upstreams("/runs") == set() and stack.upstreams("/assets") == set()


def test_api_health_and_docs_are_proxied_to_both_api_processes(stack):
    base = stack.nginx.base
    health = httpx.get(f"{base}/health", timeout=30)
    assert health.status_code == 200 and health.json()["status"] == "ok", health.text
    direct = httpx.get(f"{stack.a.base}/api/v2/strategies", timeout=60)
    for _ in range(4):
        r = httpx.get(f"{base}/api/v2/strategies", timeout=60)
        assert r.status_code == 200, r.text
        assert r.json() == direct.json()
    # Round robin over the upstream block: both processes answered.
    assert stack.upstreams("/api/v2/strategies") == {stack.a.port, stack.b.port}
    assert httpx.get(f"{base}/openapi.json", timeout=30).json()["info"]["title"] == "Ava API"
    docs = httpx.get(f"{base}/docs", timeout=30)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # An API error keeps the API's shape (it is not replaced by nginx's or by the SPA).
    missing = httpx.get(f"{base}/api/v2/backtests/no-such-run", timeout=30)
    assert missing.status_code == 404 and "error" in missing.json(), missing.text
    # A request body over nginx's cap is refused by nginx before it reaches the API.
    big = httpx.post(
        f"{base}/api/v2/backtests",
        content=b"x" * (26 * 1024 * 1024),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert big.status_code == 413


def test_websocket_progress_of_a_run_created_on_one_process_streams_through_nginx(stack):
    r = httpx.post(f"{stack.a.base}/api/v2/backtests", json=SLOW, timeout=60)
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]
    url = f"ws://127.0.0.1:{stack.nginx.port}/ws/backtests/{run_id}"
    # Two streams one after the other: round robin sends them to the two processes, so one of
    # them is served by B, which only hears of A's run through Redis.
    first = _events(url)
    second = _events(url)
    for events in (first, second):
        assert events[0]["type"] == "state", events[0]
        assert events[-1]["type"] == "completed", events[-1]
    kinds = {e["type"] for e in first}
    if first[0]["status"] == "queued" or first[0].get("percent", 100) < 100:
        assert "progress" in kinds, first
    assert stack.upstreams(f"/ws/backtests/{run_id}") == {stack.a.port, stack.b.port}
    run = httpx.get(f"{stack.nginx.base}/api/v2/backtests/{run_id}", timeout=30).json()
    assert run["status"] == "completed" and run["n_trades"] > 0, run


def test_a_browser_runs_a_backtest_through_the_nginx_port(stack, tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        required(f"{CHROMIUM} is missing (apt-get install chromium, or `make system-deps`)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        try:
            ctx = browser.new_context(
                viewport={"width": 1280, "height": 800}, base_url=stack.nginx.base
            )
            ctx.set_default_timeout(30_000)
            page = ctx.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto("/backtests/new?strategy=sma_crossover")
            expect(page.get_by_test_id("strategy-select")).to_have_value("sma_crossover")
            page.get_by_test_id("market-select").select_option("US")
            page.get_by_test_id("universe-select").select_option("us_sample")
            page.get_by_test_id("start-date").fill("2010-01-04")
            page.get_by_test_id("end-date").fill("2020-12-31")
            page.get_by_test_id("submit-backtest").click()
            expect(page).to_have_url(re.compile(r"/runs/[^/?#]+$"), timeout=30_000)
            run_id = page.url.rstrip("/").rsplit("/", 1)[-1]
            expect(page.get_by_test_id("run-status")).to_contain_text(
                re.compile("completed", re.I), timeout=120_000
            )
            expect(page.get_by_test_id("metric-sharpe")).to_contain_text(re.compile(r"\d"))
            page.screenshot(path=str(tmp_path / "through-nginx.png"))
            assert not problems, problems
        finally:
            browser.close()
    run = httpx.get(f"{stack.nginx.base}/api/v2/backtests/{run_id}", timeout=30).json()
    assert run["status"] == "completed" and run["universe"] == "us_sample", run
    # The page's API calls went through nginx to the API processes.
    assert stack.upstreams("/api/v2/backtests")


def _sleepy(base: str, symbol: str) -> str:
    body = {"strategy_name": GATED, "symbols": [symbol], "benchmark": "none"}
    r = httpx.post(f"{base}/api/v2/backtests", json=body, timeout=60)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_two_api_processes_behind_nginx_leave_each_others_runs_alone(stack):
    """The trust issue's two-process scenario, every client call through nginx: runs of A stay
    A's whichever process answers, a cancel reaches A's worker, and when B goes away nginx
    serves everything from A while A's run goes on. (Last in the module: it stops B.)"""
    a, nginx = stack.a, stack.nginx
    survivor = _sleepy(a.base, "AAPL")  # holds A's first worker until its gate opens
    doomed = _sleepy(a.base, "IBM")  # holds A's second worker (its gate never opens)
    _wait_status(nginx.base, survivor, "running")
    _wait_status(nginx.base, doomed, "running")
    for run_id in (survivor, doomed):  # both processes answer: the runs stay running, A's
        for _ in range(3):  # consecutive requests: round robin gives each process one
            r = httpx.get(f"{nginx.base}/api/v2/backtests/{run_id}", timeout=30)
            assert r.json()["status"] == "running", r.text
        assert stack.upstreams(f"/api/v2/backtests/{run_id}") == {a.port, stack.b.port}

    # A cancel through nginx, whichever process takes it, stops A's worker: it is free again.
    r = httpx.post(f"{nginx.base}/api/v2/backtests/{doomed}/cancel", timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" or r.json()["cancel_requested"] is True
    _wait_status(nginx.base, doomed, "cancelled", timeout=60)
    quick = _sleepy(nginx.base, "MSFT")
    assert _wait_status(nginx.base, quick, "completed", timeout=60)["n_trades"] > 0
    assert httpx.get(f"{nginx.base}/api/v2/backtests/{survivor}").json()["status"] == "running"

    # B stops as a deployment stops it (SIGTERM): nginx sends everything to A, no error.
    stack.b.stop(signal.SIGTERM)
    assert stack.b.proc.returncode is not None
    for _ in range(6):
        r = httpx.get(f"{nginx.base}/api/v2/backtests/{survivor}", timeout=30)
        assert r.status_code == 200 and r.json()["status"] == "running", r.text

    (stack.gates / "AAPL").touch()
    events = _events(f"ws://127.0.0.1:{nginx.port}/ws/backtests/{survivor}")
    assert events[-1]["type"] == "completed", events[-1]
    run = _wait_status(nginx.base, survivor, "completed")
    assert run["n_trades"] > 0 and run["error"] is None, run
    trades = httpx.get(f"{nginx.base}/api/v2/backtests/{survivor}/trades", timeout=30).json()
    assert trades["total"] == run["n_trades"]


def test_the_images_envsubst_step_only_fills_in_the_ava_placeholders():
    """The nginx image substitutes every variable set in the container (PATH, HOME, HOSTNAME,
    NGINX_VERSION, ...): the template's own nginx variables must not be one of them (they are
    lower case, environment names upper case), and its placeholders are exactly the three the
    image and docker-compose.yml set."""
    text = NGINX_TEMPLATE.read_text()
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    placeholders = set(re.findall(r"\$\{(\w+)\}", body))
    assert placeholders == {"AVA_API_SERVERS", "AVA_UI_PORT", "AVA_UI_ROOT"}
    nginx_vars = set(re.findall(r"\$(\w+)", body))
    assert nginx_vars and all(v == v.lower() for v in nginx_vars), nginx_vars
    image_env = {"PATH": "/x", "HOME": "/root", "HOSTNAME": "h", "NGINX_VERSION": "1.27"}
    rendered = render_template(
        text,
        {**image_env, "AVA_API_SERVERS": "server a:1;", "AVA_UI_PORT": "8203", "AVA_UI_ROOT": "/r"},
    )
    assert "${" not in rendered.replace("${AVA_", "")  # comments aside, nothing left unfilled
    assert set(re.findall(r"\$(\w+)", rendered)) >= nginx_vars
    assert "upstream ava_api {\n    server a:1;" in rendered and "listen 8203;" in rendered
