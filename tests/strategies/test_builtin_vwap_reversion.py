"""vwap_reversion: its rule on hand-made bars (entry below the rolling VWAP, exit near it or above
it, the real time stop) (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "vwap_reversion"
P = {"vwap_period": 3}


def _expected(close, volume, vwap_period, entry_deviation=0.02, exit_target=0.005):
    """VWAP = sum TP x volume / sum volume over the last vwap_period bars (TP = (H + L + C) / 3,
    here H = C + 1, L = C - 1 so TP = C). Buy below VWAP (1 - dev); sell within exit_target of
    it or above VWAP (1 + dev)."""
    c, v = pd.Series(close, dtype=float), pd.Series(volume[: len(close)], dtype=float)
    vwap = (c * v).rolling(vwap_period).sum() / v.rolling(vwap_period).sum()
    buy = c < vwap * (1 - entry_deviation)
    sell = ((c - vwap).abs() / vwap <= exit_target) | (c > vwap * (1 + entry_deviation))
    return np.flatnonzero(buy).tolist(), np.flatnonzero(sell).tolist()


CLOSE = [100, 100, 100, 100, 94, 93, 94, 95, 95, 95, 95, 95]
VOLUME = [1e6] * 12


def _bars(close, volume=VOLUME):
    c = np.asarray(close, dtype=float)
    return make_bars(c, high=c + 1, low=c - 1, volume=np.asarray(volume[: len(c)], dtype=float))


def test_buys_below_the_vwap_and_sells_when_back_near_it():
    buys, sells = _expected(CLOSE, VOLUME, **P)
    assert buys == [4, 5] and sells == [2, 3, 6, 8, 9, 10, 11]
    sig = signals_of(NAME, _bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    assert sig.max_hold == 5
    t = trade(NAME, _bars(CLOSE), **P).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (5, 7, "signal")


def test_the_time_stop_ends_a_trade_that_never_reverts():
    close = [100, 100, 100, 100, 94, 90, 86, 82, 78, 74, 70, 66, 62]
    buys, sells = _expected(close, VOLUME + VOLUME, **P)
    assert buys[0] == 4 and not [s for s in sells if s > 4]
    t = trade(NAME, _bars(close, VOLUME + VOLUME), **P, max_hold=3).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_reason"]) == (5, "max_hold")
    assert t["exit_bar"] == 8  # filled at 5, held bars 5-7: out at the third bar's next open,
    # as the original's counter emitted its exit max_hold bars after the entry signal (bar 4)


def test_near_miss_a_dip_short_of_the_entry_deviation():
    close = [100, 100, 100, 100, 98.8, 98.5, 99, 100]
    assert _expected(close, VOLUME, **P)[0] == []
    assert not signals_of(NAME, _bars(close), **P).long_entry.any()
