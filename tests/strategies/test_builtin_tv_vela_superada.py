"""tv_vela_superada: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_vela_superada"
P = {"ema_length": 10, "rsi_length": 2}


def _wilder_rsi(c, n):
    d = np.diff(np.asarray(c, dtype=float))
    out = np.full(len(c), np.nan)
    g, loss = np.maximum(d[:n], 0).mean(), np.maximum(-d[:n], 0).mean()
    for i in range(n, len(c)):
        if i > n:
            g = (g * (n - 1) + max(d[i - 1], 0)) / n
            loss = (loss * (n - 1) + max(-d[i - 1], 0)) / n
        out[i] = 100.0 * g / (g + loss) if g + loss > 0 else 50.0
    return out


def _ema(x, n):
    x = np.asarray(x, dtype=float)
    out, a = np.empty(len(x)), 2.0 / (n + 1)
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = a * x[i] + (1 - a) * out[i - 1]
    return out


def _spec(o, c, ema_n=10, rsi_n=2):
    e, r = _ema(c, ema_n), _wilder_rsi(c, rsi_n)
    m = _ema(c, 12) - _ema(c, 26)
    guard = max(ema_n, rsi_n, 26) + 5  # bars loaded before the original signals at all
    return [
        t
        for t in range(2, len(c))
        if t + 1 >= guard
        and o[t - 1] > c[t - 1]  # a red candle ...
        and c[t] > o[t]  # ... overcome by a green one
        and c[t] > e[t - 1]
        and c[t - 1] > e[t - 1]
        and r[t - 1] < 65
        and m[t - 1] > m[t - 2]
    ]


# 20 flat bars, a steady climb, a down close (bar 32), a red candle that gaps up but closes
# under its open (bar 33), a green candle over it (bar 34: buy), then one more bar.
CLOSE = [100.0] * 20 + [101.0 + i for i in range(12)] + [110, 111, 113, 114]


def _open(close):
    o = close[:1] + close[:-1]  # each bar opens at the previous close ...
    o[33] = 112  # ... but bar 33 opens above its close 111
    return o


def test_green_candle_over_a_red_one_in_an_uptrend_buys():
    o = _open(CLOSE)
    buys = _spec(o, CLOSE)
    assert buys == [34]
    sig = signals_of(NAME, make_bars(CLOSE, open=o), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == []  # show_short off: the stop and target exit


def test_near_miss_the_candle_after_the_red_one_is_not_green():
    o = _open(CLOSE)
    o[34] = CLOSE[34]  # bar 34 gaps up to its close: a flat candle, not a green one
    assert _spec(o, CLOSE) == []
    sig = signals_of(NAME, make_bars(CLOSE, open=o), **P)
    assert signal_bars(sig.long_entry) == []


def test_take_profit_and_stop_loss_end_the_long():
    for last, reason, price in ((116, "take_profit", 113 * 1.012), (110, "stop_loss", 113 * 0.982)):
        close = [*CLOSE, last]
        res = trade(NAME, make_bars(close, open=_open(close)), **P)
        row = res.trades.row(0, named=True)
        # Filled at bar 35's open (113); bar 36 opens at 114 and reaches the target or the stop.
        assert row["entry_price"] == 113
        assert (row["exit_reason"], row["exit_price"]) == (reason, price)


def test_show_short_sells_the_mirror_pattern():
    # The buy case mirrored around 100: a red candle overcoming a green one in a downtrend.
    close = [200.0 - x for x in CLOSE]
    o = [200.0 - x for x in _open(CLOSE)]
    e, r = _ema(close, 10), _wilder_rsi(close, 2)
    m = _ema(close, 12) - _ema(close, 26)
    sells = [
        t
        for t in range(30, len(close))
        if o[t - 1] < close[t - 1]
        and close[t] < o[t]
        and close[t] < e[t - 1]
        and close[t - 1] < e[t - 1]
        and r[t - 1] > 35
        and m[t - 1] < m[t - 2]
    ]
    assert sells == [34]
    bars = make_bars(close, open=o)
    assert signal_bars(signals_of(NAME, bars, **P).long_exit) == []
    sig = signals_of(NAME, bars, **P, show_short=True)
    assert signal_bars(sig.long_exit) == sells and signal_bars(sig.long_entry) == []
