"""The run page's price chart across a split: the strategy's own series from the API, and the
as-traded and adjusted views with trades at their fill prices (issue 9, defect 2)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

AAPL_2005 = {
    "strategy_name": "rsi_mean_reversion",
    "symbols": ["AAPL"],
    "start_date": "2004-06-01",
    "end_date": "2006-06-30",
}


def test_price_chart_draws_the_strategys_series_in_both_views(page, make_run, api, wait_chart):
    run = make_run(**AAPL_2005)
    served = api.get(f"/backtests/{run['id']}/indicators", params={"symbol": "AAPL"}).json()
    assert [s["label"] for s in served["series"]] == ["RSI 14"]
    page.goto(f"/runs/{run['id']}")
    chart = page.get_by_test_id("price-chart")
    chart.scroll_into_view_if_needed()
    canvas = page.get_by_test_id("price-chart-canvas")
    expect(canvas).to_have_attribute("data-series", "RSI 14", timeout=20_000)
    caption = page.get_by_test_id("price-chart-caption")
    expect(caption).to_contain_text("adjusted prices (what the signals used)")
    expect(caption).to_contain_text("the strategy's own RSI 14")
    wait_chart(page, "price-chart")
    page.get_by_test_id("price-view-as_traded").click()
    expect(caption).to_contain_text("as-traded prices")
    expect(page.get_by_test_id("price-view-as_traded")).to_have_attribute("aria-pressed", "true")
    wait_chart(page, "price-chart")
    errors = [p for p in page.problems if p.startswith("pageerror")]
    assert not errors, errors


def test_trades_table_shows_the_real_fill_across_the_split(page, make_run, api):
    # sma 10/30 on AAPL holds through the 2:1 split of 2005-02-28: its entry is the price paid.
    run = make_run(**{**AAPL_2005, "strategy_name": "sma_crossover",
                      "params": {"fast_period": 10, "slow_period": 30}})  # fmt: skip
    trades = api.get(f"/backtests/{run['id']}/trades", params={"limit": 100}).json()["items"]
    across = [t for t in trades if t["entry_time"] < "2005-02-28" < t["exit_time"]]
    assert across, trades
    t = across[0]
    bars = api.get(
        "/data/bars/US/AAPL",
        params={"start": t["entry_time"][:10], "end": t["entry_time"][:10], "prices": "as_traded"},
    ).json()["bars"]
    assert t["entry_price"] == bars[0]["open"]  # the as-traded open of the fill bar, not halved
    page.goto(f"/runs/{run['id']}")
    assert t["exit_qty"] == 2 * t["qty"]  # sold twice the shares bought: a 2:1 split while open
    row = page.get_by_test_id("trade-row").filter(has_text=t["entry_time"][:10]).first
    expect(row).to_contain_text(re.compile(rf"{t['entry_price']:,.2f}"))
    expect(row).to_contain_text(re.compile(rf"adj .*{t['entry_price_adj']:,.2f}"))
    expect(row).to_contain_text(re.compile(rf"sold {t['exit_qty']:,.0f}"))
