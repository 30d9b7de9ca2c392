"""The walk-forward pages in a real browser: start one from the form, follow its windows live,
then read the timeline, the stitched equity against the hindsight curve, the parameter drift,
efficiency and overfitting panels; a refused plan is shown with the API's message."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, TERMINAL


def _wait(api, wf_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    row: dict = {}
    while time.monotonic() < deadline:
        row = api.get(f"/walk-forwards/{wf_id}").json()
        if row.get("status") in TERMINAL:
            return row
        time.sleep(0.3)
    raise AssertionError(f"walk-forward {wf_id} still {row.get('status')}")


def test_start_a_walk_forward_and_read_its_windows_equity_drift_and_efficiency(page, api):
    page.goto("/strategies")
    page.get_by_test_id("nav-walkforward").click()
    expect(page).to_have_url(re.compile(r"/walk-forwards$"))
    expect(page.get_by_test_id("wf-form")).to_be_visible()
    page.locator("#wf-strategy").select_option("sma_crossover")
    page.locator("#wf-symbols").fill("GOOG")
    page.locator("#wf-start").fill("2006-01-01")
    page.locator("#wf-end").fill("2011-12-31")
    page.locator("#wf-folds").fill("4")
    page.get_by_test_id("wf-submit").click()
    # Validation plans the windows over the data before answering: allow for a loaded machine.
    expect(page).to_have_url(re.compile(r"/walk-forwards/[0-9a-f]{32}$"), timeout=60_000)
    wf_id = page.url.rsplit("/", 1)[1]
    # The planned windows are drawn at once: four IS/OOS bar pairs on the timeline.
    expect(page.get_by_test_id("wf-window-bar")).to_have_count(4, timeout=30_000)
    row = _wait(api, wf_id)
    assert row["status"] == "completed", row
    expect(page.get_by_test_id("wf-status")).to_have_text(re.compile("completed"), timeout=30_000)
    # Windows table: each window's chosen parameters as the API stored them.
    windows = api.get(f"/walk-forwards/{wf_id}/windows").json()["items"]
    rows = page.get_by_test_id("wf-window-row")
    expect(rows).to_have_count(4)
    for i, w in enumerate(windows):
        expect(rows.nth(i)).to_contain_text(f"fast_period={w['params']['fast_period']}")
    # Stitched equity against the hindsight curve: two drawn paths spanning the chart.
    oos = page.get_by_test_id("wf-oos-line")
    expect(oos).to_be_visible()
    d = oos.get_attribute("d") or ""
    assert d.count("L") == len(row["result"]["oos_equity"]) - 1
    assert (page.get_by_test_id("wf-hindsight-line").get_attribute("d") or "").count("L") > 100
    box = page.get_by_test_id("wf-equity-svg").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 100
    # Drift: one series per optimised parameter; efficiency as the API computed it.
    expect(page.get_by_test_id("wf-drift-param")).to_have_count(2)
    eff = row["result"]["efficiency"]
    expect(page.get_by_test_id("wf-eff")).to_contain_text(f"{eff:.2f}" if eff is not None else "—")
    expect(page.get_by_test_id("wf-overfitting")).to_contain_text("PSR")
    expect(page.get_by_test_id("wf-overfitting")).to_contain_text("Walk-forward efficiency")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "walkforward-page.png"), full_page=True)
    # The list shows it, linked.
    page.get_by_test_id("nav-walkforward").click()
    expect(page.locator(f'a[href="/walk-forwards/{wf_id}"]')).to_be_visible(timeout=30_000)


def test_a_plan_longer_than_the_data_is_refused_with_the_apis_message(page, api):
    page.goto("/walk-forwards")
    page.locator("#wf-symbols").fill("GOOG")
    page.locator("#wf-start").fill("2010-01-01")
    page.locator("#wf-end").fill("2011-12-31")
    page.locator("#wf-is").fill("3000")
    page.locator("#wf-oos").fill("100")
    page.get_by_test_id("wf-submit").click()
    err = page.get_by_test_id("wf-error")
    expect(err).to_contain_text("windows longer than the data", timeout=60_000)
    expect(page).to_have_url(re.compile(r"/walk-forwards$"))
