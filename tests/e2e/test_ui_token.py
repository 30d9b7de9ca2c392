"""The web UI on a server with ``AVA_API_TOKEN`` set, in a real browser: it asks for the token,
keeps it in localStorage, sends it on every request and on the WebSocket (``?token=``), and a
backtest runs and streams its progress. Without the token the API docs stay closed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, AvaServer, _artifact_name, full_page_screenshot

TOKEN = "e2e-token-Zq7"


@pytest.fixture(scope="module")
def token_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AvaServer]:
    server = AvaServer(
        tmp_path_factory.mktemp("ava-e2e-token"), workers=1, env={"AVA_API_TOKEN": TOKEN}
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def token_page(
    browser: Any, token_server: AvaServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, base_url=token_server.base
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
        full_page_screenshot(pg, ARTIFACTS / f"{_artifact_name(request.node.name)}.png")
        context.close()


def test_enter_the_token_then_run_a_backtest_with_live_progress(token_page, token_server):
    page = token_page
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto("/backtests/new?strategy=sma_crossover")
    # Every API call is refused until the token is given: the page asks for it.
    panel = page.get_by_test_id("token-panel")
    expect(panel).to_be_visible()
    expect(page.get_by_test_id("token-reason")).to_contain_text("requires an API token")

    # A wrong token is refused, and the page says so.
    page.get_by_test_id("token-input").fill("not-the-token")
    page.get_by_test_id("token-save").click()
    expect(page.get_by_test_id("token-reason")).to_contain_text("refused the stored API token")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "token-panel-refused.png"))

    page.get_by_test_id("token-input").fill(TOKEN)
    page.get_by_test_id("token-save").click()
    expect(panel).to_have_count(0)
    expect(page.get_by_test_id("token-button")).to_contain_text("Token set")
    assert page.evaluate("localStorage.getItem('ava-api-token')") == TOKEN
    failed.clear()  # from here on nothing is refused

    # The form loads with the token and a backtest runs.
    expect(page.get_by_test_id("strategy-select")).to_have_value("sma_crossover")
    page.get_by_test_id("market-select").select_option("US")
    page.get_by_test_id("universe-select").select_option("us_sample")
    page.get_by_test_id("start-date").fill("2004-01-02")
    page.get_by_test_id("end-date").fill("2012-12-31")
    page.get_by_test_id("submit-backtest").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/?#]+$"), timeout=20_000)
    run_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_test_id("run-status")).to_contain_text(
        re.compile("completed", re.I), timeout=90_000
    )
    expect(page.get_by_test_id("metric-sharpe")).to_contain_text(re.compile(r"\d"))

    # Its events came over the WebSocket, with the token as ?token= (a browser sends no header).
    live = [ws for ws in sockets if f"/ws/backtests/{run_id}" in ws.url]
    assert live, [ws.url for ws in sockets]
    assert all(f"token={TOKEN}" in ws.url for ws in live), [ws.url for ws in live]
    expect(page.get_by_test_id("run-error")).to_have_count(0)

    # A fresh load of the run page (its data is prefetched by index.html) works with the token.
    page.reload()
    expect(page.get_by_test_id("run-status")).to_contain_text(re.compile("completed", re.I))
    expect(page.get_by_test_id("metric-sharpe")).to_contain_text(re.compile(r"\d"))
    expect(page.get_by_test_id("token-panel")).to_have_count(0)

    auth = {"Authorization": f"Bearer {TOKEN}"}
    run = httpx.get(f"{token_server.base}/api/v2/backtests/{run_id}", headers=auth).json()
    assert run["status"] == "completed" and run["strategy_name"] == "sma_crossover", run
    # With the token nothing is refused: no 401 (or 403) on any request after it was given.
    refused = [f for f in failed if f.startswith(("401 ", "403 "))]
    assert not refused, refused
    assert not [p for p in page.problems if p.startswith("pageerror")], page.problems


def test_a_refused_websocket_tells_the_page_to_ask_for_the_token(token_page, token_server):
    page = token_page
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = {"strategy_name": "sma_crossover", "symbols": ["GOOG"], "start_date": "2010-01-04"}
    run_id = httpx.post(f"{token_server.base}/api/v2/backtests", json=body, headers=auth).json()[
        "id"
    ]
    # In the browser, the WebSocket with a wrong token closes with the documented 4401.
    code = page.evaluate(
        """(url) => new Promise((resolve) => {
             const ws = new WebSocket(url);
             ws.onclose = (e) => resolve(e.code);
           })""",
        f"{token_server.base.replace('http', 'ws')}/ws/backtests/{run_id}?token=wrong",
    )
    assert code == 4401


def test_the_api_docs_need_the_token_in_the_browser(token_page, token_server):
    page = token_page
    r = page.goto("/docs")
    assert r is not None and r.status == 401
    assert page.goto("/openapi.json").status == 401
    r = page.goto(f"/docs?token={TOKEN}")
    assert r is not None and r.status == 200
    # The docs page loads the schema with the same token (Swagger UI's own files come from a CDN).
    assert f"/openapi.json?token={TOKEN}" in page.content()
    schema = page.request.get(f"/openapi.json?token={TOKEN}")
    assert schema.status == 200 and "/api/v2/backtests" in schema.json()["paths"]
