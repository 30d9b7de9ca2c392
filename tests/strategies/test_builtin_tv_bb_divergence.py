"""tv_bb_divergence: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_bb_divergence"
P = {"bb_length": 10}

# Quiet around 10, then bar 12: a bullish candle 10.0 -> 11.0 whose low 10.6 puts the buy zone
# (30% of its range, 10.735) above the widening upper band 10.725. Then up 1% a bar.
CLOSE = [10.0, 10.1, 9.9, 10.1, 9.9, 10.0, 10.1, 10.0] * 2
CLOSE = CLOSE[:12] + [11.0] + [11.0 * 1.01**i for i in range(1, 8)]
B = 12


def _ohlc(low8=10.6):
    c = np.array(CLOSE)
    o = np.concatenate(([c[0]], c[:-1]))  # each bar opens at the previous close
    o[B] = 10.0
    h, lo = np.maximum(o, c) + 0.05, np.minimum(o, c) - 0.05
    h[B], lo[B] = 11.05, low8
    return o, h, lo, c


def _expected(o, h, lo, c, n=10, k=2.0, per=30.0):
    s = pd.Series(c)
    mid, sd = s.rolling(n).mean(), s.rolling(n).std(ddof=0)
    up, dn = (mid + k * sd).to_numpy(), (mid - k * sd).to_numpy()
    zone = lo + per / 100 * (h - lo)
    out = []
    for t in range(n, len(c)):
        if c[t] > up[t] > up[t - 1] and dn[t] < dn[t - 1] and c[t] > o[t] and zone[t] > up[t]:
            out.append(t)
    return out, up


def test_bullish_candle_above_a_widening_upper_band_buys():
    o, h, lo, c = _ohlc()
    entries, up = _expected(o, h, lo, c)
    assert entries == [B]
    # near miss: a low of 10.3 puts the buy zone at 10.3 + 0.3 x 0.75 = 10.525, under the band
    assert 10.525 < up[B] < 10.735
    o2, h2, lo2, c2 = _ohlc(low8=10.3)
    assert _expected(o2, h2, lo2, c2)[0] == []
    sig = signals_of(NAME, make_bars(c, open=o, high=h, low=lo), **P)
    assert signal_bars(sig.long_entry) == entries
    sig = signals_of(NAME, make_bars(c2, open=o2, high=h2, low=lo2), **P)
    assert signal_bars(sig.long_entry) == []


def test_take_profit_and_time_stop():
    o, h, lo, c = _ohlc()
    bars = make_bars(c, open=o, high=h, low=lo)
    # filled at bar 13's open 11.0: 5% is 11.55, inside bar 17's range (11.0 x 1.01^5 + 0.05)
    row = trade(NAME, bars, **P).trades.row(0, named=True)
    assert (row["exit_reason"], row["exit_price"]) == ("take_profit", pytest.approx(11.55))
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[B + 5]
    row = trade(NAME, bars, **P, time_stop=2).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[B + 3]
