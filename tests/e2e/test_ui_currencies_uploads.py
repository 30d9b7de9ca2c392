"""Money in the right currency and upload findings on the page, in a real browser: comparing a
US and an Indian run never mixes $ and ₹; an upload with non-session rows says what was dropped."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from ava_backtest.markets.registry import get_market

WINDOW = {"start_date": "2010-01-04", "end_date": "2014-12-31"}


def test_compare_a_us_and_an_indian_run_keeps_each_currency(
    page, api, make_run, wait_chart, canvas_stats
):
    us = make_run(strategy_name="sma_crossover", symbols=["GOOG"], **WINDOW)
    india = make_run(strategy_name="sma_crossover", market="IN", symbols=["INSYN01"], **WINDOW)
    assert (us["currency"], india["currency"]) == ("USD", "INR")
    money = [m["key"] for m in api.get("/meta/metrics").json() if m["unit"] == "currency"]
    assert "final_equity" in money and "total_fees" in money

    page.goto(f"/compare?ids={us['id']},{india['id']}")
    expect(page.get_by_test_id("compare-table")).to_be_visible()
    expect(page.get_by_test_id("currency-note")).to_contain_text("INR")
    expect(page.get_by_test_id("compare-currency-0")).to_have_text("USD")
    expect(page.get_by_test_id("compare-currency-1")).to_have_text("INR")
    for key in money:
        cells = (page.get_by_test_id(f"compare-{key}-0"), page.get_by_test_id(f"compare-{key}-1"))
        if not cells[0].count():
            continue  # a metric neither run reports
        usd, inr = (c.inner_text() for c in cells)
        assert usd == "—" or ("$" in usd and "₹" not in usd), (key, usd)
        assert inr == "—" or ("₹" in inr and "$" not in inr), (key, inr)
        # money of different currencies is never "best" against each other
        for cell in cells:
            expect(cell).not_to_have_class(re.compile(r"\bbest\b"))
    # ₹ in Indian grouping: the final equity the API has, to the rupee
    final = india["metrics"]["final_equity"]
    expect(page.get_by_test_id("compare-final_equity-1")).to_contain_text(f"₹{_indian(final)}")
    # returns are comparable: exactly one run is best
    returns = page.locator('[data-testid^="compare-total_return-"].best')
    expect(returns).to_have_count(1)
    # the chart is rebased to 100, and cannot be switched to money
    normalize = page.get_by_test_id("compare-normalize")
    expect(normalize).to_be_checked()
    expect(normalize).to_be_disabled()
    wait_chart(page, "compare-chart")
    assert canvas_stats(page, "compare-chart")["nonBackground"] > 500

    # The Indian run's own page: money in ₹ everywhere (cards, trades, configuration).
    page.goto(f"/runs/{india['id']}")
    expect(page.get_by_test_id("metric-total_fees")).to_contain_text("₹")
    expect(page.get_by_test_id("trade-row").first).to_contain_text("₹")
    expect(page.get_by_test_id("run-config")).to_contain_text("₹")
    for testid in ("trades-table", "run-config"):
        assert "$" not in page.get_by_test_id(testid).inner_text(), testid


def test_the_runs_list_sorts_by_return(page, api, make_run):
    make_run(strategy_name="sma_crossover", market="IN", symbols=["INSYN02"], **WINDOW)
    make_run(strategy_name="ema_crossover", symbols=["MSFT"], **WINDOW)
    page.goto("/runs")
    page.get_by_test_id("runs-sort").select_option("-total_return")
    expect(page).to_have_url(re.compile(r"sort=-total_return"))
    listed = api.get("/backtests", params={"sort": "-total_return", "limit": 25}).json()["items"]
    rows = page.locator('[data-testid^="run-row-"]')
    expect(rows).to_have_count(len(listed))
    shown = [r.get_attribute("data-testid").removeprefix("run-row-") for r in rows.all()]
    assert shown == [r["id"] for r in listed]
    done = [r["metrics"]["total_return"] for r in listed if r["metrics"]]
    assert done == sorted(done, reverse=True)
    for r in listed:  # equity in the run's own currency
        if r["final_equity"] is not None:
            symbol = {"USD": "$", "INR": "₹"}[r["currency"]]
            expect(page.get_by_test_id(f"final-equity-{r['id']}")).to_contain_text(symbol)
    options = page.get_by_test_id("runs-sort").locator("option").all_inner_texts()
    assert not [o for o in options if "equity" in o.lower()], options


def test_an_upload_shows_the_rows_it_dropped_and_why(page):
    first, last = dt.date(2024, 1, 1), dt.date(2024, 2, 29)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    sessions = {dt.date.fromisoformat(str(s)[:10]) for s in get_market("US").sessions(first, last)}
    dropped = [d for d in days if d not in sessions]  # weekends and holidays
    csv = "date,open,high,low,close,volume\n" + "".join(
        f"{d},{100 + i % 7},{102 + i % 7},{99 + i % 7},{101 + i % 7},{1000 + i}\n"
        for i, d in enumerate(days)
    )
    page.goto("/data")
    page.get_by_test_id("upload-file").set_input_files(
        {"name": "E2EWKND.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    expect(page.get_by_test_id("upload-check")).to_contain_text(f"{len(days)} rows")
    page.get_by_test_id("upload-symbol").fill("E2EWKND")
    page.get_by_test_id("upload-market").select_option("US")
    page.get_by_test_id("upload-submit").click()

    counts = page.get_by_test_id("upload-counts")
    expect(counts).to_contain_text(f"{len(sessions)} bars stored")
    expect(counts).to_contain_text(f"from {len(days)} rows in the file")
    expect(counts).to_contain_text(f"{len(dropped)} rows dropped")
    warning = page.get_by_test_id("upload-warning-non_session")
    expect(warning).to_contain_text(f"{len(dropped)} rows: not a US session; dropped")
    expect(warning).to_contain_text(f"{min(dropped)} – {max(dropped)}")
    expect(page.get_by_test_id("symbols-table")).to_contain_text("E2EWKND")


def _indian(value: float) -> str:
    """12345678.9 -> "1,23,45,678.90" (lakh/crore grouping)."""
    whole, frac = f"{abs(value):.2f}".split(".")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail]) + "." + frac
