"""tv_rsi_macd_combo: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_rsi_macd_combo"
P = {"rsi_length": 3, "macd_fast": 2, "macd_slow": 5, "macd_signal": 2}


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
    """Seeded with the mean of its first n defined values (the fix the catalogue names)."""
    x = np.asarray(x, dtype=float)
    out, a = np.full(len(x), np.nan), 2.0 / (n + 1)
    f = int(np.argmax(~np.isnan(x)))
    out[f + n - 1] = x[f : f + n].mean()
    for i in range(f + n, len(x)):
        out[i] = out[i - 1] + a * (x[i] - out[i - 1])
    return out


def _spec(c, rsi_n, fast, slow, signal, oversold=30, overbought=70):
    r = _wilder_rsi(c, rsi_n)
    line = _ema(c, fast) - _ema(c, slow)
    hist = line - _ema(line, signal)
    t_ = range(1, len(c))
    buys = [t for t in t_ if r[t - 1] <= oversold < r[t] and hist[t] > 0]
    sells = [t for t in t_ if r[t - 1] >= overbought > r[t] and hist[t] < 0]
    return buys, sells


# A flat start, a four-bar slide (RSI deep oversold), a sharp rebound (RSI back over 30 as the
# fast MACD turns up), a rally that stalls (overbought), then a break (RSI back under 70).
CLOSE = [100, 101, 100, 101, 100, 101, 100, 95, 90, 86, 89, 95, 100, 104, 107, 110, 112, 113]
CLOSE += [113.5, 110, 105, 104]


def test_oversold_turn_with_a_positive_histogram_buys_and_the_mirror_sells():
    buys, sells = _spec(CLOSE, 3, 2, 5, 2)
    assert buys == [10] and sells == [19]
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, make_bars(CLOSE), **P)
    assert res.trades.height == 1
    row = res.trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"]) == (CLOSE[11], CLOSE[20])


def test_near_miss_the_slower_macd_has_not_turned_yet():
    # The same RSI turn at bar 10, but a 3/6/4 MACD's histogram is still negative there.
    buys, _ = _spec(CLOSE, 3, 3, 6, 4)
    assert buys == []
    sig = signals_of(NAME, make_bars(CLOSE), rsi_length=3, macd_fast=3, macd_slow=6, macd_signal=4)
    assert signal_bars(sig.long_entry) == []
    assert sig.series["rsi"][9, 0] <= 30 < sig.series["rsi"][10, 0]
    assert sig.series["hist"][10, 0] < 0
