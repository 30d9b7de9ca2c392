"""tv_tendency_ema_rsi: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_tendency_ema_rsi"
P = {"ema_period": 5, "rsi_period": 3, "signal_window": 3}


def _wilder_rsi(c, n):
    d = np.diff(np.asarray(c, dtype=float))
    out = np.full(len(c), np.nan)
    g, loss = np.maximum(d[:n], 0).mean(), np.maximum(-d[:n], 0).mean()
    for i in range(n, len(c)):
        if i > n:
            g = (g * (n - 1) + max(d[i - 1], 0)) / n
            loss = (loss * (n - 1) + max(-d[i - 1], 0)) / n
        out[i] = 100.0 * g / (g + loss)
    return out


def _ema(x, n):
    out, a = np.empty(len(x)), 2.0 / (n + 1)
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = a * x[i] + (1 - a) * out[i - 1]
    return out


def _spec(c, k, oversold=30, overbought=70):
    r, e = _wilder_rsi(c, 3), _ema(np.asarray(c, dtype=float), 5)
    t_ = [t for t in range(len(c)) if t - k + 1 >= 3]  # k defined RSI values
    buys = [t for t in t_ if c[t] > e[t] and min(r[t - k + 1 : t + 1]) < oversold]
    sells = [t for t in t_ if c[t] < e[t] and max(r[t - k + 1 : t + 1]) > overbought]
    return buys, sells


# A climb, a sharp two-bar dip (RSI under 30 with the close under the EMA), a recovery above the
# EMA two bars later (buy), a rally (RSI over 70), a drop under the EMA (sell).
CLOSE = [100, 101, 102, 103, 104, 105, 106, 107, 102, 98, 101, 106, 108, 110, 113, 117, 122]
CLOSE += [120, 114, 110, 108]


def test_close_back_above_the_ema_after_an_oversold_rsi_buys():
    buys, sells = _spec(CLOSE, 3)
    assert buys == [11] and sells == [8, 9, 18, 19]
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, make_bars(CLOSE), **P)
    assert res.trades.height == 1
    row = res.trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"]) == (CLOSE[12], CLOSE[19])


def test_near_miss_the_original_same_bar_rule():
    # signal_window 1 is the original's rule: RSI oversold and the close above the EMA on the
    # same bar, which these bars (like the sample data) never show.
    buys, _ = _spec(CLOSE, 1)
    assert buys == []
    sig = signals_of(NAME, make_bars(CLOSE), **P | {"signal_window": 1})
    assert signal_bars(sig.long_entry) == []
