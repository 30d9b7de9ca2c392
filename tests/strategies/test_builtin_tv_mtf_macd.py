"""tv_mtf_macd: its rule on hand-made bars, with the weekly MACD written out from calendar weeks
seen only once complete (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_mtf_macd"
P = {"fast_period": 3, "slow_period": 6, "signal_period": 2}


def _macd(x: pd.Series, fast: int, slow: int, signal: int) -> tuple[pd.Series, pd.Series]:
    """First-value-seeded EMAs (pandas ewm, adjust=False)."""
    line = x.ewm(span=fast, adjust=False).mean() - x.ewm(span=slow, adjust=False).mean()
    return line, line.ewm(span=signal, adjust=False).mean()


def _expected(close: np.ndarray, dates: np.ndarray, fast_period, slow_period, signal_period):
    """Buy on a strict daily MACD cross above its signal while the MACD - signal of the week
    before the bar's own (Monday-Sunday weeks, the last complete one) is > 0; sell on the strict
    daily cross below."""
    s = pd.Series(close, index=pd.DatetimeIndex(dates))
    line, sig = _macd(s, fast_period, slow_period, signal_period)
    week = s.index.to_period("W-SUN")
    weekly = s.groupby(week).last()
    wl, ws = _macd(weekly, fast_period, slow_period, signal_period)
    hist = wl - ws
    seen = np.array([hist.get(p - 1, np.nan) for p in week])
    up = (line.shift() < sig.shift()) & (line > sig)
    down = (line.shift() > sig.shift()) & (line < sig)
    return np.flatnonzero(up & (seen > 0)).tolist(), np.flatnonzero(down).tolist()


def _path(trend: list[float]) -> np.ndarray:
    """The ``trend`` returns, then a 2-day 2% pullback and 10 days of 3% gains."""
    steps = [*trend, -0.02, -0.02] + [0.03] * 10
    return 100.0 * np.cumprod(1.0 + np.asarray([0.0, *steps]))


def test_buys_the_daily_cross_up_inside_a_weekly_uptrend_and_sells_the_cross_down():
    bars = make_bars(_path([0.01] * 60))
    buys, sells = _expected(bars.close[:, 0], bars.dates, **P)
    assert buys == [63] and sells == [61]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    held = trade(NAME, bars, **P).open_positions.row(0, named=True)
    assert np.datetime64(held["entry_time"], "ns") == bars.dates[64]  # filled at bar 64


def test_near_miss_the_same_daily_cross_in_a_weekly_downtrend():
    bars = make_bars(_path([0.01] * 40 + [-0.015] * 20))  # the weeks turned down
    c = bars.close[:, 0]
    assert _expected(c, bars.dates, **P)[0] == []
    sig = signals_of(NAME, bars, **P)
    assert not sig.long_entry.any()
    line, s = sig.series["macd"][:, 0], sig.series["macd_signal"][:, 0]
    assert ((line[:-1] < s[:-1]) & (line[1:] > s[1:])).any()  # the daily cross is there
