"""tv_vwap_strategy: its rule on hand-made bars, and its VWAP rolling (not anchored at the data
start) (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_vwap_strategy"
P = {"ema_length": 3, "vwap_length": 3}


def _expected(close, high, low, volume, ema_length, vwap_length):
    """VWAP = sum TP x volume / sum volume over the last vwap_length bars; EMA SMA-seeded (the
    mean of the first n closes at bar n-1, then alpha = 2/(n+1)). Buy a close crossing above the
    VWAP while above the EMA; sell a close crossing below it while below the EMA."""
    c, v = pd.Series(close, dtype=float), pd.Series(volume, dtype=float)
    tp = (pd.Series(high, dtype=float) + pd.Series(low, dtype=float) + c) / 3
    vwap = (tp * v).rolling(vwap_length).sum() / v.rolling(vwap_length).sum()
    ema = [np.nan] * len(c)
    a = 2 / (ema_length + 1)
    ema[ema_length - 1] = c[:ema_length].mean()
    for i in range(ema_length, len(c)):
        ema[i] = a * c[i] + (1 - a) * ema[i - 1]
    e = pd.Series(ema)
    buy = (c.shift() <= vwap.shift()) & (c > vwap) & (c > e)
    sell = (c.shift() >= vwap.shift()) & (c < vwap) & (c < e)
    return np.flatnonzero(buy).tolist(), np.flatnonzero(sell).tolist()


CLOSE = [100, 100, 100, 99, 98, 97, 99, 102, 104, 105, 106, 102, 98, 97, 97]
VOLUME = [1e6, 2e6, 1e6, 3e6, 1e6, 2e6, 1e6, 4e6, 1e6, 1e6, 2e6, 3e6, 1e6, 1e6, 1e6]


def _bars(close, volume):
    c = np.asarray(close, dtype=float)
    return make_bars(c, high=c + 1, low=c - 1, volume=np.asarray(volume, dtype=float))


def test_buys_a_close_crossing_above_the_rolling_vwap_above_the_ema_and_sells_the_reverse():
    bars = _bars(CLOSE, VOLUME)
    c = bars.close[:, 0]
    buys, sells = _expected(c, c + 1, c - 1, VOLUME, **P)
    assert buys == [6] and sells == [3, 11]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, bars, **P).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (7, 12, "signal")


def test_near_miss_a_close_that_reaches_the_vwap_without_crossing_it():
    close = [100, 100, 100, 99, 98, 97, 97.5, 97.5, 97.5, 97.5]
    bars = _bars(close, VOLUME[:10])
    c = bars.close[:, 0]
    assert _expected(c, c + 1, c - 1, VOLUME[:10], **P)[0] == []
    assert not signals_of(NAME, bars, **P).long_entry.any()


def test_the_vwap_rolls_a_window_and_is_not_anchored_at_the_data_start():
    bars = _bars(CLOSE, VOLUME)
    full = signals_of(NAME, bars, **P).series["vwap"][:, 0]
    later = _bars(CLOSE[5:], VOLUME[5:])  # the same bars, loaded from bar 5
    assert np.allclose(signals_of(NAME, later, **P).series["vwap"][2:, 0], full[7:])
