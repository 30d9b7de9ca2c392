"""tv_macd_rsi: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, ema, prev, wilder_rsi

NAME = "tv_macd_rsi"
P = {"fast_length": 2, "slow_length": 4, "signal_length": 2, "rsi_length": 3, "rsi_back_candles": 3}
WIDE = {"stop_loss_pct": 50.0, "take_profit_pct": 500.0}

# A slide (RSI oversold), a turn up (MACD crosses its signal), a rally (RSI overbought), a turn.
CLOSE = [100, 100.5, 100, 99, 97, 95, 93, 91, 90, 91, 93, 96, 99, 102, 105, 107, 106, 103, 100]
CLOSE += [98, 97]


def _spec(close, k=3, os_=30.0, ob=70.0):
    """Catalogue: SMA-seeded EMAs (the signal EMA over the MACD's defined part); the cross seen on
    bar t-1; the RSI condition on any of bars t-1..t-k; the mirror exit (Ava)."""
    c = arr(close)
    line = ema(c, 2) - ema(c, 4)
    sig = ema(line, 2)
    r = wilder_rsi(c, 3)
    l1, s1, l2, s2 = prev(line), prev(sig), prev(line, 2), prev(sig, 2)

    def seen(test, t):
        return any(test(r[t - i]) for i in range(1, k + 1) if t - i >= 0)

    t_ = range(len(c))
    buys = [t for t in t_ if l2[t] <= s2[t] and l1[t] > s1[t] and seen(lambda x: x <= os_, t)]
    sells = [t for t in t_ if l2[t] >= s2[t] and l1[t] < s1[t] and seen(lambda x: x >= ob, t)]
    return buys, [t for t in sells if t not in buys]


def _bars(close=CLOSE):
    return make_bars(close, open=close[:1] + close[:-1])  # each bar opens at the previous close


def test_a_cross_up_after_an_oversold_rsi_buys_and_the_mirror_sells():
    buys, sells = _spec(CLOSE)
    assert buys == [9] and sells == [17]
    sig = signals_of(NAME, _bars(), **P, **WIDE)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, _bars(), **P, **WIDE).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [_bars().dates[10], _bars().dates[18]]


def test_near_miss_crosses_up_after_an_rsi_that_only_dips_to_33():
    close = [100, 100.5, 100, 100.5, 99.8, 100.3, 99.6, 100.1, 99.4, 99.9, 99.2, 99.7, 100.5]
    close += [101.5, 102.5]
    assert _spec(close, os_=50.0)[0] == [6, 8, 10, 12]  # the crosses are there
    assert _spec(close)[0] == []
    assert signal_bars(signals_of(NAME, _bars(close), **P).long_entry) == []


def test_the_default_stop_and_target_end_the_long():
    # Filled at bar 10's open (91): the 10% target 100.1 is inside bar 13 (99 -> 102).
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert (row["exit_reason"], row["entry_price"]) == ("take_profit", 91.0)
    assert abs(row["exit_price"] - 91.0 * 1.10) < 1e-9
    close = [*CLOSE[:10], 90, 89]  # bar 10 (91 -> 90) crosses the 0.99% stop at 90.0991
    row = trade(NAME, _bars(close), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "stop_loss"
    assert abs(row["exit_price"] - 91.0 * (1 - 0.0099)) < 1e-9
