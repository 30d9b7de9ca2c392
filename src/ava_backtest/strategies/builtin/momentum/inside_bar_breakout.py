"""Inside-bar breakout: after an inside bar, go with the next open's break of its high or low."""

import numpy as np

from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy, previous


class InsideBarBreakout(Strategy):
    """Decided at the open of bar t (``timing = "open"``, filled at open(t)): bar t-1 is inside
    bar t-2 when high(t-1) < high(t-2) and low(t-1) > low(t-2). Long entry: inside and open(t) >
    high(t-1). Short entry: inside and open(t) < low(t-1); either reverses an open position of
    the other side. Time stop ``max_hold`` (the fill bar is bar 1).

    The original judged the open of bar t but filled at the next bar's open, a day late, could
    not short, and ignored max_hold; here the trade fills at the breaking open, the breakdown
    opens a short, and max_hold is the engine's time stop.
    """

    name = "inside_bar_breakout"
    version = "1.0.0"
    category = "momentum"
    description = (
        "After an inside bar, buys when the next bar opens above the inside bar's high and shorts "
        "when it opens below its low; time exit after max_hold bars."
    )
    tags = ("inside-bar", "breakout", "price-action", "long-short", "time-stop")
    direction = "long_short"
    timing = "open"
    max_hold = Int(5, 1, 100, "Maximum bars held (the fill bar is bar 1)")
    display = (
        Overlay("inside_high", "Inside bar high", style="dots"),
        Overlay("inside_low", "Inside bar low", style="dots"),
    )

    def warmup(self) -> int:
        return 2

    def signals(self, bars: Bars) -> Signals:
        ph, pl = previous(bars.high), previous(bars.low)
        inside = (ph < previous(bars.high, 2)) & (pl > previous(bars.low, 2))
        return Signals(
            long_entry=inside & (bars.open > ph),
            short_entry=inside & (bars.open < pl),
            max_hold=self.max_hold,
            series={
                "inside_high": np.where(inside, ph, np.nan),
                "inside_low": np.where(inside, pl, np.nan),
            },
        )
