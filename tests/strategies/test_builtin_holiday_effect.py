"""holiday_effect: the rule on hand-made bars on real US sessions (the registry suite checks the
rest).

Spec (intended): at bar t, with F the days_before-th session after t, buy when the calendar days
after F up to the next session contain a market holiday. Ava sells at the close of that last
session before the holiday (filled at the first open after it).
"""

from __future__ import annotations

import numpy as np
from handmade import signal_bars, signals_of, trade

from ava_backtest.domain.bars import Bars
from ava_backtest.markets.registry import get_market
from ava_backtest.strategies.calendar_features import sessions_to_holiday

NAME = "holiday_effect"
# NYSE holidays in the window, from the exchange's published 2024 schedule.
HOLIDAYS = {"2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04"}


def _bars(start: str, end: str) -> Bars:
    dates = get_market("US").sessions(start, end)
    c = np.full((len(dates), 1), 100.0)
    return Bars(
        dates, ("S0",), c, c, c, c, np.full_like(c, 1e6),
        {"market_holidays": sessions_to_holiday(dates, "US")},
    )  # fmt: skip


def _expected(dates: np.ndarray, k: int) -> tuple[list[int], list[int]]:
    """Entries: bars whose k-th next session is followed by a holiday before the next session;
    exits: those last sessions before a holiday."""
    days = [str(d)[:10] for d in dates.astype("datetime64[D]")]
    last_before = []
    for i in range(len(days) - 1):
        d = np.datetime64(days[i]) + 1
        while str(d) != days[i + 1]:
            if str(d) in HOLIDAYS:
                last_before.append(i)
            d += 1
    entries = [i - k for i in last_before if i - k >= 0]
    return entries, last_before


def test_buys_days_before_sessions_ahead_of_each_holiday_and_sells_before_it():
    bars = _bars("2024-03-01", "2024-07-12")
    entries, exits = _expected(bars.dates, 2)
    days = [str(d)[:10] for d in bars.dates.astype("datetime64[D]")[entries]]
    # Good Friday (Thursday 3-28 is the last session), Memorial Day, Juneteenth, July 4th.
    assert days == ["2024-03-26", "2024-05-22", "2024-06-14", "2024-07-01"]
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    # A plain weekend is no holiday: Friday 2024-03-08 is not an exit.
    friday = int(
        np.flatnonzero(bars.dates.astype("datetime64[D]") == np.datetime64("2024-03-08"))[0]
    )
    assert not sig.long_exit[friday, 0]
    assert signal_bars(signals_of(NAME, bars, days_before=1).long_entry) == [i - 1 for i in exits]


def test_the_trade_holds_over_the_holiday():
    bars = _bars("2024-06-24", "2024-07-12")
    res = trade(NAME, bars)
    row = res.trades.row(0, named=True)
    days = bars.dates.astype("datetime64[D]")
    assert str(days[row["entry_bar"]]) == "2024-07-02"  # signal 07-01, filled at the next open
    assert str(days[row["exit_bar"]]) == "2024-07-05"  # signal 07-03, filled after the 4th
    assert row["exit_reason"] == "signal"


def test_sessions_to_holiday_counts_from_the_calendar_not_the_bars():
    dates = get_market("US").sessions("2024-06-28", "2024-07-05")
    h = sessions_to_holiday(dates, "US")
    assert h.tolist() == [3.0, 2.0, 1.0, 0.0, 40.0]  # 07-05 counts to 08-30 (Labor Day ahead)
    # The same values from a prefix: each depends on its own date and the calendar only.
    assert sessions_to_holiday(dates[:2], "US").tolist() == [3.0, 2.0]
