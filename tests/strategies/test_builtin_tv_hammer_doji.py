"""tv_hammer_doji: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_hammer_doji"

#        open  high  low   close
BARS = [
    (10.0, 10.2, 9.8, 10.0),
    (10.0, 10.1, 9.7, 9.8),
    (9.8, 9.9, 9.5, 9.6),
    (9.5, 9.57, 9.0, 9.55),  # 3: hammer below the EMA
    (9.6, 9.7, 9.1, 9.65),  # 4: long lower wick, but the upper wick is a body long: near miss
    (9.7, 10.0, 9.7, 10.0),
    (10.0, 10.4, 10.0, 10.4),
    (10.6, 10.8, 10.4, 10.61),  # 7: doji above the EMA after an up close
    (10.6, 10.6, 10.45, 10.5),
    (10.5, 10.7, 10.3, 10.5),  # 9: doji above the EMA, but after a down close: near miss
    (10.5, 10.6, 10.4, 10.55),
    (10.55, 10.6, 10.4, 10.5),
]


def _expected(o, h, lo, c, n, bw=0.5, ww=2.0, dr=0.1):
    """The catalogue's rule written out, EMA seeded at the first close."""
    e = [c[0]]
    for x in c[1:]:
        e.append(e[-1] + 2 / (n + 1) * (x - e[-1]))
    out = []
    for t in range(len(c)):
        body, rng = abs(c[t] - o[t]), h[t] - lo[t]
        up, low = h[t] - max(o[t], c[t]), min(o[t], c[t]) - lo[t]
        hammer = rng > 0 and low > ww * body and up < bw * body and c[t] < e[t]
        doji = rng > 0 and body < dr * rng and c[t] > e[t] and t >= 2 and c[t - 1] > c[t - 2]
        if hammer or doji:
            out.append(t)
    return out


def _bars():
    o, h, lo, c = (list(x) for x in zip(*BARS, strict=True))
    return make_bars(c, open=o, high=h, low=lo), (o, h, lo, c)


def test_a_hammer_below_the_ema_or_a_doji_above_it_after_an_up_close():
    bars, cols = _bars()
    expected = _expected(*cols, 3)
    assert expected == [3, 7]
    assert signal_bars(signals_of(NAME, bars, ema_period=3).long_entry) == expected


def test_each_pattern_is_a_trade_closed_by_the_time_stop():
    bars, _ = _bars()
    trades = trade(NAME, bars, ema_period=3, max_hold_days=2).trades
    assert trades["exit_reason"].to_list() == ["max_hold", "max_hold"]
    entry = [np.datetime64(x, "ns") for x in trades["entry_time"].to_list()]
    exit_ = [np.datetime64(x, "ns") for x in trades["exit_time"].to_list()]
    assert entry == [bars.dates[4], bars.dates[8]]
    assert exit_ == [bars.dates[6], bars.dates[10]]  # bars 1-2 held, out at the next open
