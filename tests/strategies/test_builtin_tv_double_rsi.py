"""tv_double_rsi: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_double_rsi"
P = {"rsi_length": 3, "rsi_length_secondary": 5}


def _wilder_rsi(c, p):
    d = np.diff(np.asarray(c, dtype=float))
    out = np.full(len(c), np.nan)
    g, loss = np.maximum(d[:p], 0).mean(), np.maximum(-d[:p], 0).mean()
    for j in range(p, len(c)):
        if j > p:
            g = (g * (p - 1) + max(d[j - 1], 0)) / p
            loss = (loss * (p - 1) + max(-d[j - 1], 0)) / p
        out[j] = 50.0 if g == loss == 0 else 100.0 * g / (g + loss)
    return out


def _spec(c, p1, p2, os1=30.0, ob1=70.0, os2=35.0, ob2=65.0):
    r1, r2 = _wilder_rsi(c, p1), _wilder_rsi(c, p2)
    t_ = range(1, len(c))
    buys = [t for t in t_ if r1[t - 1] <= os1 < r1[t] and r2[t - 1] < os2]
    sells = [t for t in t_ if r1[t - 1] >= ob1 > r1[t] and r2[t - 1] > ob2]
    return buys, sells


# A slide (both RSIs deeply oversold), a bounce, a strong rally (both overbought), a dip.
CLOSE = [100, 101, 100, 98, 96, 94, 92, 90, 91.5, 93, 95, 98, 101, 104, 107, 106, 105, 104]
OPEN = CLOSE[:1] + CLOSE[:-1]  # each bar opens at the previous close


def _bars():
    return make_bars(CLOSE, open=OPEN)


def test_oversold_turn_buys_and_overbought_turn_sells():
    buys, sells = _spec(CLOSE, 3, 5)
    assert buys == [8] and sells == [16]
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, _bars(), **P, use_tp=False)
    assert res.trades["exit_reason"].to_list() == ["signal"]


def test_take_profit_ends_the_long():
    res = trade(NAME, _bars(), **P, tp_percent=3.0)
    row = res.trades.row(0, named=True)
    assert row["exit_reason"] == "take_profit"
    # Filled at bar 9's open (91.5); bar 10 opens at 93 and reaches 95: the target 94.245 fills.
    assert row["entry_price"] == 91.5
    assert row["exit_price"] == 91.5 * 1.03


def test_near_miss_the_secondary_rsi_not_depressed_enough():
    buys, _ = _spec(CLOSE, 3, 5, os2=5.0)
    assert buys == []
    sig = signals_of(NAME, _bars(), **P, secondary_oversold=5.0)
    assert signal_bars(sig.long_entry) == []
