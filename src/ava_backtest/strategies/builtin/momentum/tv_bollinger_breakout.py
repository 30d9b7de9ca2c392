"""Long-period Bollinger breakout: buy a close through the upper band, sell a close under the SMA."""

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    sma,
    stddev,
)


class TvBollingerBreakout(Strategy):
    """MID = SMA(close, sma_length), SD = population std of the last std_length closes, UB = MID +
    ub_offset x SD, LB = MID - lb_offset x SD. Entry at t (``show_long``): close(t-1) <= UB(t-1)
    and close(t) > UB(t). Exit at t: close(t-1) >= MID(t-1) and close(t) < MID(t), or (with
    ``show_short``) close(t-1) >= LB(t-1) and close(t) < LB(t).

    Difference: the original also bought every close crossing up through the SMA, even with
    show_long off. That "buy" was the cover of the short its lower-band rule meant to open; in
    this long-only design there is no short to cover, so longs come from the upper-band breakout
    only.
    """

    name = "tv_bollinger_breakout"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Long-period (350) Bollinger breakout: buy on a close crossing above the upper band; "
        "sell on a close crossing below the SMA (or the lower band)."
    )
    tags = ("bollinger", "breakout", "trend", "long-term")
    sma_length = Int(350, 2, 1000, "SMA length (middle line)", window=True)
    std_length = Int(350, 2, 1000, "Standard-deviation length (population std)", window=True)
    ub_offset = Float(2.5, 0.1, 10.0, "Upper band: std multiple above the SMA")
    lb_offset = Float(2.5, 0.1, 10.0, "Lower band: std multiple below the SMA")
    show_long = Bool(True, "Buy the close crossing above the upper band")
    show_short = Bool(False, "Also sell a close crossing below the lower band")
    display = (
        Overlay("upper", "Upper ({ub_offset} sd)"),
        Overlay("middle", "SMA {sma_length}"),
        Overlay("lower", "Lower ({lb_offset} sd)"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        mid = sma(c, self.sma_length)
        sd = stddev(c, self.std_length, ddof=0)
        upper = mid + self.ub_offset * sd
        lower = mid - self.lb_offset * sd
        entry = crossed_above(c, upper, from_touch=True)
        exit_ = crossed_below(c, mid, from_touch=True)
        if self.show_short:
            exit_ |= crossed_below(c, lower, from_touch=True)
        return Signals(
            long_entry=entry & self.show_long,
            long_exit=exit_,
            series={"upper": upper, "middle": mid, "lower": lower},
        )
