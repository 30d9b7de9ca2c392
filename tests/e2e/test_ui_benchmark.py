"""The benchmark in a real browser: its window beside every benchmark figure, and a run after the
default benchmark ends completes with a note instead of failing."""

from __future__ import annotations

from playwright.sync_api import expect

from ava_backtest.data import get_symbol

GSPC = get_symbol("US", "GSPC")


def test_benchmark_figures_state_their_window(page, make_run):
    # AMZN from 1997, GSPC 1999-01-04 .. 2018-12-31: the figures cover GSPC's part of the run.
    run = make_run(strategy_name="sma_crossover", symbols=["AMZN"], end_date="2012-12-31")
    m = run["metrics"]
    assert (m["benchmark_start"], m["benchmark_end"]) == (GSPC.first.isoformat(), "2012-12-31")
    page.goto(f"/runs/{run['id']}")
    window = f"over {GSPC.first} – 2012-12-31 ({m['benchmark_bars']:,} bars)"
    expect(page.get_by_test_id("metric-window-benchmark_return")).to_have_text(window)
    page.get_by_text("All metrics").click()
    expect(page.get_by_test_id("metric-window-beta")).to_have_text(window)
    expect(page.get_by_test_id("metric-benchmark_start")).to_have_count(0)
    expect(page.get_by_test_id("run-notes")).to_contain_text(f"cover {GSPC.first} .. 2012-12-31")


def test_a_run_after_the_default_benchmark_ends_completes_with_a_note(page, make_run):
    run = make_run(
        strategy_name="sma_crossover",
        symbols=["NVDA"],
        start_date="2019-01-01",
        end_date="2024-12-31",
    )
    page.goto(f"/runs/{run['id']}")
    expect(page.get_by_test_id("run-notes")).to_contain_text("no benchmark: the default GSPC")
    expect(page.get_by_test_id("metric-window-benchmark_return")).to_have_count(0)
