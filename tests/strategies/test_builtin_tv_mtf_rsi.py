"""tv_mtf_rsi: its rule on hand-made bars, with the weekly RSI written out from calendar weeks
seen only once complete (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_mtf_rsi"


def _cutler(x: list[float], n: int = 14) -> list[float]:
    """The catalogue's RSI14: plain sums of the last 14 gains and losses."""
    out = [np.nan] * len(x)
    for t in range(n, len(x)):
        d = np.diff(x[t - n : t + 1])
        ag, al = d[d > 0].sum() / n, -d[d < 0].sum() / n
        out[t] = (100.0 if ag > 0 else 50.0) if al == 0 else 100.0 - 100.0 / (1.0 + ag / al)
    return out


def _expected(close: np.ndarray, dates: np.ndarray, weekly_level: float = 50.0):
    """Buy when the daily RSI < 30 and the RSI of weekly closes (Monday-Sunday weeks) of the week
    before the bar's own week (the last one complete before it began) > weekly_level; sell when
    the daily RSI > 70."""
    s = pd.Series(close, index=pd.DatetimeIndex(dates))
    week = s.index.to_period("W-SUN")
    weekly = s.groupby(week).last()
    w_rsi = pd.Series(_cutler(weekly.tolist()), index=weekly.index)
    seen = [w_rsi.get(p - 1, np.nan) for p in week]
    daily = _cutler(list(close))
    buys = [t for t in range(len(close)) if daily[t] < 30 and seen[t] > weekly_level]
    sells = [t for t in range(len(close)) if daily[t] > 70]
    return buys, sells


def _path(drift: float) -> np.ndarray:
    """100 sessions drifting by ``drift`` a day with a zig-zag, a four-day 4% slide, a rebound."""
    steps = [drift + (0.006 if i % 2 else -0.006) for i in range(100)]
    steps += [-0.04] * 4 + [0.03] * 12
    return 100.0 * np.cumprod(1.0 + np.asarray([0.0, *steps]))


FIRST_SELL = 115  # the rebound's 11th day: 11 of the last 14 changes are +3%


def test_buys_a_daily_washout_inside_a_weekly_uptrend_and_sells_the_rebound():
    bars = make_bars(_path(0.004))
    c = bars.close[:, 0]
    buys, sells = _expected(c, bars.dates)
    assert buys == [104] and [s for s in sells if s > 104][:1] == [FIRST_SELL]
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, bars).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (105, FIRST_SELL + 1, "signal")


def test_near_miss_the_same_washout_in_a_weekly_downtrend():
    bars = make_bars(_path(-0.004))
    c = bars.close[:, 0]
    assert _expected(c, bars.dates)[0] == []
    sig = signals_of(NAME, bars)
    assert not sig.long_entry.any()
    # ... though the daily RSI is as washed out: only the weekly filter refuses it.
    assert (sig.series["rsi"][100:105] < 30).any() and (sig.series["weekly_rsi"][100:] < 50).all()
