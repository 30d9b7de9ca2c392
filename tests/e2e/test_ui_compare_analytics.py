"""The compare page's analytics in a real browser: the correlation heatmap (coefficients equal to
pandas on the runs' equity curves, coloured by sign), and the combine view (equal weights by
default, then the user's weights and cadence; the combined equity drawn; the diversification
ratio the API computed; a refusal shown in words for runs in two currencies)."""

from __future__ import annotations

import pandas as pd
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

SPAN = {"start_date": "2008-01-02", "end_date": "2012-12-31"}


def _equity(api, run_id: str) -> pd.Series:
    pts = api.get(f"/backtests/{run_id}/equity-curve").json()["points"]
    return pd.Series([p["equity"] for p in pts], pd.to_datetime([p["date"] for p in pts]))


def test_correlation_heatmap_and_combine_view(page, api, make_run, wait_chart, canvas_stats):
    runs = [
        make_run(strategy_name="sma_crossover", symbols=["GOOG"], **SPAN),
        make_run(strategy_name="ema_crossover", symbols=["MSFT"], **SPAN),
        make_run(strategy_name="sma_crossover", symbols=["AAPL"],
                 params={"fast_period": 10, "slow_period": 30}, **SPAN),
    ]  # fmt: skip
    ids = [r["id"] for r in runs]
    page.goto(f"/compare?ids={','.join(ids)}")

    # The heatmap: every cell, 1 on the diagonal, the coefficients pandas gives.
    heat = page.get_by_test_id("correlation-heatmap")
    expect(heat).to_be_visible()
    rets = pd.concat({i: _equity(api, i).pct_change().dropna() for i in ids}, axis=1)
    want = rets.corr()
    for i in range(3):
        expect(page.get_by_test_id(f"corr-cell-{i}-{i}")).to_contain_text("1.00")
        for j in range(3):
            cell = page.get_by_test_id(f"corr-cell-{i}-{j}")
            value = float(cell.get_attribute("data-value"))
            assert abs(value - want.iloc[i, j]) < 1e-9, (i, j, value, want.iloc[i, j])
            expect(cell).to_contain_text(f"{want.iloc[i, j]:.2f}")
    # Positive coefficients are drawn red, more strongly the higher they are.
    bg = page.get_by_test_id("corr-cell-0-0").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(207, 34, 46)", bg

    # The combine view: equal weights, rebalanced monthly, by default.
    result = page.get_by_test_id("combine-result")
    expect(result).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("combine-summary")).to_contain_text(
        "Equal weights, rebalanced monthly"
    )
    equal = api.get("/analytics/portfolio", params=[("backtest_ids", i) for i in ids]).json()
    expect(page.get_by_test_id("combine-metric-diversification_ratio")).to_contain_text(
        f"{equal['diversification_ratio']:.3f}"
    )
    for i in range(3):
        expect(page.get_by_test_id(f"combine-weight-value-{i}")).to_have_text("33.33%")
    wait_chart(page, "combine-chart", min_pixels=3000)
    assert canvas_stats(page, "combine-chart")["saturated"] > 200  # the runs' coloured lines
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header where it belongs
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare_analytics.png"), full_page=True)
    # The two panels alone (docs/img/compare-analytics.png is this picture).
    top = page.get_by_test_id("correlation-panel").bounding_box()
    bottom = page.get_by_test_id("combine-panel").bounding_box()
    assert top and bottom
    page.screenshot(
        path=str(ARTIFACTS / "compare_analytics_panels.png"),
        full_page=True,
        clip={"x": 0, "y": top["y"] - 8, "width": 1280,
              "height": bottom["y"] + bottom["height"] - top["y"] + 16},
    )  # fmt: skip

    # The user's weights and cadence: 2,1,1 quarterly.
    page.get_by_test_id("combine-weighting").select_option("given")
    for i, w in enumerate(("2", "1", "1")):
        page.get_by_test_id(f"combine-weight-{i}").fill(w)
    page.get_by_test_id("combine-rebalance").select_option("quarterly")
    page.get_by_test_id("combine-submit").click()
    expect(page.get_by_test_id("combine-summary")).to_contain_text(
        "Given weights, rebalanced quarterly"
    )
    given = api.get(
        "/analytics/portfolio",
        params=[*(("backtest_ids", i) for i in ids), ("weights", 2), ("weights", 1),
                ("weights", 1), ("rebalance", "quarterly")],
    ).json()  # fmt: skip
    expect(page.get_by_test_id("combine-weight-value-0")).to_have_text("50.00%")
    expect(page.get_by_test_id("combine-weight-value-1")).to_have_text("25.00%")
    expect(page.get_by_test_id("combine-metric-diversification_ratio")).to_contain_text(
        f"{given['diversification_ratio']:.3f}"
    )
    expect(page.get_by_test_id("combine-metric-total_return")).to_contain_text(
        f"{100 * given['metrics']['total_return']:,.2f}%"
    )
    expect(result).to_contain_text("weights normalised to sum to 1")

    # Inverse volatility: weights from the 250 returns before the portfolio starts.
    page.get_by_test_id("combine-weighting").select_option("inverse_volatility")
    page.get_by_test_id("combine-vol-window").fill("250")
    page.get_by_test_id("combine-submit").click()
    expect(page.get_by_test_id("combine-summary")).to_contain_text(
        "Inverse-volatility weights, rebalanced quarterly"
    )
    inv = api.get(
        "/analytics/portfolio",
        params=[*(("backtest_ids", i) for i in ids), ("weighting", "inverse_volatility"),
                ("vol_window", 250), ("rebalance", "quarterly")],
    ).json()  # fmt: skip
    for i in range(3):
        expect(page.get_by_test_id(f"combine-weight-value-{i}")).to_have_text(
            f"{100 * inv['weight_list'][i]:.2f}%"
        )
    expect(page.get_by_test_id("combine-summary")).to_contain_text(inv["start"])
    page.get_by_test_id("combine-weighting").select_option("given")

    # A bad weight is named in the form, before any request.
    page.get_by_test_id("combine-weight-1").fill("-1")
    page.get_by_test_id("combine-submit").click()
    expect(page.get_by_test_id("combine-form-error")).to_have_text(
        'weight 2: a number >= 0, got "-1"'
    )
    page.get_by_test_id("theme-toggle").click()
    wait_chart(page, "combine-chart", min_pixels=3000)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "compare_analytics_dark.png"), full_page=True)
    page.get_by_test_id("theme-toggle").click()
    assert not page.problems, page.problems  # type: ignore[attr-defined]


def test_runs_in_two_currencies_are_correlated_but_not_combined(page, make_run):
    us = make_run(strategy_name="sma_crossover", symbols=["GOOG"], **SPAN)
    india = make_run(strategy_name="sma_crossover", market="IN", symbols=["INSYN01"], **SPAN)
    page.goto(f"/compare?ids={us['id']},{india['id']}")
    expect(page.get_by_test_id("corr-cell-0-1")).to_be_visible()
    expect(page.get_by_test_id("correlation-panel")).to_contain_text(
        "each run's returns in its own currency"
    )
    panel = page.get_by_test_id("combine-panel")
    expect(panel).to_contain_text("These runs cannot be combined")
    expect(panel).to_contain_text("runs in different currencies are not combined")
    expect(panel).to_contain_text("INR")
