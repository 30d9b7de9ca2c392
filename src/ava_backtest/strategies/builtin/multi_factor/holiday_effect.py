"""Holiday effect: hold a few sessions into a market holiday, from the exchange's calendar."""

import numpy as np

from ava_backtest.strategies import Bars, Int, Pane, Signals, Strategy


class HolidayEffect(Strategy):
    """H(t) = sessions from bar t to the last session before the next market holiday (a weekday
    the exchange is closed), from the exchange calendar (``requires = ("market_holidays",)``).
    Buy at the close of t when H(t) == days_before (filled at the next open); sell at the close of
    the last session before the holiday (H(t) == 0), filled at the first open after it, so the
    position holds over the holiday.

    The exchange publishes its holidays a year or more ahead, so knowing today that a holiday
    follows in k sessions is not look-ahead. The original read future bars (none were visible, so
    it never fired), used wrong MLK/Presidents' Day dates, missed Good Friday and Juneteenth, and
    had no exit: Ava reads the exchange calendar and sells after the holiday, as the design meant.
    """

    name = "holiday_effect"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Buys a fixed number of sessions before a market holiday and sells at the first open "
        "after it, from the exchange's published calendar."
    )
    tags = ("calendar", "holiday", "seasonality")
    requires = ("market_holidays",)
    days_before = Int(2, 1, 29, "Buy when the last session before a holiday is this many ahead")
    display = (Pane("sessions_to_holiday", "Sessions to the last one before a holiday"),)

    def warmup(self) -> int:
        return 30

    def signals(self, bars: Bars) -> Signals:
        h = np.broadcast_to(bars.need("market_holidays")[:, None], bars.close.shape)
        has_bar = ~np.isnan(bars.close)
        return Signals(
            long_entry=(h == self.days_before) & has_bar,
            long_exit=(h == 0) & has_bar,
            series={"sessions_to_holiday": np.where(has_bar, h, np.nan)},
        )
