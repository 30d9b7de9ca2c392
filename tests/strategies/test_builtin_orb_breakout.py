"""orb_breakout: the rule on hand-made bars, intraday and daily proxy (the registry suite checks
the rest).

Spec (intended): intraday, ORH/ORL = high/low of the session's first or_bars bars; buy when
close > ORH and volume > volume_mult x the average volume per bar of the previous
volume_lookback sessions (short below ORL with allow_short). Daily proxy: buy when open[t] >
high[t-1] x (1 + gap_threshold) and volume[t] > volume_mult x mean(volume[t-L+1..t]).
Exits: a stop_atr_mult x ATR stop, a reward_risk_ratio target, max_hold_bars.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade
from intraday_bars import intraday_bars

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import get_strategy

NAME = "orb_breakout"
DAY = 26  # 15-minute bars in a regular session
P = {"volume_lookback": 2}


def _case(breakout_close: float = 100.5):
    n = 3 * DAY
    close = np.full(n, 100.0)
    high, low = np.full(n, 100.2), np.full(n, 99.8)
    volume = np.full(n, 1000.0)
    close[DAY + 4], high[DAY + 4], volume[DAY + 4] = 100.5, 100.55, 4000.0  # no history yet
    k = 2 * DAY + 2  # the third session's first bar after its range
    close[k], volume[k] = breakout_close, 4000.0
    high[k], low[k] = max(breakout_close, 100.0) + 0.05, min(breakout_close, 100.0) - 0.05
    close[k + 1], volume[k + 1] = 100.6, 2000.0  # above ORH, volume too low
    high[k + 1] = 100.65
    return close, high, low, volume


def _expected(close, high, low, volume, or_bars=2, lookback=2, mult=3.0):
    session = np.arange(len(close)) // DAY
    bar_no = np.arange(len(close)) % DAY
    frame = pd.DataFrame({"s": session, "v": volume})
    per_bar = frame.groupby("s")["v"].mean()  # full sessions: volume per bar
    avg = per_bar.rolling(lookback).mean().shift(1).to_numpy()[session]
    orh = pd.Series(np.where(bar_no < or_bars, high, np.nan)).groupby(session).transform("max")
    orl = pd.Series(np.where(bar_no < or_bars, low, np.nan)).groupby(session).transform("min")
    loud = volume > mult * avg
    after = bar_no >= or_bars
    return (
        np.flatnonzero(after & loud & (close > orh.to_numpy())).tolist(),
        np.flatnonzero(after & loud & (close < orl.to_numpy())).tolist(),
    )


def test_intraday_breakout_above_the_sessions_range_with_volume():
    close, high, low, volume = _case()
    bars = intraday_bars(15, close, high=high, low=low, volume=volume)
    longs, _ = _expected(close, high, low, volume)
    assert longs == [2 * DAY + 2]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == longs
    assert signal_bars(sig.short_entry) == []


def test_intraday_breakdown_shorts_when_allowed():
    close, high, low, volume = _case(breakout_close=99.5)
    bars = intraday_bars(15, close, high=high, low=low, volume=volume)
    _, shorts = _expected(close, high, low, volume)
    assert shorts == [2 * DAY + 2]
    assert signal_bars(signals_of(NAME, bars, **P).short_entry) == []
    sig = signals_of(NAME, bars, allow_short=True, **P)
    assert signal_bars(sig.short_entry) == shorts
    res = trade(NAME, bars, allow_short=True, **P)
    sides = res.trades["direction"].to_list() + res.open_positions["direction"].to_list()
    assert sides == ["short"]


def _trade_after_breakout(next_high: float, next_low: float, **params):
    close, high, low, volume = _case()
    k = 2 * DAY + 3
    close[k:] = 100.5
    high[k:], low[k:] = 100.55, 100.45
    high[k], low[k] = next_high, next_low
    bars = intraday_bars(
        15, close, open=np.r_[100.0, close[:-1]], high=high, low=low, volume=volume
    )
    tr = np.maximum(high - low, np.abs(np.r_[high[0], high[1:]] - np.r_[close[0], close[:-1]]))
    tr = np.maximum(tr, np.abs(np.r_[low[0], low[1:]] - np.r_[close[0], close[:-1]]))
    atr = pd.Series(tr).rolling(10).mean().to_numpy()[2 * DAY + 2]
    return trade(NAME, bars, **P, **params).trades.row(0, named=True), 1.5 * atr


def test_atr_stop_target_and_time_stop():
    row, stop = _trade_after_breakout(100.6, 99.0)
    assert row["exit_reason"] == "stop_loss"
    assert row["exit_price"] == pytest.approx(row["entry_price"] - stop)
    row, stop = _trade_after_breakout(103.0, 100.45)
    assert row["exit_reason"] == "take_profit"
    assert row["exit_price"] == pytest.approx(row["entry_price"] + 2.0 * stop)
    row, _ = _trade_after_breakout(100.55, 100.45, max_hold_bars=3)
    assert row["exit_reason"] == "max_hold" and row["exit_bar"] == row["entry_bar"] + 3


def test_daily_proxy_gap_above_the_prior_high_with_volume():
    n = 20
    close = np.full(n, 100.0)
    open_ = close.copy()
    high, low = np.full(n, 100.5), np.full(n, 99.5)
    volume = np.full(n, 1e6)
    open_[10], volume[10] = 101.6, 3e7  # gap over 100.5 * 1.005 with volume: entry
    open_[14], volume[14] = 101.6, 1e6  # gap, no volume
    open_[17], volume[17] = 100.9, 3e7  # volume, gap too small
    high = np.maximum(high, open_)
    bars = make_bars(close, open=open_, high=high, low=low, volume=volume)
    avg = pd.Series(volume).rolling(5).mean().to_numpy()
    prior_high = np.r_[np.nan, high[:-1]]
    with np.errstate(invalid="ignore"):
        expected = np.flatnonzero((open_ > prior_high * 1.005) & (volume > 3.0 * avg)).tolist()
    assert expected == [10]
    sig = signals_of(NAME, bars, daily_proxy=True, volume_lookback=5)
    assert signal_bars(sig.long_entry) == expected


def test_daily_proxy_needs_no_intraday_bars_and_runs_on_the_daily_sample():
    assert get_strategy(NAME)(daily_proxy=True).requires == ()
    assert get_strategy(NAME)().requires == ("intraday:15m",)
    res = run_backtest(
        RunConfig(strategy_name=NAME, universe="us_sample", params={"daily_proxy": True})
    )
    assert res.trades.height > 0
