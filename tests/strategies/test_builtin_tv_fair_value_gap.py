"""tv_fair_value_gap: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_fair_value_gap"

#        high  low   close
BARS = [
    (10.2, 9.8, 10.0),
    (10.4, 10.0, 10.3),
    (11.0, 10.6, 10.9),  # 2: bullish gap over bar 0: zone 10.2-10.6
    (11.2, 10.7, 11.0),  # 3: bullish gap over bar 1: zone 10.4-10.7
    (11.3, 10.9, 11.1),
    (11.2, 10.6, 11.1),  # 5: first touch of zone 3, closes above it and the EMA: entry
    (11.2, 10.65, 11.15),  # 6: second touch: nothing
    (12.0, 11.5, 11.9),  # 7: gap, zone 11.2-11.5
    (12.2, 11.7, 12.1),  # 8: gap, zone 11.2-11.7
    (12.1, 11.6, 11.0),  # 9: first touch closes through the bottom: the gap is filled
    (11.6, 11.3, 11.5),  # 10: touch again: the zone is spent, no entry
    (11.2, 10.8, 10.9),  # 11: bearish gap (high < low of bar 9) below the EMA: exit
    (10.9, 10.7, 10.8),  # 12: bearish again (nothing to sell)
]


def _ema(c, n):
    out = [np.nan] * len(c)
    out[n - 1] = sum(c[:n]) / n
    for i in range(n, len(c)):
        out[i] = out[i - 1] + 2 / (n + 1) * (c[i] - out[i - 1])
    return out


def _expected(h, lo, c, n):
    """The rule walked bar by bar: remember the latest bullish gap, buy its first retest that
    closes above its bottom and the previous EMA; sell a bearish gap closing below that EMA."""
    e = _ema(c, n)
    zone, spent, entries, exits = None, True, [], []
    for t in range(len(c)):
        if zone is not None and not spent and lo[t] <= zone[1]:
            spent = True
            if c[t] > zone[0] and t >= 1 and c[t] > e[t - 1]:
                entries.append(t)
        if t >= 2 and h[t] < lo[t - 2] and c[t] < e[t - 1]:
            exits.append(t)
        if t >= 2 and lo[t] > h[t - 2]:
            zone, spent = (h[t - 2], lo[t]), False
    return entries, exits


def _bars():
    h, lo, c = (list(x) for x in zip(*BARS, strict=True))
    return make_bars(c, high=h, low=lo), h, lo, c


def test_first_retest_of_a_bullish_gap_buys_and_a_bearish_gap_sells():
    bars, h, lo, c = _bars()
    expected = _expected(h, lo, c, 2)
    assert expected == ([5], [11, 12])
    sig = signals_of(NAME, bars, ema_length=2)
    assert signal_bars(sig.long_entry) == expected[0]
    assert signal_bars(sig.long_exit) == expected[1]
    row = trade(NAME, bars, ema_length=2).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == bars.dates[6]
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[12]
    assert row["exit_reason"] == "signal"
