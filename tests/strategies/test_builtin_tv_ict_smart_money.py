"""tv_ict_smart_money: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_ict_smart_money"


def _expected(o, h, lo, c, k):
    """The design walked bar by bar: swings known k bars late, the structure trend they set, and
    the fair value gap / order block triggers."""
    highs, lows, trend = [], [], 0
    entry, exit_, bull_bars, trends = [], [], [], []
    for t in range(len(c)):
        i = t - k
        if i >= k:
            if all(h[i] > h[j] for j in range(i - k, t + 1) if j != i):
                prev = max(highs[-2:]) if len(highs) >= 2 else 0.0
                trend = 1 if h[i] > prev else -1
                highs.append(h[i])
            if all(lo[i] < lo[j] for j in range(i - k, t + 1) if j != i):
                prev = min(lows[-2:]) if len(lows) >= 2 else np.inf
                trend = -1 if lo[i] < prev else 1
                lows.append(lo[i])
        trends.append(trend)
        if t < 2:
            continue
        up1, down1 = c[t - 1] > o[t - 1], c[t - 1] < o[t - 1]
        bull = (lo[t] > h[t - 2] and up1) or (down1 and c[t] > o[t] and c[t] > h[t - 1])
        bear = (h[t] < lo[t - 2] and down1) or (up1 and c[t] < o[t] and c[t] < lo[t - 1])
        if bull:
            bull_bars.append(t)
        if trend == 1 and bull:
            entry.append(t)
        elif trend == -1 and bear:
            exit_.append(t)
    return entry, exit_, bull_bars, trends


# zigzag closes; each bar opens halfway from the previous close, so swings are strict
CLOSE = [10, 11, 10, 11.5, 10.5, 12, 11, 11.8, 13, 12, 11, 10, 9, 9.5, 8.5, 8.2, 9.8, 9.0]


def _bars(close=CLOSE):
    c = np.array(close, dtype=float)
    o = (np.r_[c[0], c[:-1]] + c) / 2
    return make_bars(c, open=o, high=np.maximum(o, c) + 0.1, low=np.minimum(o, c) - 0.1)


def test_triggers_count_only_in_the_structure_trend_from_confirmed_swings():
    bars = _bars()
    cols = (bars.open[:, 0], bars.high[:, 0], bars.low[:, 0], bars.close[:, 0])
    entry, exit_, bull_bars, trends = _expected(*cols, 1)
    assert (entry, exit_) == ([7, 8], [13, 14, 15])
    # bullish triggers at 3, 5, 16 and 17 come while the structure is down: near misses
    assert bull_bars == [3, 5, 7, 8, 16, 17] and [trends[t] for t in (3, 5, 16, 17)] == [-1] * 4
    sig = signals_of(NAME, bars, swing_length=1)
    assert signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_
    off = signals_of(NAME, bars, swing_length=1, fvg_enabled=False, ob_enabled=False)
    assert not off.long_entry.any() and not off.long_exit.any()
