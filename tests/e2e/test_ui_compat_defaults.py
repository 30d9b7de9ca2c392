"""The backtest form's defaults come from the API: the market's default capital from
GET /api/v2/markets (US $100,000, IN ₹10,00,000) and 10 positions for a universe of more than 10
symbols (issue 15), and the strategy picker lists the API's unpaginated strategy array."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_form_takes_capital_per_market_from_the_api(page, api):
    markets = {m["code"]: m for m in api.get("/markets").json()}
    strategies = api.get("/strategies")
    assert isinstance(strategies.json(), list)
    page.goto("/backtests/new")
    options = page.get_by_test_id("strategy-select").locator("option[value]:not([value=''])")
    expect(options).to_have_count(int(strategies.headers["X-Total-Count"]))

    page.get_by_test_id("market-select").select_option("US")
    us = markets["US"]["default_capital"]
    expect(page.get_by_test_id("capital-input")).to_have_value(str(int(us)))
    expect(page.get_by_test_id("capital-default")).to_contain_text("100,000")

    page.get_by_test_id("market-select").select_option("IN")
    india = markets["IN"]["default_capital"]
    expect(page.get_by_test_id("capital-input")).to_have_value(str(int(india)))
    expect(page.get_by_test_id("capital-default")).to_contain_text("10,00,000")
    page.get_by_test_id("universe-select").select_option("in_sample_synthetic")  # 50 symbols
    expect(page.get_by_test_id("max-positions")).to_have_value("10")

    # A value someone typed stays when the market changes.
    page.get_by_test_id("capital-input").fill("250000")
    page.get_by_test_id("market-select").select_option("US")
    expect(page.get_by_test_id("capital-input")).to_have_value("250000")
