"""tv_bullish_engulfing: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_bullish_engulfing"


def _wilder_rsi(c, p):
    d = np.diff(np.asarray(c, dtype=float))
    out = np.full(len(c), np.nan)
    g, loss = np.maximum(d[:p], 0).mean(), np.maximum(-d[:p], 0).mean()
    for j in range(p, len(c)):
        if j > p:
            g = (g * (p - 1) + max(d[j - 1], 0)) / p
            loss = (loss * (p - 1) + max(-d[j - 1], 0)) / p
        out[j] = 50.0 if g == loss == 0 else 100.0 * g / (g + loss)
    return out


def _spec(o, c, p=2, level=90.0):
    """The catalogue's pattern on bars t-1 and t; the exit on a Wilder RSI (standard seed)."""
    r = _wilder_rsi(c, p)
    entries = [
        t for t in range(1, len(c)) if o[t - 1] > c[t - 1] and c[t] > o[t - 1] and o[t] < c[t - 1]
    ]
    exits = [t for t in range(len(c)) if t not in entries and r[t] > level]
    return entries, exits


# Bar 4 is red (open 101, close 99); bar 5 opens under 99 and closes above 101: engulfing.
# Bar 9 is red (100 -> 98); bar 10 opens at 97.5 but closes at 99.5, under bar 9's open: no.
OPEN = [100, 100, 101, 102, 101, 98.5, 101.5, 103, 105, 100, 97.5, 99.5, 99, 101]
CLOSE = [100, 101, 102, 102, 99, 101.5, 103, 105, 104, 98, 99.5, 99, 101, 103]


def test_engulfing_candle_buys_and_the_rsi_spike_sells():
    entries, exits = _spec(OPEN, CLOSE)
    assert entries == [5]  # bar 10 only reaches into bar 9's body: the near miss
    bars = make_bars(CLOSE, open=OPEN)
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    first_exit = next(t for t in exits if t > 5)
    res = trade(NAME, bars)
    assert np.datetime64(res.trades["entry_time"][0], "ns") == bars.dates[6]
    assert np.datetime64(res.trades["exit_time"][0], "ns") == bars.dates[first_exit + 1]


def test_near_miss_an_open_above_the_red_close_is_no_engulfing():
    o = list(OPEN)
    o[5] = 99.2  # opens above bar 4's close of 99
    entries, _ = _spec(o, CLOSE)
    assert entries == []
    assert signal_bars(signals_of(NAME, make_bars(CLOSE, open=o)).long_entry) == []
