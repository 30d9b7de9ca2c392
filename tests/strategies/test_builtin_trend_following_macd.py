"""trend_following_macd: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "trend_following_macd"
P = {"ma_fast": 2, "ma_slow": 4, "macd_fast": 2, "macd_slow": 3, "macd_signal": 2, "atr_period": 2}

# Down, then a steady climb (EMA 2 > EMA 4 and MACD > signal: in), then a drop (both reverse).
CLOSE = [10.0, 9.8, 9.6, 9.4, 9.2, 9.0, 9.3, 9.7, 10.2, 10.8, 11.5, 12.3, 13.2, 12.0, 11.0, 10.5]


def _ema(x, n):
    """SMA-seeded EMA from the first valid value."""
    x = np.asarray(x, dtype=float)
    out = np.full(len(x), np.nan)
    start = int(np.flatnonzero(~np.isnan(x))[0])
    out[start + n - 1] = x[start : start + n].mean()
    for i in range(start + n, len(x)):
        out[i] = out[i - 1] + 2 / (n + 1) * (x[i] - out[i - 1])
    return out


def _expected(c):
    ef, es = _ema(c, 2), _ema(c, 4)
    m = _ema(c, 2) - _ema(c, 3)
    sig = _ema(m, 2)
    with np.errstate(invalid="ignore"):
        entry = (ef > es) & (m > sig)
        exit_ = (ef < es) | (m < sig)
    return np.flatnonzero(entry).tolist(), np.flatnonzero(exit_).tolist()


def _bars(low=None):
    c = np.array(CLOSE)
    return make_bars(c, high=c + 0.1, low=c - 0.1 if low is None else low)


def test_level_entry_while_both_trend_tests_hold_and_exit_when_either_reverses():
    entries, exits = _expected(CLOSE)
    assert entries[0] == 7 and 13 in exits
    assert pd.Series(entries).diff().dropna().eq(1).all()  # a level test: every bar of the climb
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, _bars(), **P, atr_stop_mult=10.0).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[8]
    assert (np.datetime64(row["exit_time"], "ns"), row["exit_reason"]) == (
        _bars().dates[14],
        "signal",
    )


def test_atr_trailing_stop_and_time_stop():
    c = np.array(CLOSE)
    low = c - 0.1
    low[10] = 9.0  # far under the highest high 10.9 - 2.5 x ATR(2): the trail ends the trade
    row = trade(NAME, _bars(low), **P).trades.row(0, named=True)
    assert (row["exit_reason"], np.datetime64(row["exit_time"], "ns")) == (
        "trailing_stop",
        _bars().dates[10],
    )
    row = trade(NAME, _bars(), **P, max_hold=3).trades.row(0, named=True)
    # filled at bar 8 (bar 1 held): decided at the close of bar 10, filled at bar 11's open
    assert (row["exit_reason"], np.datetime64(row["exit_time"], "ns")) == (
        "max_hold",
        _bars().dates[11],
    )
