"""Runs you can find, in a real browser: a run named, tagged and annotated on its page is found
by the runs list's search after a reload (the search lives in the URL), and the list sorts by a
headline metric from its column header in the order of the API's numbers."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

GOOG = {
    "strategy_name": "sma_crossover",
    "symbols": ["GOOG"],
    "start_date": "2006-01-03",
    "end_date": "2012-12-31",
    "market": "US",
}


def test_a_named_run_is_found_by_search_after_a_reload(page, api, make_run):
    named = make_run(**GOOG, params={"fast_period": 10, "slow_period": 30})
    other = make_run(**GOOG, params={"fast_period": 20, "slow_period": 60})

    page.goto(f"/runs/{named['id']}")
    expect(page.get_by_test_id("run-status")).to_have_text("completed", timeout=30_000)
    page.get_by_test_id("run-label-edit").click()
    page.get_by_test_id("run-label-name").fill("Zebra GOOG fast cross")
    page.get_by_test_id("run-label-tags").fill("bad tag!")
    page.get_by_test_id("run-label-save").click()
    expect(page.get_by_test_id("run-label-error")).to_contain_text("bad tag!")
    page.get_by_test_id("run-label-tags").fill("trend, baseline-2026")
    page.get_by_test_id("run-label-notes").fill("costs on; compare with 20/60")
    page.get_by_test_id("run-label-save").click()
    expect(page.get_by_test_id("run-label-shown-name")).to_have_text("Zebra GOOG fast cross")
    expect(page.get_by_test_id("run-label-tag")).to_have_text(["trend", "baseline-2026"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "run_label_header.png"))
    stored = api.get(f"/backtests/{named['id']}").json()
    assert stored["name"] == "Zebra GOOG fast cross"
    assert stored["tags"] == ["trend", "baseline-2026"]
    assert stored["label_notes"] == "costs on; compare with 20/60"

    page.goto("/runs")
    page.get_by_test_id("runs-search").fill("zebra")
    expect(page).to_have_url(re.compile(r"[?&]search=zebra"))
    expect(page.get_by_test_id(f"run-row-{named['id']}")).to_be_visible()
    expect(page.get_by_test_id(f"run-row-{other['id']}")).to_have_count(0)
    expect(page.get_by_test_id("runs-total")).to_have_text("1")

    page.reload()
    expect(page.get_by_test_id("runs-search")).to_have_value("zebra")
    expect(page.get_by_test_id(f"run-name-{named['id']}")).to_have_text("Zebra GOOG fast cross")
    expect(page.get_by_test_id(f"run-row-{other['id']}")).to_have_count(0)
    # A tag and a word of the notes find it too; every word must match.
    page.get_by_test_id("runs-search").fill("baseline-2026 20/60")
    expect(page).to_have_url(re.compile(r"search=baseline-2026"))
    expect(page.get_by_test_id("runs-total")).to_have_text("1")
    page.get_by_test_id("runs-search").fill("baseline-2026 nowhere")
    expect(page.get_by_test_id("runs-total")).to_have_text("0")

    # Sort by Sharpe from the column header: the drawn order is the API's numbers' order.
    page.get_by_test_id("runs-clear-filters").click()
    page.get_by_test_id("runs-sort-sharpe").click()
    expect(page).to_have_url(re.compile(r"sort=-sharpe"))
    page.reload()  # the sort is in the URL too
    expect(page.get_by_test_id("runs-sort-sharpe")).to_contain_text("↓")
    listed = api.get("/backtests", params={"sort": "-sharpe", "limit": 25}).json()["items"]
    expected = [r["id"] for r in listed]
    sharpe = [r["metrics"]["sharpe"] for r in listed if r["metrics"]]
    assert sharpe == sorted(sharpe, reverse=True)
    rows = page.locator('[data-testid^="run-row-"]')
    expect(rows.first).to_be_visible()
    drawn = [t.removeprefix("run-row-") for t in rows.evaluate_all(
        "els => els.map(e => e.dataset.testid)"
    )]  # fmt: skip
    assert drawn == expected
