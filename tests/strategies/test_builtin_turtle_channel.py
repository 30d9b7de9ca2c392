"""turtle_channel: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "turtle_channel"
P = {"entry_period": 4, "exit_period": 2, "atr_period": 2}

# Bar 5 closes at 10.3, above the 10.2 high of bars 1..4 (buy); bar 6 closes at 10.35 under the
# 10.4 high of bars 2..5 (no buy). Bar 9 closes at 10.15, under the 10.2 low of bars 7..8 (sell);
# bar 8 at 10.3 is above the 10.25 low of bars 6..7 (near miss).
CLOSE = [10.0, 10.1, 10.0, 10.1, 10.0, 10.3, 10.35, 10.4, 10.3, 10.15, 10.1]


def _expected(h, lo, c, n_in=4, n_out=2, min_price=5.0):
    entries, exits = [], []
    for t in range(n_in, len(c)):
        entries += [t] * int(c[t] > max(h[t - n_in : t]) and c[t] >= min_price)
        exits += [t] * int(c[t] < min(lo[t - n_out : t]) or c[t] < min(lo[t - n_in : t]))
    return entries, exits


def _bars(scale=1.0):
    c = np.array(CLOSE) * scale
    return make_bars(c, high=c + 0.1 * scale, low=c - 0.1 * scale)


def test_breakout_above_the_entry_channel_and_breakdown_below_the_exit_channel():
    c = np.array(CLOSE)
    entries, exits = _expected(list(c + 0.1), list(c - 0.1), CLOSE)
    assert (entries, exits) == ([5], [9])
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[6]
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[10]


def test_min_price_gates_entries_only():
    # the same shape at 0.45x: closes near 4.6, under min_price 5 (no entry), over 4 (entry)
    for min_price, want in ((5.0, []), (4.0, [5])):
        sig = signals_of(NAME, _bars(0.45), **P, min_price=min_price)
        assert signal_bars(sig.long_entry) == want
        assert signal_bars(sig.long_exit) == [9]
