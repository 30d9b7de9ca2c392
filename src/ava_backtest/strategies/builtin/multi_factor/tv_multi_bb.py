"""Multi Bollinger: buy the bar after a close under the average of two lower bands, sell a close
over the previous bar's primary upper band."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    previous,
    sma,
    stddev,
)


class TvMultiBb(Strategy):
    """For n in (p, q) = (bb_length_primary, bb_length_secondary): UP_n/LO_n = SMA(close, n) +/-
    bb_mult x SAMPLE standard deviation; LO_AVG = (LO_p + LO_q) / 2. Entry at t: close(t-1) <
    LO_AVG(t-1) (bar t-1 only, one bar of lag, as in the original). Exit at t (unless it enters):
    close(t) > UP_p(t-1). The second length stands in for a higher timeframe on the same daily
    bars, as in the original; the rule is the original's.
    """

    name = "tv_multi_bb"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Buys when the prior close was below the average of two Bollinger lower bands (20 and 30 "
        "bars); exits above the prior 20-bar upper band."
    )
    tags = ("bollinger", "multi-band", "mean-reversion", "tradingview")
    bb_length_primary = Int(20, 2, 300, "Primary Bollinger length", window=True)
    bb_length_secondary = Int(30, 2, 500, "Secondary Bollinger length", window=True)
    bb_mult = Float(2.0, 0.1, 10.0, "Band width in sample standard deviations")
    display = (
        Overlay("upper", "BB upper ({bb_length_primary}, {bb_mult})"),
        Overlay("lower_avg", "Average lower band ({bb_length_primary}, {bb_length_secondary})"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c, p, q, k = bars.close, self.bb_length_primary, self.bb_length_secondary, self.bb_mult
        mid_p = sma(c, p)
        sd_p = stddev(c, p, ddof=1)
        lower_avg = (mid_p - k * sd_p + sma(c, q) - k * stddev(c, q, ddof=1)) / 2.0
        upper = mid_p + k * sd_p
        under = c < lower_avg
        entry = np.zeros_like(under)
        entry[1:] = under[:-1]  # bar t-1's close and bands
        return Signals(
            long_entry=entry,
            long_exit=(c > previous(upper)) & ~entry,
            series={"upper": upper, "lower_avg": lower_avg},
        )
