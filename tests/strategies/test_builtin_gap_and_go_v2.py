"""gap_and_go_v2: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "gap_and_go_v2"
P = {"vol_sma_period": 2, "atr_period": 2, "max_hold": 2}

# bar 4: 3% gap on 4e6; bar 7: a gap of exactly 2% (strict: near miss); bar 10: 3% gap on 1.5e6
OPEN = [100, 100, 100, 100, 103, 104, 101, 102, 102, 100, 103, 103, 103]
CLOSE = [100, 100, 100, 100, 104, 102, 100, 102, 102, 100, 103, 103, 103]
VOLUME = [1e6] * 4 + [4e6, 1e6, 1e6, 4e6, 1e6, 1e6, 1.5e6, 1e6, 1e6]


def _expected(o, c, v, n, lo=0.02, hi=0.08, mult=1.5):
    va = [None] * len(v)
    va[n - 1] = sum(v[:n]) / n
    for i in range(n, len(v)):
        va[i] = (va[i - 1] * (n - 1) + v[i]) / n
    return [
        t
        for t in range(n, len(c))
        if lo < (o[t] - c[t - 1]) / c[t - 1] < hi and v[t] > mult * va[t]
    ]


def _bars():
    return make_bars(CLOSE, open=OPEN, volume=VOLUME)


def test_entry_is_a_gap_up_day_on_volume():
    expected = _expected(OPEN, CLOSE, VOLUME, 2)
    assert expected == [4]
    assert signal_bars(signals_of(NAME, _bars(), **P).long_entry) == expected


def test_atr_stop_below_the_fill():
    # ATR(2) at bar 4 = (0 + 4) / 2 = 2; stop 1.5 x 2 under the fill at 104; bar 6 opens at 101
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert (row["entry_price"], row["exit_reason"], row["exit_price"]) == (104, "stop_loss", 101)


def test_max_hold_ends_the_trade():
    row = trade(NAME, _bars(), **P, atr_stop_mult=10.0).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[7]  # held bars 5 and 6
