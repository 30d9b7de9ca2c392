"""BB Winner LITE: buy a candle whose lower part pierces the lower Bollinger band; sell when the
candle's buy zone clears the upper band."""

from ava_backtest.strategies import Bars, Bool, Float, Int, Overlay, Signals, Strategy, bollinger


class TvBbWinnerLite(Strategy):
    """UPPER/LOWER = SMA(close, bb_length) +/- bb_mult x sample std; c = candleper / 100;
    BUYZONE = low + c x (high - low), SELLZONE = high - c x (high - low). Entry at t: BUYZONE(t)
    < LOWER(t). Exit at t: BUYZONE(t) > UPPER(t) and, with ``show_short``, also SELLZONE(t) >
    UPPER(t) (the short-entry candle, which in this long-only design can only close the long).
    An entry takes precedence over an exit on the same bar.

    Differences from the original: it read the entry candle one bar late (bar t-1); its short
    cover (SELLZONE below the lower band) was emitted as a buy, an extra long entry, which has no
    short to cover here; and its short-entry test compared the buy zone, not the sell zone, with
    the upper band.
    """

    name = "tv_bb_winner_lite"
    version = "1.0.2"
    category = "mean_reversion"
    direction = "long_only"
    description = (
        "Bollinger mean reversion: buys a candle whose lower part pierces the lower band; sells "
        "when the candle's buy zone clears the upper band."
    )
    tags = ("bollinger", "candle", "mean-reversion", "tradingview")
    bb_length = Int(20, 2, 250, "Bollinger length", window=True)
    bb_mult = Float(2.0, 0.5, 5.0, "Bollinger std multiple (sample std)")
    candleper = Float(
        30.0, 0.0, 100.0, "Candle penetration percent (zones at this part of the range)"
    )
    show_short = Bool(False, "Also sell on the short-entry candle (sell zone above the upper band)")
    display = (
        Overlay("upper", "BB upper ({bb_length}, {bb_mult})"),
        Overlay("middle", "BB basis {bb_length}"),
        Overlay("lower", "BB lower ({bb_length}, {bb_mult})"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        bb = bollinger(bars.close, self.bb_length, self.bb_mult, ddof=1)
        c = self.candleper / 100.0
        rng = bars.high - bars.low
        buyzone, sellzone = bars.low + c * rng, bars.high - c * rng
        entry = buyzone < bb.lower
        exit_ = buyzone > bb.upper
        if self.show_short:
            exit_ |= sellzone > bb.upper
        return Signals(
            long_entry=entry,
            long_exit=exit_ & ~entry,
            series={"upper": bb.upper, "middle": bb.middle, "lower": bb.lower},
        )
