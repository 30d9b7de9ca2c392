"""The web UI's other pages in a real browser: navigation, strategy filters, the runs list and
comparing two runs, the data page, the theme toggle."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

US_SAMPLE = ("AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA")


def test_the_nav_links_reach_every_page(page):
    page.goto("/")
    for testid, path in (
        ("nav-strategies", "/strategies"),
        ("nav-new", "/backtests/new"),
        ("nav-runs", "/runs"),
        ("nav-data", "/data"),
    ):
        page.get_by_test_id(testid).click()
        expect(page).to_have_url(re.compile(re.escape(path) + r"(\?.*)?$"))


def test_strategy_filters_narrow_the_catalogue(page, api):
    catalogue = api.get("/strategies").json()
    items = catalogue["items"] if isinstance(catalogue, dict) else catalogue
    page.goto("/strategies")
    expect(page.locator('[data-testid^="strategy-row-"]')).to_have_count(len(items))

    trend = {s["name"] for s in items if s["category"] == "trend"}
    page.get_by_test_id("filter-category").select_option("trend")
    expect(page.locator('[data-testid^="strategy-row-"]')).to_have_count(len(trend))
    for name in trend:
        expect(page.get_by_test_id(f"strategy-row-{name}")).to_be_visible()

    page.get_by_test_id("filter-direction").select_option("long_only")
    expect(page.locator('[data-testid^="strategy-row-"]')).to_have_count(len(trend))

    page.get_by_test_id("strategy-search").fill("no strategy is called this")
    expect(page.locator('[data-testid^="strategy-row-"]')).to_have_count(0)


def test_compare_two_runs_from_the_runs_page(page, api, make_run, canvas_stats, wait_chart):
    common = {"symbols": ["GOOG", "MSFT"], "start_date": "2006-01-03", "end_date": "2016-12-30"}
    a = make_run(strategy_name="sma_crossover", **common)
    b = make_run(strategy_name="ema_crossover", **common)

    page.goto("/runs")
    expect(page.get_by_test_id("runs-table")).to_be_visible()
    expect(page.get_by_test_id(f"run-row-{a['id']}")).to_be_visible()
    expect(page.get_by_test_id(f"run-row-{b['id']}")).to_be_visible()
    total = api.get("/backtests", params={"limit": 1}).json()["total"]
    expect(page.get_by_test_id("runs-total")).to_contain_text(re.compile(rf"\b{total}\b"))

    page.get_by_test_id(f"select-run-{a['id']}").check()
    page.get_by_test_id(f"select-run-{b['id']}").check()
    page.get_by_test_id("compare-runs").click()

    expect(page).to_have_url(re.compile(r"/compare\?ids="))
    ids = re.search(r"ids=([^&#]+)", page.url).group(1).replace("%2C", ",").split(",")
    assert sorted(ids) == sorted([a["id"], b["id"]]), page.url
    table = page.get_by_test_id("compare-table")
    expect(table).to_be_visible()
    expect(table).to_contain_text("sma_crossover")
    expect(table).to_contain_text("ema_crossover")
    for run in (a, b):
        expect(table).to_contain_text(run["id"][:8])
    # The metrics side by side, not only the configuration.
    expect(table).to_contain_text(re.compile(r"sharpe", re.I))
    wait_chart(page, "compare-chart")
    stats = canvas_stats(page, "compare-chart")
    assert stats["nonBackground"] > 500 and stats["colours"] > 3, stats


def test_runs_filter_by_status(page, api, make_run):
    make_run(strategy_name="sma_crossover", symbols=["IBM"], start_date="2010-01-04")
    page.goto("/runs")
    expect(page.locator('[data-testid^="run-row-"]').first).to_be_visible()
    status = page.get_by_test_id("runs-filter-status")
    status.select_option("failed")
    failed = api.get("/backtests", params={"status": "failed", "limit": 1}).json()["total"]
    expect(page.locator('[data-testid^="run-row-"]')).to_have_count(min(failed, 50))
    expect(page.get_by_test_id("runs-total")).to_contain_text(re.compile(rf"\b{failed}\b"))
    status.select_option("completed")
    expect(page.locator('[data-testid^="run-row-"]').first).to_be_visible()


def test_deleting_a_run_from_the_runs_page(page, api, make_run):
    run = make_run(strategy_name="sma_crossover", symbols=["AMZN"], start_date="2012-01-03")
    page.on("dialog", lambda d: d.accept())  # a window.confirm(), if the UI asks that way
    page.goto("/runs")
    row = page.get_by_test_id(f"run-row-{run['id']}")
    expect(row).to_be_visible()
    button = page.get_by_test_id(f"delete-run-{run['id']}")
    button.click()
    if button.count() and re.search(r"confirm|sure", button.inner_text(), re.I):
        button.click()  # the UI's own two-step confirmation
    expect(row).to_have_count(0)
    assert api.get(f"/backtests/{run['id']}").status_code == 404


def test_the_data_page_lists_us_sample_and_its_six_symbols(page):
    page.goto("/data")
    expect(page.get_by_test_id("markets-list")).to_contain_text("US")
    universes = page.get_by_test_id("universes-list")
    expect(universes).to_contain_text("us_sample")
    table = page.get_by_test_id("symbols-table")
    expect(table).to_be_visible()
    for symbol in US_SAMPLE:
        expect(table).to_contain_text(symbol)


def _theme_state(page) -> dict[str, str | None]:
    return page.evaluate(
        """() => {
          const h = document.documentElement, b = document.body;
          return {
            htmlClass: h.className || '', htmlTheme: h.getAttribute('data-theme'),
            bodyClass: b.className || '', bodyTheme: b.getAttribute('data-theme'),
            scheme: h.style.colorScheme || '',
          };
        }"""
    )


def test_the_theme_toggle_switches_and_survives_a_reload(page):
    page.goto("/strategies")
    toggle = page.get_by_test_id("theme-toggle")
    expect(toggle).to_be_visible()
    before = _theme_state(page)
    toggle.click()
    page.wait_for_function(
        """(before) => {
          const h = document.documentElement, b = document.body;
          return (h.className || '') !== before.htmlClass ||
                 h.getAttribute('data-theme') !== before.htmlTheme ||
                 (b.className || '') !== before.bodyClass ||
                 b.getAttribute('data-theme') !== before.bodyTheme;
        }""",
        arg=before,
        timeout=5_000,
    )
    after = _theme_state(page)
    assert after != before

    page.reload()
    expect(page.get_by_test_id("theme-toggle")).to_be_visible()
    assert _theme_state(page) == after, "the theme did not survive a reload"

    page.get_by_test_id("theme-toggle").click()
    page.wait_for_function(
        "(t) => document.documentElement.getAttribute('data-theme') === t.htmlTheme &&"
        " (document.documentElement.className || '') === t.htmlClass",
        arg=before,
        timeout=5_000,
    )


def test_uploading_bars_on_the_data_page(page, base_url):
    spec = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    posts = [
        p for p, ops in spec["paths"].items() if p.startswith("/api/v2/data") and "post" in ops
    ]
    assert posts, "the API must offer a data upload endpoint"
    csv = "date,open,high,low,close,volume\n" + "".join(
        f"2024-01-{d:02d},{100 + d},{101 + d},{99 + d},{100.5 + d},{1000 * d}\n"
        for d in (2, 3, 4, 5, 8, 9, 10, 11, 12, 16, 17, 18, 19, 22, 23, 24, 25, 26, 29, 30, 31)
    )
    page.goto("/data")
    page.get_by_test_id("upload-file").set_input_files(
        {"name": "E2ETEST.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_test_id("upload-symbol").fill("E2ETEST")
    page.get_by_test_id("upload-market").select_option("US")
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("upload-result")).to_contain_text("E2ETEST")
    expect(page.get_by_test_id("symbols-table")).to_contain_text("E2ETEST")

    page.get_by_test_id("upload-file").set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"this,is\nnot,bars\n"}
    )
    page.get_by_test_id("upload-symbol").fill("E2EBAD")
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("upload-error")).to_be_visible()
