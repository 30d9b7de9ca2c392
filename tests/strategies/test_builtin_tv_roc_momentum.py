"""tv_roc_momentum: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_roc_momentum"
P = {"roc_length": 2, "signal_length": 3}


def _spec(c, r, s):
    c = np.asarray(c, dtype=float)
    roc = np.full(len(c), np.nan)
    roc[r:] = (c[r:] / c[:-r] - 1.0) * 100.0
    sig = np.full(len(c), np.nan)
    for i in range(r + s - 1, len(c)):
        sig[i] = roc[i - s + 1 : i + 1].mean()
    t_ = range(1, len(c))
    buys = [t for t in t_ if roc[t - 1] <= sig[t - 1] and roc[t] > sig[t] and roc[t] > 0]
    sells = [t for t in t_ if roc[t - 1] >= sig[t - 1] and roc[t] < sig[t] and roc[t] < 0]
    return buys, sells


# A slide, a turn up (ROC jumps over its average and above 0), a climb that fades (ROC falls
# under its average while still positive: no sell), a plateau, an uptick, then a drop (ROC falls
# under its average and below 0: sell).
CLOSE = [100, 99, 98, 97, 96, 95, 97, 100, 103, 105, 105, 105, 105, 105.5, 102, 99, 98]
# The same turn, too weak: ROC crosses its average while still negative (no buy).
WEAK = [100, 99, 98, 97, 96, 95, 94.5, 94.3, 94.2, 94.1]


def test_cross_up_while_positive_buys_and_cross_down_while_negative_sells():
    buys, sells = _spec(CLOSE, 2, 3)
    assert buys == [6, 13] and sells == [14]  # the buy at 13 comes while long
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, make_bars(CLOSE), **P)
    assert res.trades.height == 1
    row = res.trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    assert np.datetime64(row["entry_time"], "ns") == make_bars(CLOSE).dates[7]
    assert np.datetime64(row["exit_time"], "ns") == make_bars(CLOSE).dates[15]


def test_near_miss_cross_up_while_roc_is_still_negative():
    roc_above_sig = _spec(WEAK, 2, 3)
    assert roc_above_sig == ([], [])
    c = np.asarray(WEAK)
    roc = (c[2:] / c[:-2] - 1) * 100
    assert (roc < 0).all()  # it does cross its average (bar 7) but below zero
    sig = signals_of(NAME, make_bars(WEAK), **P)
    assert signal_bars(sig.long_entry) == []
    np.testing.assert_allclose(sig.series["roc"][2:, 0], roc)
