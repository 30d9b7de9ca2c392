"""tv_keltner_trend: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, ema, prev

NAME = "tv_keltner_trend"
P = {"ema_length": 5, "atr_length": 3, "multiplier": 1.0}

# Quiet bars at 100, a breakout to 104, a drift, then a break down to 96.
CLOSE = [100, 100.4, 100, 100.4, 100, 100.4, 100, 104, 105, 105.5, 105, 104, 102, 96, 95, 95]
OPEN = CLOSE[:1] + CLOSE[:-1]
HIGH = [max(o, c) + 0.3 for o, c in zip(OPEN, CLOSE, strict=True)]
LOW = [min(o, c) - 0.3 for o, c in zip(OPEN, CLOSE, strict=True)]


def _spec(close, n=5, m=3, k=1.0):
    """Catalogue: EMA_n basis; ATR = EMA_m of the true range from bar 1 (seeded with the mean of
    TR(1..m)); UPPER/LOWER = basis +/- k ATR; previous close compared with the current band."""
    c, h, lo = arr(close), arr(HIGH), arr(LOW)
    pc = prev(c)
    tr = np.maximum(h - lo, np.maximum(np.abs(h - pc), np.abs(lo - pc)))  # NaN at bar 0
    width = k * ema(tr, m)
    upper, lower = ema(c, n) + width, ema(c, n) - width
    buys = [t for t in range(1, len(c)) if c[t] > upper[t] and pc[t] <= upper[t]]
    sells = [t for t in range(1, len(c)) if c[t] < lower[t] and pc[t] >= lower[t]]
    return buys, sells


def _bars(close=CLOSE):
    return make_bars(close, open=OPEN, high=HIGH, low=LOW)


def test_a_break_above_the_upper_band_buys_and_a_break_below_the_lower_band_sells():
    buys, sells = _spec(CLOSE)
    # Bar 7's jump widens its own band; bars 8 and 9 both close over the current band with the
    # previous close under it (the catalogue's note: consecutive bars can both signal).
    assert buys == [8, 9] and sells == [13, 14]
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [_bars().dates[9], _bars().dates[14]]


def test_near_miss_a_rise_that_stays_inside_the_band():
    close = [*CLOSE[:7], 100.8, 101, 101.2, 101, 101, 100.8, 100.6, 100.5, 100.5]
    buys, _ = _spec(close)
    assert buys == []
    assert signal_bars(signals_of(NAME, _bars(close), **P).long_entry) == []
