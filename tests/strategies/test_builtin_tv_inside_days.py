"""tv_inside_days: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_inside_days"

#        high  low   close
BARS = [
    (10.5, 9.5, 10.0),
    (10.6, 9.6, 10.1),
    (10.4, 9.4, 9.9),
    (10.8, 9.2, 9.6),
    (10.6, 9.4, 10.0),  # 4: inside bar 3
    (10.7, 9.8, 10.2),  # 5: entry (the bar after the inside day)
    (10.3, 9.5, 9.8),
    (10.3, 9.6, 10.0),  # 7: same high as bar 6: not inside (near miss)
    (10.9, 10.0, 10.8),  # 8: RSI(2) over 80 after two up closes: exit
    (11.6, 10.7, 11.5),  # 9: still overbought
    (11.7, 11.2, 11.4),
]


def _rsi(c, n):
    d = np.diff(np.asarray(c, dtype=float))
    out = [np.nan] * len(c)
    up, dn = np.mean(np.maximum(d[:n], 0)), np.mean(np.maximum(-d[:n], 0))
    for i in range(n, len(c)):
        if i > n:
            up = (up * (n - 1) + max(d[i - 1], 0)) / n
            dn = (dn * (n - 1) + max(-d[i - 1], 0)) / n
        out[i] = 100.0 if dn == 0 else 100 - 100 / (1 + up / dn)
    return out


def _expected(h, lo, c, n, level=80.0):
    r = _rsi(c, n)
    entry, exit_ = [], []
    for t in range(2, len(c)):
        if np.isnan(r[t]):
            continue
        if h[t - 1] < h[t - 2] and lo[t - 1] > lo[t - 2]:
            entry.append(t)
        elif r[t] > level:
            exit_.append(t)
    return entry, exit_


def test_buy_the_bar_after_an_inside_day_and_sell_an_overbought_rsi():
    h, lo, c = (list(x) for x in zip(*BARS, strict=True))
    expected = _expected(h, lo, c, 2)
    assert expected == ([5], [8, 9, 10])
    sig = signals_of(NAME, make_bars(c, high=h, low=lo), rsi_length=2)
    assert signal_bars(sig.long_entry) == expected[0]
    assert signal_bars(sig.long_exit) == expected[1]
