"""macd_crossover: its rule, bar for bar (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rule_check import (
    load_for,
    walk_one_position,
)

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import get_strategy

NAME = "macd_crossover"


def _expected_signal_bars(close: pd.Series, fast: int, slow: int, signal: int):
    """The catalogue's rule, written out: first-value-seeded EMAs, crosses with <= / >= on t-1."""
    line = close.ewm(span=fast, adjust=False).mean() - close.ewm(span=slow, adjust=False).mean()
    sig = line.ewm(span=signal, adjust=False).mean()
    m, s = line.to_numpy(), sig.to_numpy()
    t = np.arange(len(m))
    guard = t >= slow + signal - 1  # at least slow + signal bars exist
    up = np.zeros(len(m), bool)
    down = np.zeros(len(m), bool)
    up[1:] = (m[:-1] <= s[:-1]) & (m[1:] > s[1:])
    down[1:] = (m[:-1] >= s[:-1]) & (m[1:] < s[1:])
    return up & guard, down & guard


def test_first_trades_on_ibm_match_the_rule_bar_for_bar():
    cfg = RunConfig(strategy_name=NAME, symbols=["IBM"], costs={"model": "none"})
    _, panel, bars, info = load_for(cfg)
    assert info.first_index == 0
    close = pd.Series(bars.close[:, 0])
    entry, exit_ = _expected_signal_bars(close, 12, 26, 9)
    expected = walk_one_position(entry, exit_, 4)
    assert len(expected) == 4
    trades = run_backtest(cfg).trades.head(4)
    dates = panel.dates
    for (e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert row["symbol"] == "IBM"
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, 0])


def test_a_cross_from_equality_counts_as_in_the_catalogue():
    """MACD(t-1) <= SIG(t-1): a flat history (MACD = SIG = 0 exactly) then a rise is an entry."""
    n = 80
    close = np.r_[np.full(60, 100.0), 100.0 + np.arange(1, n - 59)][:, None]
    dates = np.arange(n).astype("datetime64[D]").astype("datetime64[ns]")
    bars = Bars(dates, ("X",), close, close + 1, close - 1, close, np.ones_like(close))
    sig = get_strategy(NAME)().signals(bars)
    assert np.flatnonzero(sig.long_entry[:, 0]).tolist() == [60]
    assert not sig.long_exit.any()
