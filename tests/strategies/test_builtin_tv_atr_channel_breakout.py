"""tv_atr_channel_breakout: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_atr_channel_breakout"
P = {"length": 3, "mult": 1.0}

# Flat at 10 (true range 0.2): bar 6 closes at 10.25 under its band 10.083 + 0.2 (near miss);
# bar 10 closes at 10.6 over 10.2 + 0.2 (buy); bar 15 falls through the lower band (sell).
CLOSE = [10.0] * 6 + [10.25, 10.0, 10.0, 10.0, 10.6, 10.7, 10.8, 10.7, 10.6, 9.9, 9.8]


def _expected(h, lo, c, n=3, k=1.0):
    tr = [h[0] - lo[0]] + [
        max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, len(c))
    ]
    entries, exits = [], []
    for t in range(n, len(c)):
        basis = sum(c[t - n + 1 : t + 1]) / n
        atr = sum(tr[t - n : t]) / n  # the n bars before t
        up, dn = basis + k * atr, basis - k * atr
        entries += [t] * int(c[t - 1] <= up < c[t])
        exits += [t] * int(c[t - 1] >= dn > c[t])
    return entries, exits


def _bars():
    c = np.array(CLOSE)
    return make_bars(c, high=c + 0.1, low=c - 0.1)


def test_cross_above_the_upper_band_buys_and_below_the_lower_band_sells():
    c = np.array(CLOSE)
    entries, exits = _expected(list(c + 0.1), list(c - 0.1), CLOSE)
    assert (entries, exits) == ([10], [15])
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[11]
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[16]


def test_a_wider_channel_misses_the_breakout():
    # bar 10: basis 10.2, ATR of bars 7..9 = (0.35 + 0.2 + 0.2) / 3: above the band for k < 1.6
    c = np.array(CLOSE)
    for mult, want in ((1.5, [10]), (1.7, [])):
        assert _expected(list(c + 0.1), list(c - 0.1), CLOSE, k=mult)[0] == want
        assert signal_bars(signals_of(NAME, _bars(), length=3, mult=mult).long_entry) == want
