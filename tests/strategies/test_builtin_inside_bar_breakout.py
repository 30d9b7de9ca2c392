"""inside_bar_breakout: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "inside_bar_breakout"

# open, high, low, close
OHLC = [
    (10, 12, 8, 10),
    (10, 11, 9, 10),  # inside bar 0
    (11.5, 12, 11, 11.8),  # opens above the inside high 11: long
    (11.8, 13, 9, 11),
    (11, 12, 10, 11),  # inside bar 3
    (12, 12.5, 11.5, 12),  # opens at the inside high 12, not above: near miss
    (12, 12.2, 11.8, 12),  # inside bar 5
    (11.5, 11.6, 11, 11.2),  # opens below the inside low 11.8: short
    (11.2, 11.3, 11, 11.1),  # low equals bar 7's low: not inside
    (11, 11.2, 10.8, 11),
    (11, 11.2, 10.8, 11),
    (11, 11.2, 10.8, 11),
]


def _bars():
    o, h, lo, c = (list(x) for x in zip(*OHLC, strict=True))
    return make_bars(c, open=o, high=h, low=lo), o, h, lo


def _expected(o, h, lo):
    inside = [t >= 2 and h[t - 1] < h[t - 2] and lo[t - 1] > lo[t - 2] for t in range(len(o))]
    longs = [t for t in range(len(o)) if inside[t] and o[t] > h[t - 1]]
    shorts = [t for t in range(len(o)) if inside[t] and o[t] < lo[t - 1]]
    return longs, shorts


def test_the_open_after_an_inside_bar_decides_the_side():
    bars, o, h, lo = _bars()
    longs, shorts = _expected(o, h, lo)
    assert (longs, shorts) == ([2], [7])
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == longs
    assert signal_bars(sig.short_entry) == shorts


def test_fills_at_the_breaking_open_goes_short_and_max_hold_ends_trades():
    bars, o, _, _ = _bars()
    trades = trade(NAME, bars, max_hold=2).trades
    assert trades["direction"].to_list() == ["long", "short"]
    assert trades["exit_reason"].to_list() == ["max_hold", "max_hold"]
    assert trades["entry_price"].to_list() == [o[2], o[7]]
    entry = [np.datetime64(x, "ns") for x in trades["entry_time"].to_list()]
    exit_ = [np.datetime64(x, "ns") for x in trades["exit_time"].to_list()]
    assert entry == [bars.dates[2], bars.dates[7]]
    assert exit_ == [bars.dates[4], bars.dates[9]]  # held 2 bars each, out at the next open
