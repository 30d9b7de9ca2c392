"""scalping_daily: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "scalping_daily"
P = {"ema_fast": 3, "ema_slow": 10, "rsi_period": 3, "atr_period": 3}

# A steady climb, then a dip to 2% above the lower band: bar 22 buys (RSI 28.6, EMA 3 > EMA 10);
# bar 23 is lower still, but EMA 3 has dropped under EMA 10 (near miss). RSI recovers on bar 26.
CLOSE = [100 + 0.1 * i for i in range(22)] + [101.6, 101.2, 101.0, 101.8, 102.4, 102.6]


def _ema(c, n):
    out = [np.nan] * len(c)
    out[n - 1] = sum(c[:n]) / n
    for i in range(n, len(c)):
        out[i] = out[i - 1] + 2 / (n + 1) * (c[i] - out[i - 1])
    return np.array(out)


def _expected(c, fast=3, slow=10, rsi_n=3, rsi_entry=40.0, rsi_exit=65.0):
    """The rule written out: (entry bars, exit bars)."""
    s = pd.Series(c)
    d = s.diff()
    g = d.clip(lower=0).rolling(rsi_n).mean()
    lo = (-d).clip(lower=0).rolling(rsi_n).mean()
    rsi = (100 * g / (g + lo)).to_numpy()
    lower = (s.rolling(20).mean() - 2 * s.rolling(20).std(ddof=1)).to_numpy()
    ef, es = _ema(c, fast), _ema(c, slow)
    with np.errstate(invalid="ignore"):
        entry = (rsi < rsi_entry) & (s.to_numpy() <= 1.02 * lower) & (ef > es)
        exit_ = rsi > rsi_exit
    return np.flatnonzero(entry).tolist(), np.flatnonzero(exit_).tolist()


def _bars():
    c = np.array(CLOSE)
    return make_bars(c, high=c + 0.1, low=c - 0.1)


def test_dip_near_the_lower_band_in_an_uptrend_buys_and_rsi_recovery_sells():
    entries, exits = _expected(CLOSE)
    assert entries == [22]
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    assert [x for x in exits if x > 22] == [26, 27]
    row = trade(NAME, _bars(), **P, max_hold=10).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[23]
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[27]
    assert row["exit_reason"] == "signal"


def test_atr_stop_and_time_stop_end_trades():
    c = np.array(CLOSE)
    low = c - 0.1
    # ATR(3) at bar 22 = (0.2 + 0.2 + 0.6) / 3: the stop sits 1/3 under the 101.2 fill
    low[24] = 100.5
    bars = make_bars(c, high=c + 0.1, low=low)
    row = trade(NAME, bars, **P, max_hold=10).trades.row(0, named=True)
    assert row["exit_reason"] == "stop_loss"
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[24]
    assert row["exit_price"] == pytest.approx(101.2 - 1 / 3)
    row = trade(NAME, _bars(), **P, max_hold=1).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[24]


def test_near_miss_on_the_rsi_level():
    for rsi_entry, want in ((28.7, [22]), (28.5, [])):  # RSI(3) at bar 22 = 100 * 0.2 / 0.7
        assert _expected(CLOSE, rsi_entry=rsi_entry)[0] == want
        sig = signals_of(NAME, _bars(), **P, rsi_entry=rsi_entry)
        assert signal_bars(sig.long_entry) == want
