"""orb_15min: the rule on hand-made 5-minute bars (the registry suite checks the rest).

Spec (intended): the opening range is the bars in [09:30, 09:30 + orb_minutes) of the session;
buy at a bar starting at or after the range's end, before 15:55, that closes above the range's
high, if no earlier bar of the session after the range did.
"""

from __future__ import annotations

import numpy as np
import pytest
from handmade import signal_bars, signals_of, trade
from intraday_bars import intraday_bars

NAME = "orb_15min"
DAY = 78  # 5-minute bars in a regular session


def _day_one():
    """Two sessions flat at 100 with a 100.2/99.8 opening range (the first three bars)."""
    n = 2 * DAY
    close = np.full(n, 100.0)
    high = np.full(n, 100.1)
    low = np.full(n, 99.9)
    high[[0, 1, 2]] = [100.2, 100.15, 100.1]
    low[[0, 1, 2]] = [99.8, 99.9, 99.85]
    return close, high, low


def _expected(bars, close, high, orb_minutes=15):
    """The intended rule, from New York clock times."""
    import pandas as pd

    ny = pd.DatetimeIndex(bars.dates).tz_localize("UTC").tz_convert("America/New_York")
    minute = (ny.hour * 60 + ny.minute).to_numpy() - 570
    day = ny.date
    out = []
    for d in sorted(set(day)):
        rows = np.flatnonzero(day == d)
        orh = high[rows[minute[rows] < orb_minutes]].max()
        after = rows[(minute[rows] >= orb_minutes) & (minute[rows] < 385)]  # before 15:55
        hits = after[close[after] > orh]
        out += hits[:1].tolist()
    return out


def test_buys_the_sessions_first_close_above_the_opening_range():
    close, high, low = _day_one()
    close[2] = 100.25  # inside the range: not a breakout
    high[2] = 100.25
    close[5], high[5] = 100.3, 100.35  # 09:55 closes above 100.3: the breakout
    close[9], high[9] = 100.5, 100.5  # a later close above: not the first
    close[DAY + 77] = 101.0  # 15:55 on day two: too late
    high[DAY + 77] = 101.0
    bars = intraday_bars(5, close, high=high, low=low)
    expected = _expected(bars, close, high)
    assert expected == [5]
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == expected
    # A 30-minute range includes the 09:55 bar: its high 100.35 is the level, first beaten at 10:15.
    assert (
        signal_bars(signals_of(NAME, bars, orb_minutes=30).long_entry)
        == _expected(bars, close, high, 30)
        == [9]
    )
    # Flat at each session's last bar.
    assert signal_bars(sig.long_exit) == [DAY - 1, 2 * DAY - 1]


def _breakout_then(path: list[float], **params):
    close, high, low = _day_one()
    close[5], high[5] = 100.3, 100.35
    k = 6
    for p in path:
        close[k] = p
        high[k] = max(p, close[k - 1]) + 0.05
        low[k] = min(p, close[k - 1]) - 0.05
        k += 1
    close[k:DAY] = path[-1]
    high[k:DAY] = path[-1] + 0.05
    low[k:DAY] = path[-1] - 0.05
    bars = intraday_bars(5, close, open=np.r_[100.0, close[:-1]], high=high, low=low)
    return trade(NAME, bars, **params).trades.row(0, named=True)


def test_the_stop_under_the_range_trails_or_holds():
    # R = 100.3 - 99.8 * 0.999 = 0.5998 below the fill (100.3).
    row = _breakout_then([100.2, 99.6], use_trailing_stop=False)
    assert row["exit_reason"] == "stop_loss"
    assert row["exit_price"] == pytest.approx(100.3 - (100.3 - 99.8 * 0.999))
    row = _breakout_then([100.6, 100.9, 100.2])
    assert row["exit_reason"] == "trailing_stop"
    # R as a fraction of the signal close (100.3), behind the best high (100.95).
    assert row["exit_price"] == pytest.approx(100.95 * (1 - (100.3 - 99.8 * 0.999) / 100.3))


def test_the_final_target_and_the_close():
    row = _breakout_then([100.8, 101.5, 102.3, 102.6])  # 3.5 R = 2.0993 above 100.3
    assert row["exit_reason"] == "take_profit"
    assert row["exit_price"] == pytest.approx(100.3 + 3.5 * (100.3 - 99.8 * 0.999))
    row = _breakout_then([100.4])  # drifts sideways: flat at the session's last close
    assert (row["exit_reason"], row["exit_bar"]) == ("signal", DAY - 1)
