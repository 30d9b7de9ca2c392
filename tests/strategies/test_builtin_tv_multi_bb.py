"""tv_multi_bb: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, prev, sma, std

NAME = "tv_multi_bb"
P = {"bb_length_primary": 5, "bb_length_secondary": 8}

# Quiet bars, a drop under both lower bands, a recovery that closes above the 5-bar upper band.
CLOSE = [100, 100.3] * 5 + [100, 96, 95.5, 97, 99, 101, 103, 102]


def _spec(close, p=5, q=8, k=2.0):
    """Catalogue: sample-std bands; close(t-1) under the average of the two lower bands at t-1
    buys; otherwise close(t) over the primary upper band at t-1 sells."""
    c = arr(close)
    lo_avg = (sma(c, p) - k * std(c, p, 1) + sma(c, q) - k * std(c, q, 1)) / 2
    up = prev(sma(c, p) + k * std(c, p, 1))
    pc, plo = prev(c), prev(lo_avg)
    buys = [t for t in range(len(c)) if pc[t] < plo[t]]
    sells = [t for t in range(len(c)) if c[t] > up[t] and t not in buys]
    return buys, sells


def test_a_close_under_the_averaged_lower_bands_buys_next_bar_and_the_upper_band_sells():
    buys, sells = _spec(CLOSE)
    assert buys == [12] and sells == [16]
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, make_bars(CLOSE), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [make_bars(CLOSE).dates[13], make_bars(CLOSE).dates[17]]


def test_near_miss_under_the_secondary_lower_band_but_not_the_average():
    close = [*CLOSE[:11], 99.0, 99.5, 99.8, 100, 100.2, 100.1, 100.2]
    lo_p, lo_q = (sma(close, n) - 2 * std(close, n, 1) for n in (5, 8))
    assert lo_p[11] < close[11] < lo_q[11]  # under the 8-bar band, over the 5-bar one
    assert close[11] > (lo_p[11] + lo_q[11]) / 2
    assert _spec(close)[0] == []
    assert signal_bars(signals_of(NAME, make_bars(close), **P).long_entry) == []
