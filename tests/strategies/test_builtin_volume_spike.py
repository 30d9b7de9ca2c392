"""volume_spike: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "volume_spike"


def _spec(c, v, mult=2.0, move=0.02):
    c, v = np.asarray(c, dtype=float), np.asarray(v, dtype=float)
    vma = np.array([v[i - 19 : i + 1].mean() if i >= 19 else np.nan for i in range(len(v))])
    chg = np.concatenate([[np.nan], c[1:] / c[:-1] - 1])
    spike = v > mult * vma
    buys = [t for t in range(1, len(c)) if spike[t - 1] and chg[t - 1] > move]
    sells = [t for t in range(1, len(c)) if spike[t - 1] and chg[t - 1] < -move]
    return buys, sells


# 22 quiet bars, an up day of +3% on 3x volume (bar 22), quiet, a -3% day on 3x volume (bar 26).
CLOSE = [100.0] * 22 + [103, 103.5, 104, 104.5, 101.3, 101, 101, 101]
VOLUME = [1000.0] * 22 + [3000, 1000, 1000, 1000, 3000, 1000, 1000, 1000]


def test_up_spike_buys_the_next_bar_and_down_spike_sells():
    buys, sells = _spec(CLOSE, VOLUME)
    assert buys == [23] and sells == [27]
    bars = make_bars(CLOSE, volume=VOLUME)
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, bars, hold_days=10).trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"], row["exit_reason"]) == (
        104,
        101,
        "signal",
    )  # bars 24 and 28 open at their close


def test_hold_days_ends_the_long():
    bars = make_bars(CLOSE, volume=VOLUME)
    row = trade(NAME, bars, hold_days=2).trades.row(0, named=True)
    # Filled at bar 24's open; held bars 24 and 25, out at bar 26's open.
    assert (row["entry_price"], row["exit_reason"]) == (104, "max_hold")
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[26]


def test_near_miss_the_move_is_under_two_percent():
    close = list(CLOSE)
    close[22:] = [101.9, 102, 102, 102, 99.9, 100, 100, 100]  # +1.9% and -2.06% on 3x volume
    buys, sells = _spec(close, VOLUME)
    assert buys == [] and sells == [27]
    sig = signals_of(NAME, make_bars(close, volume=VOLUME))
    assert signal_bars(sig.long_entry) == [] and signal_bars(sig.long_exit) == [27]
