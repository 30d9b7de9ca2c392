"""keltner_breakout_fast: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "keltner_breakout_fast"
P = {"atr_period": 2, "base_period": 3, "ema_fast": 2, "ema_slow": 3, "max_hold": 3}


def _ema(c, n):
    out = [None] * len(c)
    out[n - 1] = sum(c[:n]) / n
    for i in range(n, len(c)):
        out[i] = out[i - 1] + 2 / (n + 1) * (c[i] - out[i - 1])
    return out


def _expected(h, lo, c, v, p, b, fast_n, slow_n, mult=4.0, vol_mult=1.3):
    """The rule written out, base windows lagged one bar (they end at t-2)."""
    tr = [h[0] - lo[0]] + [
        max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, len(c))
    ]
    atr = [None] * len(c)
    atr[p - 1] = sum(tr[:p]) / p
    for i in range(p, len(c)):
        atr[i] = (atr[i - 1] * (p - 1) + tr[i]) / p
    ef, es = _ema(c, fast_n), _ema(c, slow_n)
    out = []
    for t in range(max(b + 1, p, slow_n), len(c)):
        base = c[t - 1 - b : t - 1]
        if (
            max(base) - min(base) < mult * atr[t - 1]
            and ef[t - 1] > es[t - 1]
            and c[t] > max(base)
            and v[t] > vol_mult * sum(v[t - 1 - b : t - 1]) / b
        ):
            out.append(t)
    return out


# bar 10 closes below bar 9 but above the lagged base (bars 6..8): it fires; bar 12 breaks out on
# 1.2x volume only (near miss)
CLOSE = [10, 10.2, 10.4, 10.6, 10.8, 11, 11, 11.05, 11, 11.5, 11.3, 11.3, 12, 12, 12, 12, 12]
VOLUME = [1e6] * 10 + [2e6, 1e6, 1.2e6, 1e6, 1e6, 1e6, 1e6]


def _bars():
    c = np.array(CLOSE)
    return make_bars(c, high=c + 0.2, low=c - 0.2, volume=VOLUME)


def test_breakout_above_the_lagged_tight_base_on_volume():
    c = np.array(CLOSE)
    expected = _expected(list(c + 0.2), list(c - 0.2), CLOSE, VOLUME, 2, 3, 2, 3)
    assert expected == [10]
    assert signal_bars(signals_of(NAME, _bars(), **P).long_entry) == expected


def test_max_hold_ends_the_trade():
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[11]
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[14]
