"""bollinger_bands: its rule, bar for bar (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rule_check import (
    load_for,
    walk_one_position,
)

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest

NAME = "bollinger_bands"


def _expected_signal_bars(close: pd.Series, n: int, k: float):
    """The catalogue's rule, written out: SMA middle, population std, level tests on bar t."""
    mid = close.rolling(n).mean()
    sd = close.rolling(n).std(ddof=0)
    low = mid - k * sd
    c = close.to_numpy()
    with np.errstate(invalid="ignore"):
        return c < low.to_numpy(), c > mid.to_numpy()


def test_first_trades_on_ibm_match_the_rule_bar_for_bar():
    cfg = RunConfig(strategy_name=NAME, symbols=["IBM"], costs={"model": "none"})
    _, panel, bars, info = load_for(cfg)
    assert info.first_index == 0
    close = pd.Series(bars.close[:, 0])
    entry, exit_ = _expected_signal_bars(close, 20, 2.0)
    expected = walk_one_position(entry, exit_, 4)
    assert len(expected) == 4
    trades = run_backtest(cfg).trades.head(4)
    dates = panel.dates
    for (e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert row["symbol"] == "IBM"
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, 0])
