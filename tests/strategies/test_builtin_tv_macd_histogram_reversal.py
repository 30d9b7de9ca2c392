"""tv_macd_histogram_reversal: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, ema

NAME = "tv_macd_histogram_reversal"
P = {"fast_period": 3, "slow_period": 6, "signal_period": 3}

# Flat, a slide that decelerates (the negative histogram turns up), a rally that fades.
CLOSE = [100, 100, 100, 100, 98, 95, 92, 90, 89, 88.8, 89.5, 91, 93, 96, 99, 101, 102, 102.3]
CLOSE += [102, 101]


def _bars(close):
    return make_bars(close, open=close[:1] + close[:-1])  # each bar opens at the previous close


def _hist(close, f=3, s=6, g=3):
    """Catalogue: every EMA seeded with its first value; H = MACD - SIG."""
    line = ema(close, f, seed="first") - ema(close, s, seed="first")
    return line - ema(line, g, seed="first")


def _spec(close):
    h = _hist(arr(close))
    t_ = range(2, len(h))
    buys = [t for t in t_ if h[t] > h[t - 1] < h[t - 2] and h[t] < 0]
    sells = [t for t in t_ if h[t] < h[t - 1] > h[t - 2] and h[t] > 0]
    return buys, sells


def test_a_negative_trough_buys_and_a_positive_peak_sells():
    buys, sells = _spec(CLOSE)
    assert buys == [7] and sells == [15]
    sig = signals_of(NAME, _bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, _bars(CLOSE), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [_bars(CLOSE).dates[8], _bars(CLOSE).dates[16]]


def test_near_miss_a_trough_above_zero_does_not_buy():
    close = [100, 100, 100, 100, 102, 105, 108, 110, 111.5, 112.8, 114, 116, 119, 122]
    h = _hist(arr(close))
    assert any(h[t] > h[t - 1] < h[t - 2] for t in range(2, len(h)))  # a trough, but positive
    assert _spec(close)[0] == []
    assert signal_bars(signals_of(NAME, _bars(close), **P).long_entry) == []


def test_the_optional_target_and_stop_end_the_long():
    res = trade(NAME, _bars(CLOSE), **P, take_profit_pct=5.0)
    row = res.trades.row(0, named=True)
    # Filled at bar 8's open (90); the 5% target 94.5 is inside bar 13 (93 -> 96).
    assert (row["exit_reason"], row["entry_price"]) == ("take_profit", 90.0)
    assert abs(row["exit_price"] - 90.0 * 1.05) < 1e-9
    close = [*CLOSE[:9], 88, 86, 85, 84, 83]
    row = trade(NAME, _bars(close), **P, stop_loss_pct=3.0).trades.row(0, named=True)
    assert row["exit_reason"] == "stop_loss"
    assert abs(row["exit_price"] - 90.0 * 0.97) < 1e-9  # 87.3, inside bar 10
