"""tv_atr_trailing_stop: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_atr_trailing_stop"
P = {"atr_length": 2, "atr_multiplier": 1.0}

# Up, a fall through the stop (flip down), a rise through it (flip up: buy), a fall (sell).
CLOSE = [10.0, 10.2, 10.4, 10.6, 10.8, 10.0, 9.6, 9.4, 9.5, 10.2, 10.5, 10.7, 10.9, 10.1, 9.8]


def _expected(h, lo, c, p=2, k=1.0):
    """The design as the catalogue states it, seeded at the first bar with an ATR (bar p)."""
    tr = [h[0] - lo[0]] + [
        max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, len(c))
    ]
    atr = {i: sum(tr[i - p + 1 : i + 1]) / p for i in range(p, len(c))}
    d, trail = {p: 1}, c[p] - k * atr[p]
    for i in range(p + 1, len(c)):
        ls, ss = c[i] - k * atr[i], c[i] + k * atr[i]
        if d[i - 1] == 1:
            trail = max(trail, ls)
            d[i], trail = (-1, ss) if c[i] < trail else (1, trail)
        else:
            trail = min(trail, ss)
            d[i], trail = (1, ls) if c[i] > trail else (-1, trail)
    entries = [t for t in range(p + 1, len(c)) if d[t] == 1 and d[t - 1] == -1]
    exits = [t for t in range(p + 1, len(c)) if d[t] == -1 and d[t - 1] == 1]
    return entries, exits


def _bars():
    c = np.array(CLOSE)
    return make_bars(c, high=c + 0.1, low=c - 0.1)


def test_flip_up_buys_and_flip_down_sells():
    c = np.array(CLOSE)
    entries, exits = _expected(list(c + 0.1), list(c - 0.1), CLOSE)
    assert (entries, exits) == ([9], [5, 13])
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[10]
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[14]


def test_a_wider_stop_does_not_flip_on_the_same_moves():
    c = np.array(CLOSE)
    for k, want in ((1.0, [9]), (3.0, [10]), (5.0, [])):
        assert _expected(list(c + 0.1), list(c - 0.1), CLOSE, k=k)[0] == want
        sig = signals_of(NAME, _bars(), atr_length=2, atr_multiplier=k)
        assert signal_bars(sig.long_entry) == want
