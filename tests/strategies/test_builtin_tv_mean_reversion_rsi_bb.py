"""tv_mean_reversion_rsi_bb: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, sma, std, wilder_rsi

NAME = "tv_mean_reversion_rsi_bb"
P = {"rsi_period": 3, "bb_period": 10}

# Quiet bars, a sharp drop under the lower band, a bounce that brings RSI back to neutral.
CLOSE = [100, 100.2] * 5 + [100, 97, 96.5, 97.5, 98.2, 98, 99, 100]


def _spec(close, n=3, bb=10, k=2.0):
    """Catalogue: RSI < 30 and close < SMA - k x population std buys; 45 < RSI < 55 sells."""
    c = arr(close)
    r = wilder_rsi(c, n)
    lower = sma(c, bb) - k * std(c, bb)
    buys = [t for t in range(len(c)) if r[t] < 30 and c[t] < lower[t]]
    sells = [t for t in range(len(c)) if 45 < r[t] < 55 and t not in buys]
    return buys, sells


def _bars(close=CLOSE):
    return make_bars(close, open=close[:1] + close[:-1])  # each bar opens at the previous close


def test_an_oversold_close_under_the_lower_band_buys_and_a_neutral_rsi_sells():
    buys, sells = _spec(CLOSE)
    assert buys == [11, 12] and sells == [14, 15]
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [_bars().dates[12], _bars().dates[15]]


def test_near_miss_an_oversold_rsi_inside_the_band():
    close = [100, 102] * 5 + [101, 99.5, 98.5, 99, 100]
    assert wilder_rsi(close, 3)[12] < 30  # oversold, but 98.5 is over the band's 98.28
    assert _spec(close)[0] == []
    assert signal_bars(signals_of(NAME, _bars(close), **P).long_entry) == []


def test_the_optional_stop_and_target_end_the_long():
    # Filled at bar 12's open (97): the 3% stop 94.09 is inside bar 13 (95 -> 93).
    close = [*CLOSE[:12], 95, 93, 92]
    row = trade(NAME, _bars(close), **P, stop_loss_pct=3.0).trades.row(0, named=True)
    assert (row["exit_reason"], row["entry_price"]) == ("stop_loss", 97.0)
    assert abs(row["exit_price"] - 97.0 * 0.97) < 1e-9
    # With the neutral-zone exit out of reach, the 1% target 97.97 is inside bar 14 (97.5 -> 98.2).
    row = trade(NAME, _bars(), **P, rsi_neutral_low=1, rsi_neutral_high=2, take_profit_pct=1.0)
    row = row.trades.row(0, named=True)
    assert row["exit_reason"] == "take_profit"
    assert abs(row["exit_price"] - 97.0 * 1.01) < 1e-9
