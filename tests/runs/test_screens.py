"""Universe screens: one row per symbol, each exactly that symbol's own backtest; sortable; the
same rows on a real two-process Dask LocalCluster; a symbol without data is a failed row naming
why; a stop cancels the rest."""

from __future__ import annotations

import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs.cluster import JobStopped, job_runner
from ava_backtest.runs.execute import run_backtest
from ava_backtest.runs.screens import check_sort, run_screen, symbol_config

US = RunConfig(
    strategy_name="sma_crossover", universe="us_sample", params={"fast_period": 10},
    start_date="2004-01-01", end_date="2012-12-31",
)  # fmt: skip


@pytest.fixture(scope="module")
def local():
    return run_screen(US)


def test_each_row_is_the_symbols_own_backtest(local):
    assert [r["symbol"] for r in local.rows] == ["AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"]
    for row in local.rows:
        assert row["status"] == "complete", row
        single = run_backtest(
            RunConfig(strategy_name="sma_crossover", symbols=[row["symbol"]],
                      params={"fast_period": 10}, start_date="2004-01-01", end_date="2012-12-31")
        )  # fmt: skip
        assert row["metrics"] == single.metrics
        assert row["bars"] == len(single.dates)
    assert symbol_config(US, "IBM").symbols == ["IBM"] and symbol_config(US, "IBM").universe is None


def test_rows_sort_by_any_metric_with_undefined_last(local):
    by_sharpe = [r["metrics"]["sharpe"] for r in local.sorted_rows("-sharpe")]
    assert by_sharpe == sorted(by_sharpe, reverse=True)
    dd = [r["metrics"]["max_drawdown"] for r in local.sorted_rows("max_drawdown")]
    assert dd == sorted(dd)
    doc = local.to_dict("symbol")
    assert [r["symbol"] for r in doc["rows"]] == sorted(r["symbol"] for r in local.rows)
    assert doc["complete"] == 6 and doc["failed"] == 0 and doc["runner"] == "local"
    with pytest.raises(ConfigError) as e:
        check_sort("-nope")
    assert e.value.field == "sort"


def test_a_symbol_without_bars_in_range_is_a_failed_row_naming_why():
    cfg = RunConfig.model_validate(
        {**US.model_dump(), "start_date": "1990-01-01", "end_date": "1999-12-31"}
    )
    result = run_screen(cfg, symbols=["AMZN", "GOOG"])  # GOOG's data start in 2004
    amzn, goog = result.rows
    assert amzn["status"] == "complete" and amzn["end"] == "1999-12-31"
    assert goog["status"] == "failed" and "2004-08-19" in goog["error"]


def test_the_same_screen_on_dask_gives_the_same_rows(local, dask_address):
    streamed: list[str] = []
    remote = run_screen(
        US, runner=job_runner(dask_address),
        on_rows=lambda rows, done, total: streamed.extend(r["symbol"] for r in rows),
    )  # fmt: skip
    assert remote.runner == f"dask {dask_address}"
    assert sorted(streamed) == sorted(r["symbol"] for r in local.rows)
    strip = [{k: v for k, v in r.items() if k != "duration_ms"} for r in remote.rows]
    assert strip == [{k: v for k, v in r.items() if k != "duration_ms"} for r in local.rows]


def test_a_stop_cancels_the_remaining_symbols():
    fifty = RunConfig(strategy_name="sma_crossover", market="IN", universe="in_sample_synthetic",
                      start_date="2020-01-01", end_date="2020-12-31")  # fmt: skip
    seen: list[int] = []
    with pytest.raises(JobStopped) as stop:
        run_screen(fifty, on_rows=lambda rows, d, t: seen.append(d), should_stop=lambda: bool(seen))
    assert seen == [25] and list(stop.value.done) == [0]  # the first chunk of 25, not the second
