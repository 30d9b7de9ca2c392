"""tv_bb_winner_lite: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_bb_winner_lite"
P = {"bb_length": 10}

QUIET = [10.0, 10.1, 9.9, 10.1, 9.9, 10.0, 10.1, 10.0, 10.0, 10.1, 9.9, 10.1]
# bar 12: a down candle whose lower 30% pierces the lower band (buy); bar 15: a rally candle whose
# buy zone clears the upper band (sell); bar 17: only its sell zone is above the upper band.
CLOSE = [*QUIET, 9.7, 9.9, 10.0, 10.9, 10.8, 11.2, 11.0]
SPECIAL = {12: (10.0, 10.05, 9.2), 15: (10.0, 10.95, 10.7), 17: (10.8, 11.7, 10.6)}


def _ohlc(special=SPECIAL):
    c = np.array(CLOSE)
    o = np.concatenate(([c[0]], c[:-1]))
    h, lo = np.maximum(o, c) + 0.05, np.minimum(o, c) - 0.05
    for t, (op, hi, low) in special.items():
        o[t], h[t], lo[t] = op, hi, low
    return o, h, lo, c


def _expected(h, lo, c, n=10, k=2.0, per=30.0, show_short=False):
    s = pd.Series(c)
    mid, sd = s.rolling(n).mean(), s.rolling(n).std(ddof=1)
    up, dn = (mid + k * sd).to_numpy(), (mid - k * sd).to_numpy()
    rng = h - lo
    buyzone, sellzone = lo + per / 100 * rng, h - per / 100 * rng
    entries, exits = [], []
    for t in range(n - 1, len(c)):
        if buyzone[t] < dn[t]:
            entries.append(t)
        elif buyzone[t] > up[t] or (show_short and sellzone[t] > up[t]):
            exits.append(t)
    return entries, exits


def test_lower_band_piercing_candle_buys_and_a_candle_above_the_upper_band_sells():
    o, h, lo, c = _ohlc()
    bars = make_bars(c, open=o, high=h, low=lo)
    for show_short, want_exits in ((False, [15]), (True, [15, 17])):
        entries, exits = _expected(h, lo, c, show_short=show_short)
        assert (entries, exits) == ([12], want_exits)
        sig = signals_of(NAME, bars, **P, show_short=show_short)
        assert signal_bars(sig.long_entry) == entries
        assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, bars, **P).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == bars.dates[13]
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[16]


def test_near_miss_when_the_buy_zone_stays_inside_the_band():
    o, h, lo, c = _ohlc({**SPECIAL, 12: (10.0, 10.05, 9.65)})
    assert _expected(h, lo, c)[0] == []
    sig = signals_of(NAME, make_bars(c, open=o, high=h, low=lo), **P)
    assert signal_bars(sig.long_entry) == []
