"""The data page against a local fake of the vendors (issue 17): provider status says which are
configured and which key variable the others need, a sync started from the form runs against the
fake FMP with live progress to completion and lists the symbol that failed, and the candle viewer
then draws the synced symbol with the API's bars (daily and 15-minute), found by symbol search."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import ARTIFACTS, AvaServer
from playwright.sync_api import expect

from ava_backtest.data import universe_members
from tests.fakes.vendors import FakeVendors

START, END = "2024-01-02", "2024-03-28"
MISSING = "WMT"  # a djia member the fake FMP does not know: its error is listed


@pytest.fixture(scope="module")
def vendor_server(tmp_path_factory) -> Iterator[tuple[AvaServer, FakeVendors]]:
    members = [s for s in universe_members.member_list("djia").symbols if s != MISSING]
    with FakeVendors(symbols={"US": members}) as fake:
        server = AvaServer(
            tmp_path_factory.mktemp("ava-data-sync-home"), env=fake.settings_env(vendors=["fmp"])
        )
        try:
            yield server, fake
        finally:
            server.stop()


@pytest.fixture
def data_page(browser, vendor_server, request) -> Iterator[Any]:
    server, _ = vendor_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base)
    context.set_default_timeout(20_000)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    pg.problems = problems  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()


def _chart_bars(page) -> int:
    """Bars the candlestick series of the viewer holds (read from the chart, not the API)."""
    return int(page.get_by_test_id("candle-chart").get_attribute("data-drawn-bars") or 0)


def test_sync_from_the_fake_fmp_then_the_candles_of_a_synced_symbol(
    data_page, vendor_server, tmp_path, wait_chart
):
    server, fake = vendor_server
    page = data_page
    api = httpx.Client(base_url=f"{server.base}/api/v2", timeout=60)
    page.goto("/data")

    # Providers: FMP configured; the others name the variables to set.
    expect(page.get_by_test_id("provider-fmp")).to_have_attribute("data-configured", "yes")
    expect(page.get_by_test_id("provider-alpaca")).to_have_attribute("data-configured", "no")
    expect(page.get_by_test_id("provider-missing-alpaca")).to_contain_text("ALPACA_API_KEY")
    page.get_by_test_id("providers-check").click()
    expect(page.get_by_test_id("provider-reachable-fmp")).to_contain_text("reachable")

    # The sync form: djia from FMP, daily, a quarter.
    page.get_by_test_id("sync-universe").select_option("djia")
    page.get_by_test_id("sync-provider").select_option("fmp")
    page.get_by_test_id("sync-timeframe").select_option("1d")
    page.get_by_test_id("sync-start").fill(START)
    page.get_by_test_id("sync-end").fill(END)
    before = fake.count("fmp")
    page.get_by_test_id("sync-submit").click()
    progress = page.get_by_test_id("sync-progress")
    expect(progress).to_have_attribute("data-status", "completed", timeout=180_000)
    status = api.get("/data/sync/status").json()
    assert status["status"] == "completed" and [e["symbol"] for e in status["errors"]] == [MISSING]
    # the 30 members and the market's auxiliary series (benchmarks, VIX)
    assert status["total"] >= 30 and status["done"] == status["total"]
    expect(progress).to_have_attribute("data-total", str(status["total"]))
    expect(progress).to_have_attribute("data-done", str(status["total"]))
    assert fake.count("fmp") > before  # the fake vendor really served the sync
    errors = page.get_by_test_id("sync-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text(MISSING)

    # The candle viewer shows the first synced member (AAPL) with the API's bars.
    first = next(s for s in universe_members.member_list("djia").symbols if s != MISSING)
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-symbol", first)
    wait_chart(page, "candle-chart")
    want = api.get(
        "/data/candles", params={"symbol": first, "market": "US", "start": START, "end": END}
    ).json()
    assert len(want["candles"]) >= 55
    expect(chart).to_have_attribute("data-bars", str(len(want["candles"])))
    assert _chart_bars(page) == len(want["candles"])
    assert float(chart.get_attribute("data-last-close")) == want["candles"][-1]["close"]
    assert chart.get_attribute("data-last-ts") == want["candles"][-1]["ts"]
    page.get_by_test_id("candles-section").screenshot(path=str(tmp_path / "candles-1d.png"))
    page.get_by_test_id("candles-section").screenshot(path=str(ARTIFACTS / "data-candles-1d.png"))

    # Symbol search finds another member by part of its symbol; its candles replace AAPL's.
    page.get_by_test_id("candles-search").fill("MSF")
    hit = page.locator('[data-testid="candles-result"][data-symbol="MSFT"]')
    hit.click()
    expect(chart).to_have_attribute("data-symbol", "MSFT")
    msft = api.get(
        "/data/candles", params={"symbol": "MSFT", "market": "US", "start": START, "end": END}
    ).json()
    expect(chart).to_have_attribute("data-last-close", str(msft["candles"][-1]["close"]))

    # Intraday: the 15m switch loads (and syncs) 15-minute bars, drawn with times of day.
    page.get_by_test_id("candles-start").fill("2024-03-25")
    page.get_by_test_id("candles-tf-15m").click()
    expect(page.get_by_test_id("candles-caption")).to_contain_text("15m", timeout=120_000)
    hourly = api.get(
        "/data/candles",
        params={"symbol": "MSFT", "timeframe": "15m", "start": "2024-03-25", "end": END},
    ).json()
    assert len(hourly["candles"]) > 4 and "T" in hourly["candles"][0]["ts"]
    expect(chart).to_have_attribute("data-bars", str(len(hourly["candles"])))
    assert _chart_bars(page) == len(hourly["candles"])
    page.get_by_test_id("sync-section").screenshot(path=str(ARTIFACTS / "data-sync-done.png"))
    assert not page.problems, page.problems
