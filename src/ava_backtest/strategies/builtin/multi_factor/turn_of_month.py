"""Turn of the month: buy a few calendar days before the month ends, sell a few days into the next."""

import numpy as np

from ava_backtest.strategies import Bars, Int, Pane, Signals, Strategy


class TurnOfMonth(Strategy):
    """From bar t's date: DOM(t) = day of the month, LEFT(t) = days in the month - DOM(t). Entry
    at the close of the month's first bar with LEFT(t) <= entry_days_before_end (filled at the
    next open); exit at the close of the month's first bar with DOM(t) >= exit_days_after_start.
    An entry takes precedence over an exit on the same bar. Both read bar t's own date and the
    previous bar's only.

    The original tested the days for equality (LEFT == n, DOM == m), so a target date on a weekend
    or holiday skipped that month's entry, or kept the position for another month; here the first
    session on or after the target date acts. Like the original, the order fills at the open after
    the target day's close.
    """

    name = "turn_of_month"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Calendar effect: buys a fixed number of calendar days before month end and sells on a "
        "fixed calendar day of the new month (the first session on or after each date)."
    )
    tags = ("calendar", "turn-of-month", "seasonality")
    entry_days_before_end = Int(3, 0, 27, "Buy when at most this many calendar days remain")
    exit_days_after_start = Int(3, 1, 28, "Sell on the first session on or after this day")
    display = (
        Pane("days_left", "Calendar days left in the month", levels=("entry_days_before_end",)),
        Pane("day_of_month", "Day of the month", levels=("exit_days_after_start",)),
    )

    def warmup(self) -> int:
        return max(self.entry_days_before_end, self.exit_days_after_start) + 5

    def signals(self, bars: Bars) -> Signals:
        day = bars.dates.astype("datetime64[D]")
        month = day.astype("datetime64[M]")
        dom = (day - month.astype("datetime64[D]")).astype(np.int64) + 1
        left = ((month + 1).astype("datetime64[D]") - day).astype(np.int64) - 1
        new_month = np.ones(len(day), dtype=bool)
        new_month[1:] = month[1:] != month[:-1]
        prev_left = np.concatenate(([np.iinfo(np.int64).max], left[:-1]))
        prev_dom = np.concatenate(([0], dom[:-1]))
        n, m = self.entry_days_before_end, self.exit_days_after_start
        entry = (left <= n) & (new_month | (prev_left > n))
        exit_ = (dom >= m) & (new_month | (prev_dom < m)) & ~entry
        has_bar = ~np.isnan(bars.close)
        shape = bars.close.shape
        return Signals(
            long_entry=np.broadcast_to(entry[:, None], shape) & has_bar,
            long_exit=np.broadcast_to(exit_[:, None], shape) & has_bar,
            series={
                "days_left": np.where(has_bar, left[:, None].astype(np.float64), np.nan),
                "day_of_month": np.where(has_bar, dom[:, None].astype(np.float64), np.nan),
            },
        )
