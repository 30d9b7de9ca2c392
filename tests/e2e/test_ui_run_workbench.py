"""The run page as a workbench (issue 15): the strategy's own indicator panes drawn with the API's
values, a trade clicked in the table zooms the price chart to it, trades filtered, numbered from 1
in the table and in the CSV alike."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from conftest import ARTIFACTS
from playwright.sync_api import expect

AAPL = {"symbols": ["AAPL"], "start_date": "2004-06-01", "end_date": "2006-06-30"}


def _readout(page) -> tuple[str, dict[str, float | None]]:
    box = page.get_by_test_id("price-readout")
    values = {}
    for el in box.get_by_test_id("readout-value").all():
        raw = el.get_attribute("data-value")
        values[el.get_attribute("data-series")] = float(raw) if raw else None
    return box.get_attribute("data-date"), values


def _open_price_chart(page, run_id: str, wait_chart) -> None:
    page.goto(f"/runs/{run_id}")
    page.get_by_test_id("price-chart").scroll_into_view_if_needed()
    wait_chart(page, "price-chart")


def test_rsi_pane_is_drawn_with_the_apis_values(page, make_run, api, wait_chart):
    run = make_run(strategy_name="rsi_mean_reversion", **AAPL)
    served = api.get(f"/backtests/{run['id']}/indicators", params={"symbol": "AAPL"}).json()
    (rsi,) = served["series"]
    assert (rsi["name"], rsi["kind"], rsi["levels"]) == ("rsi", "pane", [30.0, 70.0])
    by_date = dict(zip(served["dates"], rsi["values"], strict=True))
    _open_price_chart(page, run["id"], wait_chart)
    canvas = page.get_by_test_id("price-chart-canvas")
    expect(canvas).to_have_attribute("data-series", "RSI 14", timeout=20_000)
    page.get_by_test_id("equity-views").wait_for()  # the section above has its full height
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["height"] > 500  # the price, the volume and the RSI pane below them
    seen = {}
    # Point at bars across the chart, in the RSI pane (the bottom of the chart).
    for k in range(1, 12):
        page.mouse.move(box["x"] + box["width"] * 0.85 * k / 12, box["y"] + box["height"] - 50)
        page.wait_for_function(
            "(d) => document.querySelector('[data-testid=price-readout]').dataset.date "
            "&& document.querySelector('[data-testid=price-readout]').dataset.date !== d",
            arg=next(reversed(seen), ""),
        )
        date, values = _readout(page)
        seen[date] = values["rsi"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("price-chart").screenshot(path=str(ARTIFACTS / "workbench-rsi-pane.png"))
    assert len(seen) >= 8, seen
    defined = 0
    for date, value in seen.items():
        want = by_date[date]
        if want is None:
            assert value is None, date
        else:
            defined += 1
            assert value is not None and math.isclose(value, want, rel_tol=1e-12), (date, value)
    assert defined >= 8
    assert not [p for p in page.problems if p.startswith("pageerror")], page.problems


def test_a_trade_click_moves_the_visible_range_to_the_trade(page, make_run, api, wait_chart):
    run = make_run(
        strategy_name="sma_crossover", params={"fast_period": 10, "slow_period": 30}, **AAPL
    )
    trades = api.get(f"/backtests/{run['id']}/trades", params={"limit": 100}).json()["items"]
    assert len(trades) >= 4
    _open_price_chart(page, run["id"], wait_chart)
    canvas = page.get_by_test_id("price-chart-canvas")
    expect(canvas).to_have_attribute("data-visible-from", AAPL["start_date"][:4] + "-06-01")
    full_to = canvas.get_attribute("data-visible-to")
    assert full_to >= "2006-06-01"

    t = trades[2]  # the third trade, number 3 on screen
    page.get_by_test_id("trade-row").nth(2).scroll_into_view_if_needed()
    row = page.locator('[data-testid="trade-row"][data-seq="3"]')
    expect(row).to_contain_text(t["entry_time"][:10])
    row.click()
    expect(canvas).to_have_attribute("data-focused-trade", "3")
    expect(row).to_have_attribute("aria-selected", "true")
    page.wait_for_function(
        "(d) => { const e = document.querySelector('[data-testid=price-chart-canvas]');"
        " return e.dataset.visibleTo < d; }",
        arg=full_to,
    )
    lo, hi = canvas.get_attribute("data-visible-from"), canvas.get_attribute("data-visible-to")
    assert lo < t["entry_time"][:10] and t["exit_time"][:10] < hi, (lo, hi, t)
    assert hi < full_to and lo > AAPL["start_date"]  # zoomed in, not the whole run
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("price-chart").screenshot(path=str(ARTIFACTS / "workbench-trade-zoom.png"))
    # the price chart is on screen after the click
    assert (
        page.evaluate(
            "() => document.querySelector('[data-testid=price-chart]').getBoundingClientRect().top"
        )
        < 200
    )
    assert not [p for p in page.problems if p.startswith("pageerror")], page.problems


def test_trades_filter_by_outcome_and_number_from_one_in_the_csv(page, make_run, api):
    run = make_run(
        strategy_name="sma_crossover", params={"fast_period": 10, "slow_period": 30}, **AAPL
    )
    trades = api.get(f"/backtests/{run['id']}/trades", params={"limit": 100}).json()["items"]
    winners = [t for t in trades if t["pnl_net"] > 0]
    assert 0 < len(winners) < len(trades)
    page.goto(f"/runs/{run['id']}")
    expect(page.get_by_test_id("trades-total")).to_have_text(str(len(trades)))
    expect(page.locator('[data-testid="trade-row"]').first).to_have_attribute("data-seq", "1")
    pick = page.get_by_test_id("trades-filter-outcome")
    pick.scroll_into_view_if_needed()
    expect(page.get_by_test_id("trades-filter-exitReason")).to_be_enabled(timeout=20_000)
    pick.select_option("winner")
    expect(page.get_by_test_id("trades-total")).to_have_text(str(len(winners)))
    rows = page.get_by_test_id("trade-row")
    expect(rows).to_have_count(len(winners))
    assert [int(r.get_attribute("data-seq")) for r in rows.all()] == [t["seq"] + 1 for t in winners]
    pick.select_option("loser")
    expect(page.get_by_test_id("trades-total")).to_have_text(str(len(trades) - len(winners)))
    exits = sorted({t["exit_reason"] for t in trades})
    page.get_by_test_id("trades-filter-outcome").select_option("")
    page.get_by_test_id("trades-filter-exitReason").select_option(exits[0])
    expect(page.get_by_test_id("trades-total")).to_have_text(
        str(sum(t["exit_reason"] == exits[0] for t in trades))
    )
    page.get_by_test_id("trades-filter-clear").click()
    expect(page.get_by_test_id("trades-total")).to_have_text(str(len(trades)))

    with page.expect_download() as dl:
        page.get_by_test_id("export-csv").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    rows_csv = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["seq"]) for r in rows_csv] == list(range(1, len(trades) + 1))
    assert rows_csv[0]["entry_time"] == trades[0]["entry_time"]


def test_the_per_symbol_table_sums_to_the_runs_totals_and_opens_a_chart(page, make_run, api):
    run = make_run(
        strategy_name="sma_crossover",
        params={"fast_period": 10, "slow_period": 30},
        symbols=["AAPL", "MSFT", "IBM"],
        start_date="2006-01-01",
        end_date="2009-12-31",
    )
    m = run["metrics"]
    page.goto(f"/runs/{run['id']}")
    section = page.get_by_test_id("symbol-breakdown")
    section.scroll_into_view_if_needed()
    rows = page.get_by_test_id("symbol-row")
    expect(rows).to_have_count(3)
    got = [
        {k: r.get_attribute(f"data-{k}") for k in ("symbol", "pnl", "trades", "fees")}
        for r in rows.all()
    ]
    totals = page.get_by_test_id("symbol-totals")
    assert sum(int(g["trades"]) for g in got) == int(totals.get_attribute("data-trades"))
    assert int(totals.get_attribute("data-trades")) == m["trade_count"]
    assert math.isclose(sum(float(g["fees"]) for g in got), m["total_fees"], rel_tol=1e-9)
    assert math.isclose(float(totals.get_attribute("data-fees")), m["total_fees"], rel_tol=1e-9)
    pnl = sum(float(g["pnl"]) for g in got)
    assert math.isclose(pnl, float(totals.get_attribute("data-pnl")), rel_tol=1e-12)
    closed = sum(
        t["pnl_net"]
        for t in api.get(f"/backtests/{run['id']}/trades", params={"limit": 5000}).json()["items"]
    )
    assert math.isclose(pnl, closed, rel_tol=1e-9)
    # sorted by net P&L (descending) first; by trades on a click
    pnls = [float(g["pnl"]) for g in got]
    assert pnls == sorted(pnls, reverse=True)
    page.get_by_test_id("symbol-sort-trades").click()
    page.get_by_test_id("symbol-sort-trades").click()  # ascending
    counts = [int(r.get_attribute("data-trades")) for r in rows.all()]
    assert counts == sorted(counts)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "workbench-symbols.png"))
    rows.filter(has_text="MSFT").get_by_test_id("symbol-chart").click()
    expect(page.get_by_test_id("price-symbol")).to_have_value("MSFT")
    expect(page.get_by_test_id("price-chart-caption")).to_contain_text("trades")


def test_equity_views_list_the_worst_drawdowns_and_follow_the_window(
    page, make_run, api, wait_chart
):
    run = make_run(
        strategy_name="sma_crossover", params={"fast_period": 10, "slow_period": 30}, **AAPL
    )
    points = api.get(f"/backtests/{run['id']}/equity-curve").json()["points"]
    page.goto(f"/runs/{run['id']}")
    section = page.get_by_test_id("equity-views-section")
    section.scroll_into_view_if_needed()
    rows = page.get_by_test_id("drawdown-row")
    expect(rows).to_have_count(5)
    depths = [float(r.get_attribute("data-depth")) for r in rows.all()]
    assert depths == sorted(depths)
    assert math.isclose(depths[0], run["metrics"]["max_drawdown"], rel_tol=1e-9)
    expect(page.get_by_test_id("return-histogram")).to_have_attribute(
        "data-n", str(len(points) - 1)
    )
    wait_chart(page, "rolling-chart")
    with page.expect_response(lambda r: "equity-views" in r.url and "window=21" in r.url) as resp:
        page.get_by_test_id("rolling-window").select_option("21")
    assert resp.value.json()["window"] == 21
    wait_chart(page, "rolling-chart")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "workbench-equity-views.png"))
    assert not [p for p in page.problems if p.startswith("pageerror")], page.problems


def test_readable_charts_config_warmup_months_and_narrow_screens(page, make_run, wait_chart):
    # SMA 200 from the first bar of the data: the first ~200 sessions are warm-up.
    run = make_run(
        strategy_name="sma_crossover",
        params={"fast_period": 50, "slow_period": 200},
        symbols=["AAPL"],
        start_date="2000-03-01",
        end_date="2003-12-31",
    )
    assert run["effective_start"] > "2000-11-01", run["effective_start"]
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"/runs/{run['id']}")
    # Warm-up months are blank, not 0.0%.
    heat = page.get_by_test_id("monthly-heatmap")
    heat.scroll_into_view_if_needed()
    warm = page.get_by_test_id("heatmap-warmup")
    first_month = int(run["effective_start"][5:7])
    expect(warm).to_have_count(first_month - 3)  # March .. the month before the effective start
    assert all(w.inner_text().strip() == "" for w in warm.all())
    # Sizing and costs read as fields, not JSON.
    sizing = page.get_by_test_id("config-sizing")
    expect(sizing).to_contain_text("mode")
    assert (
        "{" not in sizing.inner_text()
        and "{" not in page.get_by_test_id("config-costs").inner_text()
    )
    # At 1024 px the trades table scrolls sideways, and says so.
    expect(page.get_by_text("Scroll the table sideways")).to_be_visible()
    wide = page.evaluate(
        "() => { const t = document.querySelector('[data-testid=trades-table]').parentElement;"
        " return [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]; }"
    )
    assert wide[0] > wide[1] and wide[2] == "auto", wide

    # The mouse wheel over a chart scrolls the page until the chart is clicked.
    chart = page.get_by_test_id("equity-chart")
    chart.scroll_into_view_if_needed()
    wait_chart(page, "equity-chart")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
    before = page.evaluate("() => window.scrollY")
    page.mouse.wheel(0, 300)
    page.wait_for_function(f"() => window.scrollY > {before}")
    # The readout follows the crosshair: date, equity, drawdown.
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 4)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3, steps=5)
    readout = page.get_by_test_id("equity-readout")
    expect(readout).to_contain_text("Equity")
    expect(readout).to_contain_text("Drawdown")
    # The price chart is drawn once its section nears the screen: scroll to the section first.
    page.get_by_test_id("price-chart").scroll_into_view_if_needed()
    price = page.get_by_test_id("price-chart-canvas")
    price.scroll_into_view_if_needed()
    expect(price).to_have_attribute("data-series", "SMA 50|SMA 200")
    wait_chart(page, "price-chart")
    # A run of several years opens on its last two years (a quick first paint), every bar loaded
    # and one click from the whole run.
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=price-chart-canvas]').dataset.visibleFrom"
        " || '') >= '2001-12-01'"
    )
    expect(page.get_by_test_id("price-chart-caption")).to_contain_text("the last 504 of")
    show_all = page.get_by_test_id("price-show-all")
    expect(show_all).to_have_text("Show all")
    show_all.click()
    expect(show_all).to_have_text("Last 2 years")
    expect(price).to_have_attribute("data-visible-from", "2000-03-01")
    span0 = (price.get_attribute("data-visible-from"), price.get_attribute("data-visible-to"))
    pbox = price.bounding_box()
    page.mouse.click(pbox["x"] + pbox["width"] / 2, pbox["y"] + 100)
    y0 = page.evaluate("() => window.scrollY")
    page.mouse.wheel(0, -600)
    page.wait_for_function(
        "(s) => { const e = document.querySelector('[data-testid=price-chart-canvas]');"
        " return e.dataset.visibleFrom !== s[0] || e.dataset.visibleTo !== s[1]; }",
        arg=list(span0),
    )
    assert page.evaluate("() => window.scrollY") == y0  # the focused chart took the wheel
    page.get_by_test_id("price-log").check()
    expect(page.get_by_test_id("price-readout")).to_be_visible()
    assert not [p for p in page.problems if p.startswith("pageerror")], page.problems
