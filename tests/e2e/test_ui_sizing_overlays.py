"""The sizing overlays from the backtest form in a real browser: a run sized by Kelly from its own
closed trades is stored with that sizing, and trades past the equal-slot warm-up."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, full_page_screenshot


def test_a_kelly_sized_run_from_the_form(page, api):
    page.goto("/backtests/new?strategy=sma_crossover")
    expect(page.get_by_test_id("strategy-select")).to_have_value("sma_crossover")
    page.get_by_test_id("market-select").select_option("US")
    page.get_by_test_id("universe-select").select_option("us_sample")
    page.get_by_test_id("start-date").fill("2004-01-02")
    page.get_by_test_id("end-date").fill("2018-12-31")
    page.get_by_test_id("sizing-mode").select_option("kelly")
    expect(page.get_by_test_id("sizing-value")).to_be_disabled()  # Kelly learns its fraction
    page.get_by_test_id("submit-backtest").click()

    expect(page).to_have_url(re.compile(r"/runs/[^/?#]+$"), timeout=20_000)
    expect(page.get_by_test_id("run-status")).to_contain_text(
        re.compile("completed", re.I), timeout=120_000
    )
    run_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    run = api.get(f"/backtests/{run_id}").json()
    assert run["config"]["sizing"]["mode"] == "kelly", run["config"]
    assert run["n_trades"] and run["n_trades"] > 20, run  # past the equal-slot warm-up
    full_page_screenshot(page, ARTIFACTS / "sizing_kelly_run.png")
