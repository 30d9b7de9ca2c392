"""The screens pages in a real browser: start a screen of a universe from the form, watch it
complete, sort its rows by a headline metric (the drawn order is the numbers' order), open a row
as its backtest run (the run's metrics are the row's), and a refused request shown by name."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, TERMINAL


def _wait_screen(api, screen_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    row: dict = {}
    while time.monotonic() < deadline:
        row = api.get(f"/screens/{screen_id}").json()
        if row.get("status") in TERMINAL:
            return row
        time.sleep(0.2)
    raise AssertionError(f"screen {screen_id} still {row.get('status')}")


def _values(page, metric: str) -> list[float]:
    cells = page.locator(f'[data-testid="screen-row"] td[data-metric="{metric}"]')
    return [float(v) for v in cells.evaluate_all("els => els.map(e => e.dataset.value)")]


def test_screen_a_universe_sort_rows_and_open_a_row_as_its_run(page, api, wait_run):
    page.goto("/strategies")
    page.get_by_test_id("nav-screens").click()
    expect(page).to_have_url(re.compile(r"/screens$"))
    expect(page.locator("#sc-strategy")).to_have_value("sma_crossover")
    page.locator("#sc-universe").select_option("us_sample")
    page.locator("#sc-start").fill("2004-01-01")
    page.locator("#sc-end").fill("2012-12-31")
    page.get_by_test_id("screen-submit").click()

    expect(page).to_have_url(re.compile(r"/screens/[^/?#]+$"), timeout=20_000)
    screen_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    done = _wait_screen(api, screen_id)
    assert done["status"] == "completed" and done["n_symbols"] == 6, done
    expect(page.get_by_test_id("screen-status")).to_contain_text("completed", timeout=30_000)
    expect(page.get_by_test_id("screen-progress")).to_contain_text("6 / 6 symbols")
    expect(page.get_by_test_id("screen-row")).to_have_count(6)

    # Default order: Sharpe, best first; then by max drawdown ascending, then descending.
    sharpe = _values(page, "sharpe")
    assert sharpe == sorted(sharpe, reverse=True)
    page.get_by_test_id("screen-sort-max_drawdown").click()
    expect(page.get_by_test_id("screen-rows-total")).to_contain_text("sorted by -max_drawdown")
    dd = _values(page, "max_drawdown")
    assert dd == sorted(dd, reverse=True)
    page.get_by_test_id("screen-sort-max_drawdown").click()
    expect(page.get_by_test_id("screen-rows-total")).to_contain_text("sorted by max_drawdown")
    dd = _values(page, "max_drawdown")
    assert dd == sorted(dd)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screen_rows.png"), full_page=True)

    # A row opens as its run: the same backtest, the row's numbers.
    row = next(
        r
        for r in api.get(f"/screens/{screen_id}/rows?sort=symbol").json()["items"]
        if r["symbol"] == "IBM"
    )
    page.get_by_test_id("screen-open-IBM").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/?#]+$"), timeout=20_000)
    run_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    run = wait_run(run_id)
    assert run["status"] == "completed" and run["symbols"] == ["IBM"]
    for k in ("sharpe", "cagr", "max_drawdown", "trade_count"):
        assert abs(run["metrics"][k] - row["metrics"][k]) <= 1e-12 * max(
            1.0, abs(row["metrics"][k])
        )
    # Back on the screen, the row now says it has a run, and opens the same one.
    page.goto(f"/screens/{screen_id}?sort=symbol")
    expect(page.get_by_test_id("screen-open-IBM")).to_have_text("Open run")
    page.get_by_test_id("screen-open-IBM").click()
    expect(page).to_have_url(re.compile(rf"/runs/{run_id}$"), timeout=20_000)

    # The list shows it with its real total.
    page.goto("/screens")
    expect(page.get_by_test_id("screen-list-row").first).to_contain_text("sma_crossover")
    total = api.get("/screens").json()["total"]
    expect(page.get_by_test_id("screens-total")).to_contain_text(f"{total} screen")


def test_a_refused_screen_is_shown_by_name(page):
    page.goto("/screens")
    page.locator("#sc-universe").select_option("us_sample")
    page.locator("#sc-start").fill("2031-01-01")
    page.get_by_test_id("screen-submit").click()
    expect(page.get_by_test_id("screen-submit-error")).to_contain_text("start_date")
    expect(page).to_have_url(re.compile(r"/screens$"))
