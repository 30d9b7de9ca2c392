"""Z-score mean reversion: buy the close's z-score dropping through -2; sell when it is back in
the neutral zone."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    previous,
    zscore,
)


class TvZscoreMeanReversion(Strategy):
    """Z = (close - SMA_n(close)) / SD_n(close), SD the sample standard deviation (n - 1); 0 on
    a flat window and before the first full window, as in the original. Entry at t: Z(t-1) >
    -z_entry and Z(t) <= -z_entry. Exit at t: Z(t) > -z_exit (back in the neutral zone
    |Z| < z_exit, or beyond it).

    Difference: the original's return-to-neutral branch returned nothing, so z_exit was unused
    and a long was held until Z rose through +z_entry (its intended short entry; the strategy is
    long-only). Here the long closes when Z enters the neutral zone, as z_exit says.
    """

    name = "tv_zscore_mean_reversion"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Buys when the close's z-score versus its 20-bar mean drops through -2; sells when it "
        "recovers into the neutral zone (above -0.5)."
    )
    tags = ("zscore", "mean-reversion", "statistics")
    length = Int(20, 2, 500, "n: SMA / standard deviation window", window=True)
    z_entry = Float(2.0, 0.1, 10.0, "Buy when Z falls to -z_entry or below")
    z_exit = Float(0.5, 0.0, 10.0, "Sell when Z is back above -z_exit", below="z_entry")
    display = (Pane("z", "Z-score {length}", levels=(0.0, "z_exit", "z_entry")),)
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        z = zscore(bars.close, self.length, ddof=1)
        z0 = np.where(np.isnan(z) & ~np.isnan(bars.close), 0.0, z)
        entry = (previous(z0) > -self.z_entry) & (z0 <= -self.z_entry)
        return Signals(
            long_entry=entry,
            long_exit=(z0 > -self.z_exit) & ~entry,
            series={"z": z0},
        )
