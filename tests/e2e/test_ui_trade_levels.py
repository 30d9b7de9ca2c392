"""Run page: a clicked trade's stop (red dashed) and target (green dashed) are drawn over its life,
with the values the API derives from the strategy's signals (issue 15, trade to chart)."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import expect

RUN = {
    "strategy_name": "tv_flawless_victory",
    "symbols": ["AAPL"],
    "start_date": "2010-01-04",
    "end_date": "2012-12-31",
}


def test_a_clicked_trade_draws_its_stop_and_target(page, make_run, api, wait_chart, canvas_stats):
    run = make_run(**RUN)
    trades = api.get(f"/backtests/{run['id']}/trades", params={"limit": 500}).json()["items"]
    t = next(x for x in trades if x["exit_reason"] == "stop_loss")
    levels = api.get(f"/backtests/{run['id']}/trades/{t['seq']}/levels").json()
    assert levels["stop"] and levels["target"]

    page.goto(f"/runs/{run['id']}")
    page.get_by_test_id("price-chart").scroll_into_view_if_needed()
    wait_chart(page, "price-chart")
    before = canvas_stats(page, "price-chart")
    row = page.locator(f'[data-testid="trade-row"][data-seq="{t["seq"] + 1}"]')
    if row.count() == 0:  # on a later page of the trades table
        pytest.skip("the stop-loss trade is not on the first page of the table")
    row.scroll_into_view_if_needed()
    row.click()
    legend = page.get_by_test_id("trade-levels")
    expect(legend).to_have_attribute("data-seq", str(t["seq"]))
    stop = page.get_by_test_id("trade-level-stop")
    target = page.get_by_test_id("trade-level-target")
    first_stop = next(p["value"] for p in levels["stop"] if p["value"] is not None)
    assert float(stop.get_attribute("data-first")) == pytest.approx(first_stop, rel=1e-12)
    assert float(stop.get_attribute("data-last")) == pytest.approx(
        levels["stop"][-1]["value"], rel=1e-12
    )
    assert float(target.get_attribute("data-last")) == pytest.approx(
        levels["target"][-1]["value"], rel=1e-12
    )
    # the stop was where the trade exited (or the open gapped below it)
    assert t["exit_price"] <= levels["stop"][-1]["value"] + 1e-9
    # the chart gained the dashed lines' red and green pixels after the click
    page.wait_for_timeout(500)
    after = canvas_stats(page, "price-chart")
    assert after["saturated"] != before["saturated"] or after["colours"] != before["colours"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("price-chart").screenshot(path=str(ARTIFACTS / "trade-levels.png"))
    assert not [p for p in page.problems if p.startswith("pageerror")], page.problems
