"""Max-pain pinning: in the last days before an options expiry, buy a stock trading well below
its max-pain strike and sell when it reaches it (or the expiry passes)."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Int, Overlay, Pane, Signals, Strategy


class TvMaxPainStrategy(Strategy):
    """From open interest by strike (``requires``: open_interest, an uploaded table,
    docs/data.md): MP(t), the max-pain strike of the nearest expiry on or after session t (the
    strike at which the holders' calls and puts would expire with the least intrinsic value), and
    D(t), calendar days to that expiry. Entry at t: D(t) <= max_days and close(t) < MP(t) (1 -
    entry_gap) (expiry pinning pulls the price up toward max pain). Exit at t: close(t) >= MP(t)
    (1 - exit_gap), or D(t) > max_days (the expiry has passed; the next one is further out). A
    session without open interest gives no signal.

    The original was a stub that never signalled, with no parameters: entry_gap, exit_gap and
    max_days are Ava's. The sample has no open interest, so a run there fails naming it and how
    to upload it.
    """

    name = "tv_max_pain_strategy"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "In the days before an options expiry, buys a stock trading well below its max-pain "
        "strike and sells when it gets there or the expiry passes."
    )
    tags = ("options", "max-pain", "open-interest", "expiry")
    requires = ("open_interest",)
    entry_gap = Float(0.03, 0.0, 0.5, "Buy when the close is this fraction below max pain", above="exit_gap")  # fmt: skip
    exit_gap = Float(0.0, 0.0, 0.5, "Sell when the close is within this fraction below max pain")
    max_days = Int(10, 0, 90, "Trade only this many calendar days or fewer before the expiry")
    display = (
        Overlay("max_pain", "Max-pain strike, nearest expiry"),
        Pane("days_to_expiry", "Calendar days to expiry", levels=("max_days",)),
    )

    def warmup(self) -> int:
        return 1

    def signals(self, bars: Bars) -> Signals:
        mp = np.asarray(bars.need("max_pain"), dtype=np.float64)
        days = np.asarray(bars.need("days_to_expiry"), dtype=np.float64)
        close = bars.close
        return Signals(
            long_entry=(days <= self.max_days) & (close < mp * (1.0 - self.entry_gap)),
            long_exit=(close >= mp * (1.0 - self.exit_gap)) | (days > self.max_days),
            series={"max_pain": mp, "days_to_expiry": days},
        )
