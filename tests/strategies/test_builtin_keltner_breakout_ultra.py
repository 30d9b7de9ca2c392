"""keltner_breakout_ultra: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "keltner_breakout_ultra"
P = {"atr_period": 2, "base_period": 3, "ema_fast": 2, "ema_slow": 3}


def _ema(c, n):
    out = [None] * len(c)
    out[n - 1] = sum(c[:n]) / n
    for i in range(n, len(c)):
        out[i] = out[i - 1] + 2 / (n + 1) * (c[i] - out[i - 1])
    return out


def _expected(h, lo, c, v, p, b, fast_n, slow_n, mult=4.0, vol_mult=1.3):
    """The rule written out: (entry bars, exit bars)."""
    tr = [h[0] - lo[0]] + [
        max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, len(c))
    ]
    atr = [None] * len(c)
    atr[p - 1] = sum(tr[:p]) / p
    for i in range(p, len(c)):
        atr[i] = (atr[i - 1] * (p - 1) + tr[i]) / p
    ef, es = _ema(c, fast_n), _ema(c, slow_n)
    entries, exits = [], []
    for t in range(max(b + 1, p, slow_n), len(c)):
        base = c[t - b : t]
        av = sum(v[t - b : t]) / b or 1.0
        entry = bool(
            max(base) - min(base) < mult * atr[t - 1]
            and ef[t - 1] > es[t - 1]
            and c[t] > max(base)
            and v[t] > vol_mult * av
        )
        entries += [t] * entry
        exits += [t] * bool(not entry and ef[t - 1] >= es[t - 1] and ef[t] < es[t])
    return entries, exits


# 10 breaks the 11.05 base on 2x volume; 12 breaks 11.6 on 1.2x volume only (near miss); the EMAs
# cross down at 13
CLOSE = [10, 10.2, 10.4, 10.6, 10.8, 11, 11, 11.05, 11, 11.05, 11.6, 11.6, 11.8, 10.5, 10, 9.5]
VOLUME = [1e6] * 10 + [2e6, 1e6, 1.2e6, 1e6, 1e6, 1e6]


def _bars():
    c = np.array(CLOSE)
    return make_bars(c, high=c + 0.2, low=c - 0.2, volume=VOLUME)


def test_breakout_above_a_tight_base_then_the_ema_cross_down_exit():
    c = np.array(CLOSE)
    entries, exits = _expected(list(c + 0.2), list(c - 0.2), CLOSE, VOLUME, 2, 3, 2, 3)
    assert entries == [10]
    assert exits[0] == 13
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[11]
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[14]


def test_no_entry_when_the_base_is_not_tight_enough():
    c = np.array(CLOSE)
    h, lo = list(c + 0.2), list(c - 0.2)
    # the base of bar 10 spans 0.05 and ATR(2) at bar 9 is 0.4: tight for 0.13 x ATR, not 0.12
    for mult, want in ((0.13, [10]), (0.12, [])):
        assert _expected(h, lo, CLOSE, VOLUME, 2, 3, 2, 3, mult=mult)[0] == want
        sig = signals_of(NAME, _bars(), **P, base_atr_mult=mult)
        assert signal_bars(sig.long_entry) == want
