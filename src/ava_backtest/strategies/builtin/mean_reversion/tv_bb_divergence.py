"""Bollinger expansion breakout: buy a bullish candle closing above a widening upper band with most
of its range above the band; out at a take-profit or after a time stop."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    bollinger,
    previous,
)


class TvBbDivergence(Strategy):
    """UPPER/LOWER = SMA(close, bb_length) +/- bb_mult x population std. BUYZONE(t) = low(t) +
    candleper/100 x (high(t) - low(t)). Entry at t: close(t) > UPPER(t), UPPER(t) > UPPER(t-1),
    LOWER(t) < LOWER(t-1) (the bands diverge), close(t) > open(t) and BUYZONE(t) > UPPER(t).
    Exits: a take-profit ``tp`` percent above the fill and the time stop ``time_stop`` bars (the
    fill bar is bar 1).

    The original declared tp and time_stop and used neither, so its first buy was held to the end
    of the data; both are real exits here. Despite the catalogue's mean-reversion category, the
    entry is a volatility-expansion breakout, as in the original.
    """

    name = "tv_bb_divergence"
    version = "1.0.0"
    category = "mean_reversion"
    direction = "long_only"
    description = (
        "Upside Bollinger expansion breakout: a bullish candle closing above a widening upper band "
        "with most of its range above it; take-profit and time stop."
    )
    tags = ("bollinger", "expansion", "breakout", "take-profit", "time-stop", "tradingview")
    bb_length = Int(20, 2, 250, "Bollinger SMA/std length", window=True)
    bb_mult = Float(2.0, 0.5, 5.0, "Bollinger std multiple (population std)")
    candleper = Float(30.0, 0.0, 100.0, "Percent of the candle range above the low: buy zone level")
    tp = Float(5.0, 0.1, 100.0, "Take-profit above the fill, in percent")
    time_stop = Int(20, 1, 500, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("upper", "BB upper ({bb_length}, {bb_mult})"),
        Overlay("basis", "BB basis {bb_length}"),
        Overlay("lower", "BB lower ({bb_length}, {bb_mult})"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        bb = bollinger(bars.close, self.bb_length, self.bb_mult)
        buyzone = bars.low + self.candleper / 100.0 * (bars.high - bars.low)
        entry = (
            (bars.close > bb.upper)
            & (bb.upper > previous(bb.upper))
            & (bb.lower < previous(bb.lower))
            & (bars.close > bars.open)
            & (buyzone > bb.upper)
        )
        return Signals(
            long_entry=entry,
            take_profit=self.tp / 100.0,
            max_hold=self.time_stop,
            series={"upper": bb.upper, "basis": bb.middle, "lower": bb.lower},
        )
