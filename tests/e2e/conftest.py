"""Browser tests of the web UI: a real ``ava serve`` process and Debian's headless Chromium.

The session needs the built UI (``src/ava_backtest/static/index.html``, built by ``make ui``, which
``make test`` runs first) and ``/usr/bin/chromium``. Without either the tests skip with a reason,
unless ``AVA_REQUIRE_SERVICES=1`` (CI), where that is a failure.

Each test gets a fresh browser context and page (1280x800); after it, passed or failed, a full-page
screenshot goes to ``test-artifacts/e2e/<test name>.png`` (and the page's uncaught errors and console
errors, if any, to ``<test name>.console.txt``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
INDEX = ROOT / "src" / "ava_backtest" / "static" / "index.html"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
AVA = Path(sys.executable).with_name("ava")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TERMINAL = ("completed", "failed", "cancelled", "interrupted")

# The pixels of a chart: for each canvas inside the element, the most common colour (the
# background), how many pixels differ from it, how many distinct colours, and how many strongly
# coloured (non-grey) pixels; the busiest canvas wins.
CANVAS_STATS_JS = """
(selector) => {
  const root = document.querySelector(selector);
  if (!root) return {found: false, canvases: 0};
  const canvases = Array.from(root.querySelectorAll('canvas'));
  let best = {found: true, canvases: canvases.length, width: 0, height: 0, nonBackground: 0,
              colours: 0, saturated: 0};
  for (const c of canvases) {
    if (!c.width || !c.height) continue;
    let data;
    try {
      const ctx = c.getContext('2d');
      if (!ctx) continue;
      data = ctx.getImageData(0, 0, c.width, c.height).data;
    } catch (e) { continue; }
    const counts = new Map();
    let saturated = 0;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
      const key = ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
      counts.set(key, (counts.get(key) || 0) + 1);
      if (a > 64 && Math.max(r, g, b) - Math.min(r, g, b) > 60) saturated++;
    }
    let background = 0;
    for (const n of counts.values()) if (n > background) background = n;
    const total = data.length / 4;
    const stats = {found: true, canvases: canvases.length, width: c.width, height: c.height,
                   nonBackground: total - background, colours: counts.size, saturated};
    if (stats.nonBackground > best.nonBackground) best = stats;
  }
  return best;
}
"""


def _required(what: str) -> None:
    """Skip (or, with AVA_REQUIRE_SERVICES=1, fail) because ``what`` is missing."""
    if os.environ.get("AVA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} and AVA_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(f"{what} (set AVA_REQUIRE_SERVICES=1 to make this a failure)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AvaServer:
    """``ava serve`` on a free port with its own AVA_HOME (and so its own SQLite file); ``env``
    adds variables (e.g. ``AVA_API_TOKEN``) to a clean environment."""

    CLEARED = ("AVA_DATABASE_URL", "AVA_REDIS_URL", "AVA_API_TOKEN", "AVA_CORS_ORIGINS")

    def __init__(self, home: Path, workers: int = 2, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "server.log"
        self.log = self.log_path.open("w")
        child_env = {k: v for k, v in os.environ.items() if k not in self.CLEARED}
        child_env.update(AVA_HOME=str(home), AVA_WORKERS=str(workers), **(env or {}))
        self.proc = subprocess.Popen(
            [str(AVA), "serve", "--port", str(self.port)],
            env=child_env,
            cwd=home,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.base}/api/v2/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"ava serve did not start on {self.port}:\n{self.tail()}")

    def tail(self, n: int = 3000) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-n:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory) -> Iterator[AvaServer]:
    if not INDEX.is_file():
        _required(f"the web UI is not built ({INDEX.relative_to(ROOT)} is missing; run `make ui`)")
    if not os.access(CHROMIUM, os.X_OK):
        _required(f"{CHROMIUM} is missing (apt-get install chromium)")
    server = AvaServer(tmp_path_factory.mktemp("ava-e2e-home"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def base_url(ui_server: AvaServer) -> str:
    return ui_server.base


@pytest.fixture(scope="module")
def browser(ui_server: AvaServer) -> Iterator[Any]:
    """Chromium for one test module. Not the session: while Playwright's sync API runs, the thread
    has a running asyncio loop, and a later test of the same worker calling asyncio.run() fails."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


# Sections the page renders only near the screen (CSS content-visibility: auto, the run page's
# lower sections) are skipped by a full-page capture, which leaves them blank: drawn for it.
_ALL_SECTIONS_CSS = ".lazy-render { content-visibility: visible !important; }"


def full_page_screenshot(pg: Any, path: Path | str, timeout: float = 15_000) -> None:
    """A screenshot of the whole page from its top (a sticky header where it belongs), every
    section drawn."""
    pg.add_style_tag(content=_ALL_SECTIONS_CSS)
    pg.evaluate("window.scrollTo(0, 0)")
    pg.screenshot(path=str(path), full_page=True, timeout=timeout)


def _artifact_name(nodeid_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid_name).strip("_")[:150]


@pytest.fixture
def page(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context and page at 1280x800; a full-page screenshot after the test, always."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, base_url=base_url, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    pg.on(
        "console",
        lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
    )
    pg.problems = problems  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = _artifact_name(request.node.name)
        try:
            full_page_screenshot(pg, ARTIFACTS / f"{name}.png")
        except Exception as e:  # a crashed page must not hide the test's own result
            (ARTIFACTS / f"{name}.screenshot-error.txt").write_text(repr(e))
        console = ARTIFACTS / f"{name}.console.txt"
        if problems:
            console.write_text("\n".join(problems) + "\n")
        elif console.exists():
            console.unlink()
        context.close()


@pytest.fixture(scope="session")
def api(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client on the same server's API (``/api/v2``)."""
    with httpx.Client(base_url=f"{base_url}/api/v2", timeout=60) as client:
        yield client


def wait_for_run(api: httpx.Client, run_id: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    run: dict[str, Any] = {}
    while time.monotonic() < deadline:
        run = api.get(f"/backtests/{run_id}").json()
        if run.get("status") in TERMINAL:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {run.get('status')} after {timeout} s")


@pytest.fixture(scope="session")
def make_run(api: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Create a backtest through the API and wait for it to finish; returns the finished run."""

    def make(**config: Any) -> dict[str, Any]:
        r = api.post("/backtests", json=config)
        assert r.status_code == 201, r.text
        run = wait_for_run(api, r.json()["id"])
        assert run["status"] == "completed", run
        return run

    return make


@pytest.fixture(scope="session")
def canvas_stats() -> Callable[[Any, str], dict[str, Any]]:
    """``canvas_stats(page, testid)``: pixel statistics of the busiest canvas in that element."""

    def stats(pg: Any, testid: str) -> dict[str, Any]:
        return pg.evaluate(CANVAS_STATS_JS, f'[data-testid="{testid}"]')

    return stats


@pytest.fixture(scope="session")
def wait_run(api: httpx.Client) -> Callable[..., dict[str, Any]]:
    """``wait_run(run_id, timeout=90)``: the run once it is completed, failed or cancelled."""

    def wait(run_id: str, timeout: float = 90) -> dict[str, Any]:
        return wait_for_run(api, run_id, timeout)

    return wait


@pytest.fixture(scope="session")
def wait_chart() -> Callable[..., None]:
    """``wait_chart(page, testid, min_pixels=500)``: wait until a canvas in it has drawn."""

    def wait(pg: Any, testid: str, min_pixels: int = 500, timeout: float = 20_000) -> None:
        pg.wait_for_function(
            f"(sel) => (({CANVAS_STATS_JS})(sel).nonBackground || 0) > {min_pixels}",
            arg=f'[data-testid="{testid}"]',
            timeout=timeout,
        )

    return wait
