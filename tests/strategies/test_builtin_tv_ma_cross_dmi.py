"""tv_ma_cross_dmi: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, ema, prev, sma, wilder_dmi

NAME = "tv_ma_cross_dmi"
P = {"ma1_length": 3, "ma2_length": 6, "dmi_length": 3, "adx_smoothing": 3}

# A slide, a strong rally (fast EMA crosses over the slow, ADX high, +DI leading), a drop.
CLOSE = [110, 109, 108, 107, 106, 105, 104, 103, 102, 104, 106, 108, 110, 112, 114, 113, 110]
CLOSE += [106, 103, 100, 98]
OPEN = CLOSE[:1] + CLOSE[:-1]
HIGH = [max(o, c) + 0.5 for o, c in zip(OPEN, CLOSE, strict=True)]
LOW = [min(o, c) - 0.5 for o, c in zip(OPEN, CLOSE, strict=True)]


def _ma(kind, c, n):
    return ema(c, n, seed="first") if kind == "EMA" else sma(c, n)


def _spec(close, low=LOW, key=23.0, n1=3, n2=6, kinds=("EMA", "EMA")):
    """Catalogue: the cross seen on bar t-1 (MA1 over MA2 at t-1, not at t-2); Ava's DMI filter
    on bar t-1 (ADX above key_level, +DI above -DI); the cross down exits."""
    c = arr(close)
    f, s = _ma(kinds[0], c, n1), _ma(kinds[1], c, n2)
    plus, minus, adx = wilder_dmi(HIGH, low, c, 3, 3)
    f1, s1, f2, s2 = prev(f), prev(s), prev(f, 2), prev(s, 2)
    p1, m1, a1 = prev(plus), prev(minus), prev(adx)
    t_ = range(len(c))
    buys = [t for t in t_ if f1[t] > s1[t] and f2[t] <= s2[t] and a1[t] > key and p1[t] > m1[t]]
    sells = [t for t in t_ if f1[t] < s1[t] and f2[t] >= s2[t]]
    return buys, sells


def _bars(close=CLOSE, low=LOW):
    return make_bars(close, open=OPEN, high=HIGH, low=low)


def test_the_cross_up_in_a_strong_dmi_trend_buys_a_bar_late_and_the_cross_down_sells():
    buys, sells = _spec(CLOSE)
    assert buys == [11] and sells == [2, 18]  # bar 2: the first-close-seeded EMAs part
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [_bars().dates[12], _bars().dates[19]]


def test_sma_types_and_the_adx_key_level_change_the_entries():
    buys, _ = _spec(CLOSE, kinds=("SMA", "SMA"))
    sig = signals_of(NAME, _bars(), **P, ma1_type="SMA", ma2_type="x")
    assert signal_bars(sig.long_entry) == buys != []
    # Near miss: the same cross with ADX under a key level of 90 does not buy.
    assert _spec(CLOSE, key=90.0)[0] == []
    assert signal_bars(signals_of(NAME, _bars(), **P, key_level=90.0).long_entry) == []


def test_the_optional_stop_ends_the_long():
    low = list(LOW)
    low[13] = 100.0  # bar 13 dips to 100: more than 5% under the fill at bar 12's open (108)
    res = trade(NAME, _bars(low=low), **P, use_stop_loss=True, stop_loss_pct=5.0)
    row = res.trades.row(0, named=True)
    assert (row["exit_reason"], row["entry_price"]) == ("stop_loss", 108.0)
    assert abs(row["exit_price"] - 108.0 * 0.95) < 1e-9
