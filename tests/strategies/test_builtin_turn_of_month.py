"""turn_of_month: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "turn_of_month"


def _expected(dates, n=3, m=3):
    """The rule written out: the first session of a month on or after the target date acts."""
    entries, exits, done = [], [], set()
    for t, d in enumerate(dates):
        left = calendar.monthrange(d.year, d.month)[1] - d.day
        if left <= n and ("in", d.year, d.month) not in done:
            done.add(("in", d.year, d.month))
            entries.append(t)
        elif d.day >= m and ("out", d.year, d.month) not in done:
            done.add(("out", d.year, d.month))
            exits.append(t)
    return entries, exits


def _bars():
    # 2021-06-14 .. 2021-07-16 on weekdays: 27 June (3 days left) is a Sunday, 3 July a Saturday
    return make_bars(np.linspace(100, 103, 25), start="2021-06-14")


def _dates(bars):
    return [dt.date.fromisoformat(str(d)[:10]) for d in bars.dates]


def test_first_session_on_or_after_the_target_days_buys_and_sells():
    bars = _bars()
    dates = _dates(bars)
    entries, exits = _expected(dates)
    # June: 14th has 16 days left; the first session with <= 3 left is Monday the 28th (2 left).
    # July: the first session on or after the 3rd is Monday the 5th; June's 14th..18th exit.
    assert [dates[t] for t in entries] == [dt.date(2021, 6, 28)]
    assert [dates[t] for t in exits] == [dt.date(2021, 6, 14), dt.date(2021, 7, 5)]
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, bars).trades.row(0, named=True)
    assert str(row["entry_time"])[:10] == "2021-06-29"  # filled at the next open
    assert str(row["exit_time"])[:10] == "2021-07-06"


def test_a_date_inside_the_window_is_not_repeated_and_one_day_more_moves_it():
    bars = _bars()
    dates = _dates(bars)
    # entry_days_before_end = 1: Tuesday the 29th (1 day left), not the 28th (2 left)
    entries, _ = _expected(dates, n=1)
    assert [dates[t] for t in entries] == [dt.date(2021, 6, 29)]
    assert signal_bars(signals_of(NAME, bars, entry_days_before_end=1).long_entry) == entries
