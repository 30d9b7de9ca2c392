"""Fair value gap: buy the first return into a bullish three-bar gap above a trend EMA."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Int,
    Overlay,
    Signals,
    Strategy,
    ema,
    previous,
    value_when,
)


class TvFairValueGap(Strategy):
    """Bullish fair value gap formed on bar g: low(g) > high(g-2); its zone runs from BOTTOM =
    high(g-2) to TOP = low(g). The zone in force at t is the latest one formed before t. Entry at
    t: the first bar since that zone formed whose low trades into it (low(t) <= TOP), closing
    back above its bottom (close(t) > BOTTOM) and above the trend, close(t) > EMA(t-1) (EMA
    seeded with the mean of the first ``ema_length`` closes). A close through the bottom on that
    first touch fills the gap: no entry, and the zone is spent. Exit at t: a bearish gap, high(t)
    < low(t-2), closing below the trend, close(t) < EMA(t-1).

    The original meant this but never remembered a gap past the bar that formed it, so it bought
    gap-up continuation bars (low(t) > high(t-2)) and, its bearish branch commented out, never
    sold; here the gap is remembered until its first retest and the mirror-image bearish gap
    below the EMA is the exit.
    """

    name = "tv_fair_value_gap"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Buys the first return of price into a bullish fair value gap while above a trend EMA; "
        "sells on a bearish fair value gap below it."
    )
    tags = ("fair-value-gap", "imbalance", "ict", "pullback", "ema-trend")
    ema_length = Int(50, 2, 400, "Trend EMA length", window=True)
    display = (
        Overlay("gap_top", "Bullish gap top"),
        Overlay("gap_bottom", "Bullish gap bottom"),
        Overlay("ema", "EMA {ema_length}"),
    )
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        h, lo, c = bars.high, bars.low, bars.close
        trend = previous(ema(c, self.ema_length))
        formed = lo > previous(h, 2)
        top = previous(value_when(lo, formed))  # the latest zone formed before t
        bottom = previous(value_when(previous(h, 2), formed))
        touched = lo <= top
        count = np.cumsum(touched, axis=0).astype(np.float64)
        at_formation = previous(value_when(count, formed))  # touches up to that zone's bar
        first_touch = touched & (count - touched == at_formation)
        return Signals(
            long_entry=first_touch & (c > bottom) & (c > trend),
            long_exit=(h < previous(lo, 2)) & (c < trend),
            series={"gap_top": top, "gap_bottom": bottom, "ema": trend},
        )
