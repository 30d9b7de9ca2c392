"""tv_mtf_bb: its rule on hand-made bars, with the weekly band written out from calendar weeks
seen only once complete (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_mtf_bb"
P = {"bb_length": 10, "htf_length": 2}


def _expected(close: np.ndarray, dates: np.ndarray, bb_length, htf_length, bb_mult=2.0):
    """Daily bands SMA +/- k population std; the weekly close and its htf_length-week SMA of the
    week before the bar's own (Monday-Sunday weeks, the last complete one). Buy below the daily
    lower band while that weekly close is above its SMA; sell above the daily upper band or when
    it is below."""
    s = pd.Series(close, index=pd.DatetimeIndex(dates))
    mid, sd = s.rolling(bb_length).mean(), s.rolling(bb_length).std(ddof=0)
    week = s.index.to_period("W-SUN")
    weekly = s.groupby(week).last()
    w_mid = weekly.rolling(htf_length).mean()
    wc = np.array([weekly.get(p - 1, np.nan) for p in week])
    wm = np.array([w_mid.get(p - 1, np.nan) for p in week])
    c = s.to_numpy()
    buy = (c < (mid - bb_mult * sd).to_numpy()) & (wc > wm)
    sell = (c > (mid + bb_mult * sd).to_numpy()) | (wc < wm)
    return np.flatnonzero(buy).tolist(), np.flatnonzero(sell).tolist()


def _path(trend: list[float]) -> np.ndarray:
    """The ``trend`` returns, then a 4% drop, two quiet days and a 9% jump."""
    steps = [*trend, -0.04, 0.0, 0.0, 0.09, 0.0]
    return 100.0 * np.cumprod(1.0 + np.asarray([0.0, *steps]))


def test_buys_a_close_below_the_daily_band_in_a_weekly_uptrend_and_sells_above_the_upper():
    bars = make_bars(_path([0.005, -0.002] * 15))
    buys, sells = _expected(bars.close[:, 0], bars.dates, **P)
    assert buys == [31] and sells == [34]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, bars, **P).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (32, 35, "signal")


def test_near_miss_the_same_drop_in_a_weekly_downtrend():
    bars = make_bars(_path([0.002, -0.005] * 15))
    assert _expected(bars.close[:, 0], bars.dates, **P)[0] == []
    sig = signals_of(NAME, bars, **P)
    assert not sig.long_entry.any()
    assert bars.close[31, 0] < sig.series["bb_lower"][31, 0]  # below the daily band all the same
