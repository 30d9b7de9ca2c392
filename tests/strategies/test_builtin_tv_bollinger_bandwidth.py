"""tv_bollinger_bandwidth: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_bollinger_bandwidth"
P = {"bb_length": 4, "bw_ma_length": 4}


def _spec(close, n, k, m, f):
    """The catalogue's statement: population-std bands, BW in percent, its SMA; the squeeze at
    t-2, the expansion and the close above the middle at t-1. Exit (Ava's): close(t) < MID(t)."""
    c = np.asarray(close, dtype=float)
    mid = np.full(len(c), np.nan)
    bw = np.full(len(c), np.nan)
    for i in range(n - 1, len(c)):
        w = c[i - n + 1 : i + 1]
        mid[i] = w.mean()
        bw[i] = 2 * k * w.std() / mid[i] * 100
    bwma = np.full(len(c), np.nan)
    for i in range(n + m - 2, len(c)):
        bwma[i] = bw[i - m + 1 : i + 1].mean()
    entries = [
        t
        for t in range(2, len(c))
        if bw[t - 2] < f * bwma[t - 2] and bw[t - 1] > bwma[t - 1] and c[t - 1] > mid[t - 1]
    ]
    exits = [t for t in range(len(c)) if c[t] < mid[t]]
    return entries, exits


# Wide swings, a quiet stretch (bandwidth far under its average), a jump up (bandwidth above its
# average the same bar), then a slide under the middle band.
CLOSE = [100, 104, 97, 105, 96, 100, 100.2, 100.1, 100.2, 100.1, 100.2, 106, 107, 107.5, 108]
CLOSE += [104, 101, 100, 100]


def test_a_squeeze_released_in_one_bar_buys_the_next_bar_and_the_middle_band_exits():
    entries, exits = _spec(CLOSE, 4, 2.0, 4, 0.75)
    assert entries == [12]  # squeeze at 10, jump at 11, acted on at 12 (one bar late)
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    res = trade(NAME, make_bars(CLOSE), **P)
    first_exit = min(t for t in exits if t > 12)
    exit_time = np.datetime64(res.trades["exit_time"].to_list()[0], "ns")
    assert exit_time == make_bars(CLOSE).dates[first_exit + 1]


def test_near_miss_a_mild_quiet_stretch_is_no_squeeze():
    # With a squeeze factor of 0.1 the quiet stretch's bandwidth is not low enough.
    entries, _ = _spec(CLOSE, 4, 2.0, 4, 0.1)
    assert entries == []
    sig = signals_of(NAME, make_bars(CLOSE), **P, squeeze_factor=0.1)
    assert signal_bars(sig.long_entry) == []
