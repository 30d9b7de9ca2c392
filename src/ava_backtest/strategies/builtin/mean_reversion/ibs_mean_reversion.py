"""IBS mean reversion: buy a close far below the recent high with a weak internal bar strength."""

import numba as nb
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
        avg_range = sma(bars.high - bars.low, self.range_period)
        hh = highest(bars.high, self.high_period)
        shape = bars.close.shape
        ibs, band, stop = np.empty(shape), np.empty(shape), np.empty(shape)
        entry, exit_ = np.empty(shape, np.bool_), np.empty(shape, np.bool_)
        _rule(
            bars.high, bars.low, bars.close, avg_range, hh,
            float(self.band_multiplier), float(self.stop_multiplier),
            float(self.ibs_entry_threshold), float(self.ibs_exit_threshold),
            ibs, band, stop, entry, exit_,
        )  # fmt: skip
        return Signals(
            long_entry=entry,
            long_exit=exit_,
            # k x AR(t-1) as a fraction of close(t): indicators see adjusted prices, fills
            # happen at as-traded ones, so the engine applies it to the fill price.
            stop_loss=stop,
            series={"band": band, "ibs": ibs},
        )


@nb.njit(cache=True)
def _rule(high, low, close, avg_range, hh, band_mult, stop_mult, entry_at, exit_at,
          ibs, band, stop, entry, exit_):  # type: ignore[no-untyped-def]  # fmt: skip
    """One pass along rows: IBS (NaN on a zero-range bar), the band, and the rule read on the
    previous bar (nothing on the first)."""
    t, n = close.shape
    for i in range(t):
        for j in range(n):
            spread = high[i, j] - low[i, j]
            ibs[i, j] = (close[i, j] - low[i, j]) / spread if spread > 0.0 else np.nan
            band[i, j] = hh[i, j] - band_mult * avg_range[i, j]
            if i == 0:
                entry[i, j] = False
                exit_[i, j] = False
                stop[i, j] = np.nan
            else:
                prev_ibs = ibs[i - 1, j]
                entry[i, j] = (close[i - 1, j] < band[i - 1, j]) & (prev_ibs < entry_at)
                exit_[i, j] = prev_ibs > exit_at
                stop[i, j] = stop_mult * avg_range[i - 1, j] / close[i, j]
