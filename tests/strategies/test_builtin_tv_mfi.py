"""tv_mfi: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import mfi

NAME = "tv_mfi"
P = {"mfi_length": 4}

# Down days on heavy volume (MFI deep under 20), a turn up, a run of up days (MFI over 80), a
# down day that pulls it back under 80.
CLOSE = [100, 101, 100, 99, 98, 97, 96, 95, 96, 97, 98, 99, 100, 101, 99, 98, 97]
VOLUME = [1e6] * len(CLOSE)


def _spec(close, volume, n=4, os_=20.0, ob=80.0):
    """MFI crossing up through oversold buys; crossing down through overbought sells."""
    m = mfi(close, close, close, volume, n)
    t_ = range(1, len(m))
    buys = [t for t in t_ if m[t - 1] <= os_ < m[t]]
    sells = [t for t in t_ if m[t - 1] >= ob > m[t] and t not in buys]
    return buys, sells


def test_a_cross_up_through_oversold_buys_and_a_cross_down_through_overbought_sells():
    buys, sells = _spec(CLOSE, VOLUME)
    assert buys == [8] and sells == [14]
    bars = make_bars(CLOSE, volume=VOLUME)
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, bars, **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [bars.dates[9], bars.dates[15]]


def test_near_miss_the_turn_up_on_light_volume_stays_under_oversold():
    volume = [*VOLUME[:8], 1e4, *VOLUME[9:]]  # bar 8's up move carries little money
    m = mfi(CLOSE, CLOSE, CLOSE, volume, 4)
    assert m[7] <= 20 and m[8] <= 20
    buys, _ = _spec(CLOSE, volume)
    assert 8 not in buys
    sig = signals_of(NAME, make_bars(CLOSE, volume=volume), **P)
    assert signal_bars(sig.long_entry) == buys
