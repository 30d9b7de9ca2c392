"""Gap fill: at the open, buy a gap down of at least X%, target the previous close."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, previous


class TvGapTrading(Strategy):
    """Decided at the open of bar t (``timing = "open"``, filled at open(t)): GAP(t) = 100 x
    (close(t-1) - open(t)) / close(t-1), the gap down in percent. Entry: close(t-1) > 0 and GAP(t)
    > min_gap_pct (open(t) < close(t-1) x (1 - min_gap_pct/100)). Exits (engine): the target at
    the previous close, close(t-1) - open(t) above the fill (the gap filled, possibly the same
    day); the stop ``stop_loss_pct`` below the fill (0: none); the time stop ``max_hold_days``
    (the fill bar is bar 1).

    The original put the target and stop in signal metadata that nothing read, ignored
    max_hold_days, and decided at the gap day's close, so it bought the next open and held to the
    end of the data; here the gap is bought at its own open and all three exits are real.
    """

    name = "tv_gap_trading"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Gap fill: buys at the open after a gap down of at least min_gap_pct percent, targets the "
        "previous close; percentage stop and maximum holding time."
    )
    tags = ("gap", "gap-fill", "opening-gap", "mean-reversion", "time-stop")
    timing = "open"
    min_gap_pct = Float(1.0, 0.1, 50.0, "Minimum gap down, in percent of the previous close")
    stop_loss_pct = Float(0.05, 0.0, 0.5, "Stop below the fill (the open), as a fraction; 0: none")
    max_hold_days = Int(5, 1, 60, "Maximum bars held (the fill bar is bar 1)")
    display = (Pane("gap_down", "Gap down (%)", levels=("min_gap_pct",)),)

    def warmup(self) -> int:
        return 2

    def signals(self, bars: Bars) -> Signals:
        prev_close = previous(bars.close)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(prev_close > 0, 100.0 * (prev_close - bars.open) / prev_close, np.nan)
        return Signals(
            long_entry=gap > self.min_gap_pct,
            take_profit=prev_close - bars.open,
            take_profit_abs=True,
            stop_loss=self.stop_loss_pct or None,
            max_hold=self.max_hold_days,
            series={"gap_down": gap},
        )
