"""``benchmark_window``: the bars alpha, beta, information ratio and benchmark return cover."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.analytics.metrics import BENCHMARK_WINDOW_KEYS, benchmark_window

DAYS = np.arange("2020-01-01", "2020-01-11", dtype="datetime64[D]").astype("datetime64[ns]")


def test_window_is_the_first_and_last_bar_with_a_benchmark_close():
    bench = np.full(DAYS.size, np.nan)
    bench[3:8] = [100.0, 101.0, 102.0, 101.0, 103.0]
    assert benchmark_window(bench, DAYS) == {
        "benchmark_start": str(DAYS[3])[:10],
        "benchmark_end": str(DAYS[7])[:10],
        "benchmark_bars": 5,
    }


def test_a_full_benchmark_covers_the_whole_run():
    w = benchmark_window(np.linspace(100.0, 110.0, DAYS.size), DAYS)
    assert (w["benchmark_start"], w["benchmark_end"]) == ("2020-01-01", "2020-01-10")
    assert w["benchmark_bars"] == DAYS.size


@pytest.mark.parametrize("bench", [None, np.full(DAYS.size, np.nan)])
def test_no_benchmark_close_is_no_window(bench):
    assert benchmark_window(bench, DAYS) == dict.fromkeys(BENCHMARK_WINDOW_KEYS)


def test_intraday_bars_keep_their_time():
    stamps = np.datetime64("2021-03-01T09:30", "ns") + np.arange(4) * np.timedelta64(15, "m")
    w = benchmark_window(np.array([np.nan, 1.0, 2.0, np.nan]), stamps)
    assert (w["benchmark_start"], w["benchmark_end"]) == (
        "2021-03-01T09:45:00",
        "2021-03-01T10:00:00",
    )


def test_dates_must_match_the_benchmark():
    with pytest.raises(ValueError, match="one value per"):
        benchmark_window(np.ones(3), DAYS)
