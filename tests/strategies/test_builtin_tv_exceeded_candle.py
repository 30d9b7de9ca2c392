"""tv_exceeded_candle: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_exceeded_candle"
P = {"length": 3, "mult": 1.0}


def _spec(o, c, n, mult):
    """The catalogue's statement with k = t-1 (computed on bars 0..t-1 only)."""
    basis, upper = np.full(len(c), np.nan), np.full(len(c), np.nan)
    for i in range(n - 1, len(c)):
        w = np.asarray(c[i - n + 1 : i + 1], dtype=float)
        basis[i], upper[i] = w.mean(), w.mean() + mult * w.std()
    buys, sells = [], []
    for t in range(1, len(c)):
        k = t - 1
        pattern = t >= 4 and c[k - 1] < o[k - 1] and c[k] > o[k] and c[k] > o[k - 1]
        if pattern and c[k] < basis[k] and not (o[k - 2] > c[k - 2] and o[k - 3] > c[k - 3]):
            buys.append(t)
        elif c[k] > upper[k]:
            sells.append(t)
    return buys, sells


# Bar 3 green, bar 4 red, bar 5 red (101 -> 99.5), bar 6 green closing at 101.2: above bar 5's
# open, under the 3-bar basis 101.57; acted on at bar 7. Then a rally above the upper band.
OPEN = [100, 100, 100, 102, 105, 101, 99.4, 101, 101.5, 104, 107]
CLOSE = [100, 100, 102, 105, 104, 99.5, 101.2, 101.5, 104, 107, 108]


def test_green_candle_exceeding_the_red_open_buys_a_bar_later_and_the_upper_band_sells():
    buys, sells = _spec(OPEN, CLOSE, 3, 1.0)
    assert buys == [7] and sells == [3, 4, 9, 10]  # 3, 4: bars 2, 3 closed above the band
    sig = signals_of(NAME, make_bars(CLOSE, open=OPEN), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells


def test_near_miss_two_red_candles_before_the_red_one():
    o = list(OPEN)
    o[3] = 106  # bar 3 red too (106 -> 105): bars k-2 = 4 and k-3 = 3 both red
    buys, _ = _spec(o, CLOSE, 3, 1.0)
    assert buys == []
    assert signal_bars(signals_of(NAME, make_bars(CLOSE, open=o), **P).long_entry) == []
