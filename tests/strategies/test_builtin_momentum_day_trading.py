"""momentum_day_trading: its entry and its three exits on hand-made bars (the registry suite
checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "momentum_day_trading"
P = {"rsi_period": 3, "vol_sma_period": 3, "ema_period": 10, "atr_period": 3, "max_hold": 3}
RISE = list(np.linspace(100, 110, 21))  # bars 0..20


def _expected(close: list[float], volume: list[float]) -> list[int]:
    """The spec: (c[t]-c[t-1])/c[t-1] > 2%, volume[t-1] > 2 x mean(volume[t-3..t-1]),
    close[t-1] > EMA_sma(close, 10)[t]; nothing before bar max(3, 3, 10, 3) + 5."""
    c, v = pd.Series(close, dtype=float), pd.Series(volume, dtype=float)
    e = pd.Series(np.nan, index=c.index)
    e.iloc[9] = c.iloc[:10].mean()
    for i in range(10, len(c)):
        e.iloc[i] = e.iloc[i - 1] + (c.iloc[i] - e.iloc[i - 1]) * 2 / 11
    vs = v.rolling(3).mean().shift(1)
    ok = (c.pct_change() > 0.02) & (v.shift(1) > 2.0 * vs) & (c.shift(1) > e)
    return [t for t in np.flatnonzero(ok.to_numpy()) if t >= 15]


def test_a_jump_after_a_volume_spike_above_the_ema_buys():
    close = [*RISE, 113.5, 114, 114.5]
    volume = [1e6] * 20 + [5e6, 1e6, 1e6, 1e6]  # the spike is on bar 20, the jump on bar 21
    assert _expected(close, volume) == [21]
    sig = signals_of(NAME, make_bars(close, volume=volume), **P)
    assert signal_bars(sig.long_entry) == [21]


def test_near_miss_the_spike_on_the_jump_bar_itself_does_not_buy():
    close = [*RISE, 113.5, 114, 114.5]
    volume = [1e6] * 21 + [5e6, 1e6, 1e6]  # spike and jump both on bar 21
    assert _expected(close, volume) == []
    assert signal_bars(signals_of(NAME, make_bars(close, volume=volume), **P).long_entry) == []


def test_the_trailing_stop_the_time_stop_and_the_rsi_exit_end_trades():
    volume = [1e6] * 20 + [5e6] + [1e6] * 8
    no_rsi = {**P, "rsi_overbought": 100.0}  # RSI can't exceed 100: the other exits show
    # Filled at 113.5 on bar 22's open, a new high, then a fall through highest high - 2 ATR.
    fall = [*RISE, 113.5, 113.5, 116, 109, 108, 108, 108, 108]
    res = trade(NAME, make_bars(fall, volume=volume), **no_rsi)
    assert res.trades["exit_reason"].to_list()[0] == "trailing_stop"
    # Drifting sideways inside the trail: out by the time stop after 3 bars held.
    flat = [*RISE, 113.5, 113.5, 113.6, 113.4, 113.5, 113.6, 113.5, 113.5]
    bars = make_bars(flat, volume=volume)
    res = trade(NAME, bars, **no_rsi)
    first = res.trades.row(0, named=True)
    assert first["exit_reason"] == "max_hold"
    assert list(bars.dates).index(np.datetime64(first["exit_time"], "ns")) == 22 + 3
    # With the default level, RSI(3) > 75 after the rise ends the trade at the first close held.
    res = trade(NAME, bars, **P)
    first = res.trades.row(0, named=True)
    assert first["exit_reason"] == "signal"
    assert list(bars.dates).index(np.datetime64(first["exit_time"], "ns")) == 23
