"""IBS mean reversion: buy a close far below the recent high with a weak internal bar strength."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    highest,
    previous,
    sma,
)


class IbsMeanReversion(Strategy):
    """AR = SMA_range_period(high - low); IBS = (close - low) / (high - low) (no value on a
    zero-range bar); BAND = highest(high, high_period) - band_multiplier * AR. Entry at t:
    close(t-1) < BAND(t-1) and IBS(t-1) < ibs_entry_threshold. Exit at t: IBS(t-1) >
    ibs_exit_threshold, or the engine's stop ``stop_multiplier * AR(t-1)`` below the fill price
    (sent as that fraction of close(t), so it scales with the as-traded fill).
    Every test reads the previous bar, as the original's entry did.

    The original declared the IBS exit and the stop but implemented neither, so its first long
    was held to the end of the data; here both are real exits, on the same one-bar lag.
    """

    name = "ibs_mean_reversion"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Buys after a close below (rolling high - k x average range) with a low internal bar "
        "strength; exits on a high IBS or at a stop k x average range below the entry."
    )
    tags = ("ibs", "internal-bar-strength", "mean-reversion", "stop-loss")
    range_period = Int(25, 2, 200, "Average high-low range length", window=True)
    high_period = Int(10, 2, 200, "Rolling-high length", window=True)
    band_multiplier = Float(
        2.5, 0.1, 10.0, "Lower band = rolling high - band_multiplier x average range"
    )
    ibs_entry_threshold = Float(
        0.3, 0.0, 1.0, "Entry when IBS is below this", below="ibs_exit_threshold"
    )
    ibs_exit_threshold = Float(0.8, 0.0, 1.0, "Exit when IBS is above this")
    stop_multiplier = Float(3.0, 0.1, 20.0, "Stop distance below the fill, in average ranges")
    display = (
        Overlay("band", "High {high_period} - {band_multiplier} x range"),
        Pane("ibs", "IBS", levels=("ibs_entry_threshold", "ibs_exit_threshold")),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        spread = bars.high - bars.low
        avg_range = sma(spread, self.range_period)
        with np.errstate(divide="ignore", invalid="ignore"):
            ibs = np.where(spread > 0.0, (bars.close - bars.low) / spread, np.nan)
        band = highest(bars.high, self.high_period) - self.band_multiplier * avg_range
        prev_ibs = previous(ibs)
        return Signals(
            long_entry=(previous(bars.close) < previous(band))
            & (prev_ibs < self.ibs_entry_threshold),
            long_exit=prev_ibs > self.ibs_exit_threshold,
            # k x AR(t-1) as a fraction of close(t): indicators see adjusted prices, fills
            # happen at as-traded ones, so the engine applies it to the fill price.
            stop_loss=previous(self.stop_multiplier * avg_range) / bars.close,
            series={"band": band, "ibs": ibs},
        )
