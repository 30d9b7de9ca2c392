"""momentum_breakout: its rule, bar for bar (the registry suite checks the rest)."""

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

NAME = "momentum_breakout"


def _expected_signal_bars(high: pd.Series, close: pd.Series, channel: int, ma_n: int):
    """The catalogue's rule: close above the prior bars' highest high; close below the SMA."""
    ch = high.rolling(channel).max().shift(1)  # bars t-channel .. t-1
    ma = close.rolling(ma_n).mean()
    c = close.to_numpy()
    guard = np.arange(len(c)) >= max(channel, ma_n)  # max(channel, ma) + 1 bars exist
    with np.errstate(invalid="ignore"):
        return (c > ch.to_numpy()) & guard, (c < ma.to_numpy()) & guard


@pytest.mark.parametrize(("channel", "ma_n"), [(20, 20), (10, 40), (55, 5)])
def test_first_trades_on_ibm_match_the_rule_bar_for_bar(channel, ma_n):
    cfg = RunConfig(
        strategy_name=NAME,
        params={"channel_period": channel, "exit_ma_period": ma_n},
        symbols=["IBM"],
        costs={"model": "none"},
    )
    _, panel, bars, info = load_for(cfg)
    assert info.first_index == 0
    close, high = pd.Series(bars.close[:, 0]), pd.Series(bars.high[:, 0])
    entry, exit_ = _expected_signal_bars(high, close, channel, ma_n)
    expected = walk_one_position(entry, exit_, 4)
    assert len(expected) == 4
    trades = run_backtest(cfg).trades.head(4)
    dates = panel.dates
    for (e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert row["symbol"] == "IBM"
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, 0])


def test_no_signal_before_the_longer_window_has_filled():
    strategy, _, bars, _ = load_for(
        RunConfig(
            strategy_name=NAME,
            params={"channel_period": 5, "exit_ma_period": 60},
            universe="us_sample",
        )
    )
    sig = strategy.signals(bars)
    for j in range(bars.n_symbols):
        first = int(np.argmax(~np.isnan(bars.close[:, j])))
        assert not sig.long_entry[: first + 60, j].any()
        assert not sig.long_exit[: first + 60, j].any()
        assert sig.long_entry[first + 60 :, j].any()
