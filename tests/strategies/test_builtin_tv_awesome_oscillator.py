"""tv_awesome_oscillator: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_awesome_oscillator"
P = {"ao_fast": 2, "ao_slow": 4}

CLOSE = [10.0, 9.8, 9.6, 9.4, 9.2, 9.4, 9.8, 10.2, 10.3, 10.2, 10.4, 10.8, 10.2, 9.6, 9.2, 9.1]


def _expected(c, fast=2, slow=4):
    hl2 = pd.Series(c)  # high and low sit symmetrically around the close
    ao = (hl2.rolling(fast).mean() - hl2.rolling(slow).mean()).to_numpy()
    entries, exits = [], []
    for t in range(slow + 1, len(c)):
        a0, a1, a2 = ao[t], ao[t - 1], ao[t - 2]
        entries += [t] * int((a1 <= 0 < a0) or (a0 > 0 and a2 > a1 and a0 > a1))
        exits += [t] * int((a1 >= 0 > a0) or (a0 < 0 and a2 < a1 and a0 < a1))
    return entries, exits, ao


def _bars():
    c = np.array(CLOSE)
    return make_bars(c, high=c + 0.1, low=c - 0.1)


def test_zero_cross_and_saucer_buy_and_the_bearish_mirror_sells():
    entries, exits, ao = _expected(CLOSE)
    assert entries == [6, 11] and exits == [13]
    assert ao[5] <= 0 < ao[6]  # zero cross up
    assert ao[11] > 0 and ao[9] > ao[10] < ao[11]  # saucer: one-bar dip above zero
    assert ao[6] < ao[7] > ao[8] > 0  # near miss at bar 8: above zero, falling, no dip before
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[7]
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[14]


def test_no_saucer_without_the_dip():
    close = list(CLOSE)
    close[10] = 11.0  # AO rises on bar 10 instead of dipping: bar 11 is no saucer
    entries, _, ao = _expected(close)
    assert ao[10] > ao[9] and 11 not in entries
    c = np.array(close)
    sig = signals_of(NAME, make_bars(c, high=c + 0.1, low=c - 0.1), **P)
    assert signal_bars(sig.long_entry) == entries
