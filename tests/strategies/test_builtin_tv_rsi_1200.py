"""tv_rsi_1200: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_rsi_1200"
P = {"rsi_length": 3, "ema_length": 12}


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


def _ema(c, n):
    c = np.asarray(c, dtype=float)
    out, a = np.full(len(c), np.nan), 2.0 / (n + 1)
    out[n - 1] = c[:n].mean()
    for i in range(n, len(c)):
        out[i] = out[i - 1] + a * (c[i] - out[i - 1])
    return out


def _spec(c, rsi_n, ema_n, oversold=28, overbought=72):
    r, e = _wilder_rsi(c, rsi_n), _ema(c, ema_n)
    t_ = range(ema_n + 2, len(c))  # the original's guard: ema_length + 3 bars loaded
    buys = [t for t in t_ if r[t - 1] <= oversold < r[t] and c[t - 1] > 1.01 * e[t - 1]]
    sells = [t for t in range(len(c)) if r[t] > overbought and t not in buys]
    return buys, sells


# A flat start, a surge (the EMA lags far below), a five-bar slide (RSI under 28 while the close
# stays over 1% above the EMA), a rebound (RSI crosses back up: buy) into a rally (overbought).
CLOSE = [100, 101] * 6 + [150, 200, 201, 200, 192, 185, 178, 172, 168, 173, 180, 190, 205, 220]
OPEN = CLOSE[:1] + CLOSE[:-1]


def test_oversold_turn_in_an_uptrend_buys_and_overbought_sells():
    buys, sells = _spec(CLOSE, 3, 12)
    assert buys == [21] and 23 in sells
    sig = signals_of(NAME, make_bars(CLOSE, open=OPEN), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, make_bars(CLOSE, open=OPEN), **P)
    assert res.trades.height == 1
    row = res.trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"], row["exit_reason"]) == (173, 190, "signal")


def test_near_miss_prior_close_not_above_the_faster_ema():
    # With a 6-bar EMA the close has fallen to the EMA by the slide's end: no uptrend, no buy.
    buys, _ = _spec(CLOSE, 3, 6)
    assert buys == []
    sig = signals_of(NAME, make_bars(CLOSE, open=OPEN), rsi_length=3, ema_length=6)
    assert signal_bars(sig.long_entry) == []


def test_stop_loss_ends_the_long():
    close = [*CLOSE[:22], 175, 160, 150]
    res = trade(NAME, make_bars(close, open=close[:1] + close[:-1]), **P, stop_loss_pct=5.0)
    row = res.trades.row(0, named=True)
    assert row["exit_reason"] == "stop_loss"
    assert row["entry_price"] == 173 and row["exit_price"] == 173 * 0.95


def test_show_long_off_never_buys():
    sig = signals_of(NAME, make_bars(CLOSE, open=OPEN), **P, show_long=False)
    assert signal_bars(sig.long_entry) == []


def test_show_short_also_sells_the_overbought_turn_below_the_ema():
    # A crash far under the EMA, a rebound (RSI over 70) that stays more than 1% under it, a
    # turn down: with show_short the turn (RSI crossing back under 70) is an exit too.
    close = [200, 201] * 6 + [170, 140, 139, 140, 150, 160, 166, 160, 155]
    r, e = _wilder_rsi(close, 3), _ema(close, 12)
    ob = 70
    turns = [
        t for t in range(14, len(close)) if r[t - 1] >= ob > r[t] and close[t - 1] < 0.99 * e[t - 1]
    ]
    plain = [t for t in range(len(close)) if r[t] > ob]
    assert turns == [19] and 19 not in plain
    bars = make_bars(close)
    off = signals_of(NAME, bars, **P, rsi_overbought=ob)
    on = signals_of(NAME, bars, **P, rsi_overbought=ob, show_short=True)
    assert signal_bars(off.long_exit) == plain
    assert signal_bars(on.long_exit) == sorted(plain + turns)
