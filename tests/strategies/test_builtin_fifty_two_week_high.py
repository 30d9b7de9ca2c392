"""fifty_two_week_high: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "fifty_two_week_high"
L = 20


def _expected(h, lo, c, n, prox):
    """The rule written out: (long entries, short entries, long exits) by bar."""
    buys, shorts, exits = [], [], []
    for t in range(n, len(c)):
        hh = max(h[t - n + 1 : t + 1])
        ll = min(c[t - n + 1 : t + 1])
        ret = c[t] / c[t - n] - 1
        buy = (hh - c[t]) / hh <= prox and ret > 0
        short = not buy and (c[t] - ll) / ll <= prox and ret < 0
        drop = c[t] < min(c[t - 10 : t]) or c[t] > max(h[t - n : t]) or c[t] / c[t - 5] - 1 < -0.05
        buys += [t] * buy
        shorts += [t] * short
        exits += [t] * (drop and not buy and not short)
    return buys, shorts, exits


def test_long_near_the_high_with_a_positive_year_and_exit_below_the_10_bar_low():
    close = [10 + 0.1 * i for i in range(20)] + [12.0, 11.3, 11.5, 10.9, 10.9]
    bars = make_bars(close)
    buys, shorts, exits = _expected(close, close, close, L, 0.05)
    # 20: at the high; 21: 5.8% below it (near miss); 22: 4.2% below; 23: under the 10-bar low
    assert (buys, shorts, exits[:1]) == ([20, 22], [], [23])
    sig = signals_of(NAME, bars, lookback=L)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.short_entry) == shorts
    assert signal_bars(sig.long_exit) == exits


def _falling(extra):
    close = [20 - 0.2 * i for i in range(20)] + [16.0, *extra]
    return close


def test_short_near_the_low_with_a_negative_year():
    close = _falling([16.0, 16.5])
    _, shorts, _ = _expected(close, close, close, L, 0.05)
    assert shorts[0] == 20
    assert signal_bars(signals_of(NAME, make_bars(close), lookback=L).short_entry)[0] == 20
    row = trade(NAME, make_bars(close), lookback=L, hold_days=1).trades.row(0, named=True)
    assert row["direction"] == "short"
    assert row["entry_price"] == 16.0


def test_stop_pct_ends_a_short():
    close = _falling([16.0, 16.0, 16.0])
    high = np.maximum(close, close)
    high[22] = 18.0  # the stop is 10% above the fill at 16
    row = trade(NAME, make_bars(close, high=high), lookback=L).trades.row(0, named=True)
    assert (row["direction"], row["exit_reason"]) == ("short", "stop_loss")
    assert row["exit_price"] == 16.0 * 1.1


def test_hold_days_is_a_time_stop():
    close = _falling([15.9, 15.8, 15.7, 15.6, 15.5])
    bars = make_bars(close)
    row = trade(NAME, bars, lookback=L, hold_days=3).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[24]  # held 21, 22, 23
