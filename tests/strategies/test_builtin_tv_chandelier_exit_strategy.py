"""tv_chandelier_exit_strategy: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_chandelier_exit_strategy"
P = {"atr_period": 3, "atr_multiplier": 1.0}


def _spec(h, lo, c, p, k):
    """The catalogue's levels: HH/LL over p bars incl. t; Wilder ATR with TR from bar 1 and the
    first value mean(TR_1..TR_p) at bar p."""
    h, lo, c = (np.asarray(a, dtype=float) for a in (h, lo, c))
    tr = [np.nan] + [
        max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, len(c))
    ]
    atr = np.full(len(c), np.nan)
    atr[p] = np.mean(tr[1 : p + 1])
    for i in range(p + 1, len(c)):
        atr[i] = (atr[i - 1] * (p - 1) + tr[i]) / p
    entries, exits = [], []
    for t in range(p, len(c)):
        long_stop = h[t - p + 1 : t + 1].max() - k * atr[t]
        short_stop = lo[t - p + 1 : t + 1].min() + k * atr[t]
        if c[t] > long_stop:
            entries.append(t)
        elif c[t] < short_stop:
            exits.append(t)
    return entries, exits


# A climb (close near its high: long), a fall of several ranges (under both levels: out), then a
# steady recovery (close near its 3-bar high again: long).
CLOSE = [100, 101, 102, 103, 104, 105, 100, 95, 94, 95, 96, 97, 98, 99]


def _bars(close=CLOSE):
    c = np.asarray(close, dtype=float)
    return make_bars(c, open=c, high=c + 0.5, low=c - 0.5)


def test_long_above_the_long_level_out_under_both_levels():
    c = np.asarray(CLOSE, dtype=float)
    entries, exits = _spec(c + 0.5, c - 0.5, c, 3, 1.0)
    assert (entries, exits) == ([3, 4, 5, 9, 10, 11, 12, 13], [6, 7, 8])
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits


def test_near_miss_a_wider_multiple_keeps_the_fall_above_the_long_level():
    c = np.asarray(CLOSE, dtype=float)
    entries, exits = _spec(c + 0.5, c - 0.5, c, 3, 3.0)
    assert 6 in entries and 6 not in exits
    sig = signals_of(NAME, _bars(), atr_period=3, atr_multiplier=3.0)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
