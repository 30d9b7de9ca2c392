"""Metrics annualise over the run's own bars: sessions per year for daily bars, times the bars of a
session for intraday ones (a 15-minute run is not annualised as if each bar were a day)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ava_backtest.analytics.metrics import compute_metrics
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import bars_per_year, run_backtest


def test_daily_bars_use_the_markets_sessions_per_year():
    days = np.arange("2024-01-01", "2024-03-01", dtype="datetime64[D]").astype("datetime64[ns]")
    assert bars_per_year(days, 252) == 252


def test_intraday_bars_multiply_by_the_bars_of_a_session():
    day = np.datetime64("2024-01-02T09:30", "m")
    stamps = [
        day + np.timedelta64(d, "D") + np.timedelta64(15 * k, "m")
        for d in range(5)
        for k in range(26)
    ]
    assert bars_per_year(np.array(stamps, dtype="datetime64[ns]"), 252) == 252 * 26


def test_an_hourly_24x7_run_is_annualised_over_its_hours():
    r = run_backtest(RunConfig(strategy_name="sma_crossover", market="24x7", symbols=["EURUSD"]))
    eq = r.equity
    rets = eq[1:] / eq[:-1] - 1
    want = rets.mean() / rets.std(ddof=1) * math.sqrt(365 * 24)
    assert r.metrics["sharpe"] == pytest.approx(want, rel=1e-9)
    daily_style = compute_metrics(eq, r.dates, trades=None, exposure=None, benchmark=None,
                                  periods_per_year=365)["sharpe"]  # fmt: skip
    assert r.metrics["sharpe"] != pytest.approx(daily_style)
