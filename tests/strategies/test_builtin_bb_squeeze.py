"""bb_squeeze: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "bb_squeeze"
P = {"bb_period": 5, "squeeze_lookback": 10, "squeeze_pctile": 10.0}


def _spec(close: list[float], n: int, k: float, lookback: int, pctile: float):
    """The catalogue's statement, bar by bar: population-std bands, bandwidth, its percentile over
    the last ``lookback`` values (the current one included), rules on close[t-1] vs Upper[t-1]."""
    c = np.asarray(close)
    upper = np.full(len(c), np.nan)
    bw = np.full(len(c), np.nan)
    for i in range(n - 1, len(c)):
        w = c[i - n + 1 : i + 1]
        mid, sd = w.mean(), w.std()
        upper[i] = mid + k * sd
        bw[i] = 2 * k * sd / mid
    longs, shorts = [], []
    for t in range(1, len(c)):
        win = bw[t - lookback + 1 : t + 1] if t >= lookback - 1 else np.array([np.nan])
        if np.isnan(win).any() or np.isnan(upper[t - 1]):
            continue
        squeeze = 100 * np.sum(win <= bw[t]) / lookback <= pctile
        if c[t - 1] > upper[t - 1]:
            (longs if squeeze else shorts).append(t)
    return longs, shorts


# 20 choppy bars (wide bands), a steady climb (narrowing bandwidth, each close above a 1-sd upper
# band), then a jump that widens the bands.
CHOP = [100.0 + (3.0 if i % 2 else -3.0) for i in range(20)]
CLIMB = [100.0 + 0.5 * i for i in range(1, 16)]
CLOSE = CHOP + CLIMB + [CLIMB[-1] + 6.0, CLIMB[-1] + 6.5, CLIMB[-1] + 7.0]


def test_an_upper_band_close_buys_in_a_squeeze_and_shorts_outside_it():
    bars = make_bars(CLOSE)
    sig = signals_of(NAME, bars, bb_std=1.0, **P)
    longs, shorts = _spec(CLOSE, 5, 1.0, 10, 10.0)
    # A linear climb closes 2 steps above its 5-bar mean, 1 sd is 1.41 steps: above the band,
    # and the bandwidth shrinks bar after bar, so each new one is the window's lowest.
    assert longs and all(20 < t < 36 for t in longs)
    assert 36 in shorts  # the bar after the jump: the bands have widened, no squeeze
    assert signal_bars(sig.long_entry) == longs
    assert signal_bars(sig.short_entry) == shorts
    assert signal_bars(sig.long_exit) == shorts


def test_near_miss_a_wider_band_keeps_the_climb_inside():
    # 1.5 sd is 2.12 steps: the climb's close (2 steps above the mean) stays under the band.
    bars = make_bars(CLOSE)
    sig = signals_of(NAME, bars, bb_std=1.5, **P)
    longs, _ = _spec(CLOSE, 5, 1.5, 10, 10.0)
    assert longs == [] and signal_bars(sig.long_entry) == []


def test_it_really_opens_a_short():
    res = trade(NAME, make_bars(CLOSE), bb_std=1.0, **P)
    # The long from the climb is reversed into a short at the open after the jump's signal.
    assert res.trades["direction"].to_list() == ["long"]
    assert res.trades["exit_reason"].to_list() == ["reversal"]
    assert res.open_positions["direction"].to_list() == ["short"]
