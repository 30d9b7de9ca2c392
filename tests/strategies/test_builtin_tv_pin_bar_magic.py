"""tv_pin_bar_magic: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, ema, prev, sma, wilder_atr

NAME = "tv_pin_bar_magic"
P = {"sma_slow": 20, "ema_medium": 10, "ema_fast": 3, "atr_period": 5}

# A steady climb (fan up), then bar 30: a bullish pin that dips through the fast EMA and closes
# back above it; a few more up bars, then a slide (the fast EMA re-crosses the medium one).
N = 30
CLOSE = [100 + 0.5 * i for i in range(N)] + [114.7, 115.2, 115.6, 115.9, 115.0, 113.8, 112.5, 111.5]
OPEN = CLOSE[:1] + CLOSE[:-1]
OPEN[N] = 114.6
HIGH = [max(o, c) + 0.1 for o, c in zip(OPEN, CLOSE, strict=True)]
LOW = [min(o, c) - 0.1 for o, c in zip(OPEN, CLOSE, strict=True)]
LOW[N] = 113.0  # a long lower wick: open - low = 1.6 > 0.66 x range 1.8


def _spec(o, h, lo, c, r=0.66):
    """Catalogue: fan and pierce on bar t-1's averages, the pin on bar t; Ava's exits: FAST crossing
    under MED, or the bearish mirror setup."""
    o, h, lo, c = arr(o), arr(h), arr(lo), arr(c)
    slow, med, fast = sma(c, 20), ema(c, 10), ema(c, 3)
    f1, m1, s1 = prev(fast), prev(med), prev(slow)
    rng = h - lo
    bull = ((c > o) & (o - lo > r * rng)) | ((c < o) & (c - lo > r * rng))
    buys = []
    for t in range(len(c)):
        fan = f1[t] > m1[t] > s1[t]
        pierce = any(lo[t] < m < o[t] and c[t] > m for m in (f1[t], m1[t], s1[t]))
        if fan and bull[t] and pierce:
            buys.append(t)
    recross = [t for t in range(1, len(c)) if f1[t] >= m1[t] and fast[t] < med[t]]
    return buys, recross


def _bars(low=LOW, close=CLOSE):
    return make_bars(close, open=OPEN[: len(close)], high=HIGH[: len(close)], low=low)


def test_a_bullish_pin_through_the_fast_ema_in_a_rising_fan_buys_and_the_recross_sells():
    buys, recross = _spec(OPEN, HIGH, LOW, CLOSE)
    assert buys == [N] and recross == [N + 6]
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == recross
    row = trade(NAME, _bars(), **P, atr_mult=3.0).trades.row(0, named=True)  # a stop out of reach
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [_bars().dates[N + 1], _bars().dates[N + 7]]


def test_near_miss_a_short_lower_wick_is_no_pin():
    low = list(LOW)
    high = list(HIGH)
    low[N], high[N] = 113.9, 115.6  # still through the fast EMA, but the wick 0.7 < 0.66 x 1.7
    assert _spec(OPEN, high, low, CLOSE)[0] == []
    bars = make_bars(CLOSE, open=OPEN, high=high, low=low)
    assert signal_bars(signals_of(NAME, bars, **P).long_entry) == []


def test_the_atr_stop_under_the_pin_ends_the_long():
    close = [*CLOSE[: N + 1], 114.0, 112.0, 111.0]
    low = [*LOW[: N + 1], 113.9, 111.5, 110.8]
    atr = wilder_atr(HIGH[: N + 1], LOW[: N + 1], CLOSE[: N + 1], 5)[N]
    stop = OPEN[N + 1] - (CLOSE[N] - (LOW[N] - 0.5 * atr))  # the pin's low - 0.5 ATR, from the fill
    row = trade(NAME, _bars(low=low, close=close), **P).trades.row(0, named=True)
    assert (row["exit_reason"], row["entry_price"]) == ("stop_loss", OPEN[N + 1])
    assert abs(row["exit_price"] - stop) < 1e-9
