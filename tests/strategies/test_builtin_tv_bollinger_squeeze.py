"""tv_bollinger_squeeze: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_bollinger_squeeze"
P = {"bb_length": 4, "kc_length": 4}


def _ema_first(x, n):
    out, a = np.empty(len(x)), 2.0 / (n + 1)
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = out[i - 1] + a * (x[i] - out[i - 1])
    return out


def _spec(h, lo, c, n, k, m, q):
    """The catalogue's indicators, written out: sample-std BB, EMA/EMA-of-TR Keltner (started at
    the first bar), squeeze on/off, and the OLS slope of close - EMA over the last n bars."""
    h, lo, c = (np.asarray(a, dtype=float) for a in (h, lo, c))
    prev = np.r_[np.nan, c[:-1]]
    tr = np.maximum(h - lo, np.maximum(abs(h - prev), abs(lo - prev)))
    tr[0] = h[0] - lo[0]
    kmid, katr = _ema_first(c, m), _ema_first(tr, m)
    dev = c - _ema_first(c, n)
    sqz = np.zeros(len(c), bool)
    mom = np.full(len(c), np.nan)
    for i in range(n - 1, len(c)):
        w = c[i - n + 1 : i + 1]
        up, dn = w.mean() + k * w.std(ddof=1), w.mean() - k * w.std(ddof=1)
        sqz[i] = dn > kmid[i] - q * katr[i] and up < kmid[i] + q * katr[i]
        mom[i] = np.polyfit(np.arange(n), dev[i - n + 1 : i + 1], 1)[0]
    released = [t for t in range(n, len(c)) if sqz[t - 1] and not sqz[t]]
    entries = [t for t in released if mom[t] > 0]
    exits = [t for t in range(len(c)) if mom[t] < 0]
    return entries, exits, released


# Quiet closes inside wide daily ranges (BB inside KC), then a run-up that widens the BB out of
# the channel, then a slide.
CLOSE = [100, 100.5, 100, 100.5, 100, 100.5, 100, 100.5, 100, 103, 106, 109, 110, 108, 105, 102]
HIGH = [x + 2 for x in CLOSE]
LOW = [x - 2 for x in CLOSE]


def test_a_squeeze_release_with_rising_momentum_buys_and_falling_momentum_sells():
    entries, exits, _ = _spec(HIGH, LOW, CLOSE, 4, 2.0, 4, 1.5)
    assert entries == [11]
    assert next(t for t in exits if t > 11) == 13
    sig = signals_of(NAME, make_bars(CLOSE, high=HIGH, low=LOW), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits


def test_near_miss_a_release_with_falling_momentum_does_not_buy():
    down = [200 - x for x in CLOSE[:12]]
    high, low = [x + 2 for x in down], [x - 2 for x in down]
    entries, _, released = _spec(high, low, down, 4, 2.0, 4, 1.5)
    assert released and entries == []
    sig = signals_of(NAME, make_bars(down, high=high, low=low), **P)
    assert signal_bars(sig.long_entry) == []
