"""tv_rsi_ema: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.strategies import ParameterError, get_strategy

NAME = "tv_rsi_ema"
P = {"rsi_length": 3, "ma_length": 3, "ma2_length": 10, "ma2_type": "SMA"}


def _wilder_rsi(c, n):
    d = np.diff(np.asarray(c, dtype=float))
    out = np.full(len(c), np.nan)
    g, loss = np.maximum(d[:n], 0).mean(), np.maximum(-d[:n], 0).mean()
    for i in range(n, len(c)):
        if i > n:
            g = (g * (n - 1) + max(d[i - 1], 0)) / n
            loss = (loss * (n - 1) + max(-d[i - 1], 0)) / n
        out[i] = 100.0 - 100.0 / (1.0 + g / loss)  # no loss-free window in these bars
    return out


def _ema_from_one_close(c, n):
    c = np.asarray(c, dtype=float)
    out, a = np.full(len(c), np.nan), 2.0 / (n + 1)
    out[n - 1] = c[n - 1]
    for i in range(n, len(c)):
        out[i] = a * c[i] + (1 - a) * out[i - 1]
    return out


def _sma(c, n):
    c = np.asarray(c, dtype=float)
    return np.array([c[i - n + 1 : i + 1].mean() if i >= n - 1 else np.nan for i in range(len(c))])


def _spec(c, ma1, ma2, rsi_n=3, oversold=30, overbought=70):
    r = _wilder_rsi(c, rsi_n)
    guard = max(rsi_n, 3, 10) + 5  # bars loaded before the original signals at all
    t_ = [t for t in range(len(c)) if t + 1 >= guard]
    buys = [t for t in t_ if r[t] < oversold and ma1[t] > ma2[t]]
    sells = [t for t in t_ if r[t] > overbought and t not in buys]
    return buys, sells


# A flat start, a steady climb (MA1 above MA2), a sharp two-bar dip (RSI under 30), a rally.
CLOSE = [100, 99, 100, 99, 100, 99, 103, 107, 111, 115, 119, 123, 127, 131, 123, 116, 121, 127]
CLOSE += [133, 137, 134]


def test_oversold_in_an_uptrend_buys_and_overbought_sells():
    buys, sells = _spec(CLOSE, _ema_from_one_close(CLOSE, 3), _sma(CLOSE, 10))
    assert buys == [15] and sells == [18, 19]  # bars 6-13 are overbought too, inside the guard
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, make_bars(CLOSE), **P)
    assert res.trades.height == 1
    row = res.trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"]) == (CLOSE[16], CLOSE[19])


def test_both_averages_as_sma():
    buys, sells = _spec(CLOSE, _sma(CLOSE, 3), _sma(CLOSE, 10))
    sig = signals_of(NAME, make_bars(CLOSE), **P, ma_type="SMA")
    assert signal_bars(sig.long_entry) == buys == [15]
    assert signal_bars(sig.long_exit) == sells


def test_near_miss_rsi_just_above_the_level():
    buys, _ = _spec(CLOSE, _ema_from_one_close(CLOSE, 3), _sma(CLOSE, 10), oversold=29)
    assert buys == []  # RSI bottoms at 29.4
    sig = signals_of(NAME, make_bars(CLOSE), **P, rsi_oversold=29)
    assert signal_bars(sig.long_entry) == []


def test_an_unknown_average_kind_is_refused_naming_the_field():
    with pytest.raises(ParameterError) as err:
        get_strategy(NAME)(ma2_type="WMA")
    assert err.value.field == "params.ma2_type"
