"""The guide's strategy: its rule test, the only test file it needs (the registry suite does the rest)."""

from __future__ import annotations

import guide_example
import numpy as np
import pandas as pd
from rule_check import load_for

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies import register


def test_entries_are_rsi_dips_above_the_trend_and_fill_at_the_next_open():
    register(guide_example.TrendPullback)  # again: another test may have reloaded the registry
    cfg = RunConfig(strategy_name="guide_trend_pullback", symbols=["IBM"], costs={"model": "none"})
    strategy, panel, bars, _ = load_for(cfg)
    close = pd.Series(bars.close[:, 0])
    trend = close.rolling(100).mean().to_numpy()
    result = run_backtest(cfg)
    assert result.trades.height >= 5
    for row in result.trades.head(5).iter_rows(named=True):
        t = int(np.flatnonzero(panel.dates == np.datetime64(row["entry_time"], "ns"))[0]) - 1
        rsi = strategy.signals(bars).series["rsi"][t, 0]
        assert bars.close[t, 0] > trend[t] and rsi < 25.0  # the signal bar obeys the rule
        assert row["entry_price"] == panel.trade_open[t + 1, 0]
        if row["exit_reason"] == "stop_loss":
            assert row["exit_price"] <= row["entry_price"] * (1 - 0.08) + 1e-9
