"""tv_dema_crossover: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_dema_crossover"
P = {"fast_period": 2, "slow_period": 5}


def _ema(x, n):
    out, a = np.empty(len(x)), 2.0 / (n + 1)
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = out[i - 1] + a * (x[i] - out[i - 1])
    return out


def _dema(x, n):
    e = _ema(np.asarray(x, dtype=float), n)
    return 2 * e - _ema(e, n)


def _spec(c, f, s):
    fast, slow = _dema(c, f), _dema(c, s)
    ups = [t for t in range(1, len(c)) if fast[t - 1] <= slow[t - 1] and fast[t] > slow[t]]
    downs = [t for t in range(1, len(c)) if fast[t - 1] >= slow[t - 1] and fast[t] < slow[t]]
    return ups, downs


# Flat (the DEMAs touch: equal from bar 0), a rise, a fall, a rise.
CLOSE = [100, 100, 100, 100, 102, 104, 106, 107, 105, 102, 99, 97, 98, 101, 104]


def test_cross_up_buys_and_cross_down_sells():
    ups, downs = _spec(CLOSE, 2, 5)
    assert ups == [4, 13] and downs == [8]  # bar 4: from equal (flat) to above counts
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == ups
    assert signal_bars(sig.long_exit) == downs


def test_near_miss_a_dip_too_short_for_the_fast_dema_to_cross():
    close = [100, 100, 100, 100, 102, 104, 106, 108, 107.5, 109, 111]
    ups, downs = _spec(close, 2, 5)
    assert downs == []
    sig = signals_of(NAME, make_bars(close), **P)
    assert signal_bars(sig.long_exit) == [] and signal_bars(sig.long_entry) == ups == [4]
