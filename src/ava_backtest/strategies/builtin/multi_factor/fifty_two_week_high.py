"""52-week high: long near the 52-week high with a positive 1-year return, short near the low with a
negative one."""

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
    lowest,
    pct_change,
    previous,
)


class FiftyTwoWeekHigh(Strategy):
    """L = lookback. HH(t) = max(high[t-L+1..t]), LL(t) = min(close[t-L+1..t]), RET(t) =
    close(t)/close(t-L) - 1. Long entry at t: (HH - close)/HH <= proximity_pct and RET > 0 (checked
    first). Short entry: (close - LL)/LL <= proximity_pct and RET < 0. Long exit, when neither
    entry holds: close(t) below the lowest close of the 10 bars before, or above the highest high
    of the L bars before, or a 5-bar return under -5%; the short exit mirrors it. Every trade has
    the stop ``stop_pct`` from the fill and the time stop ``max_hold = hold_days``; ``priority`` is
    |RET|.

    The original crashed (undefined helpers), read every value a bar late, and two of its three
    exits compared the close with windows containing itself, so they could never fire; here the
    windows exclude bar t, the short side is real, and stop_pct and hold_days are engine exits.
    """

    name = "fifty_two_week_high"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Buys stocks within 5 percent of their 52-week high with a positive 1-year return; shorts "
        "those near the 52-week low with a negative one; stop, holding period and drop exits."
    )
    tags = ("52-week-high", "momentum", "anchoring", "long-short")
    direction = "long_short"
    lookback = Int(252, 20, 504, "52-week window in bars (L)", window=True)
    proximity_pct = Float(
        0.05, 0.005, 0.5, "Max relative distance below the high (or above the low)"
    )
    hold_days = Int(20, 1, 252, "Holding period: the time stop (the fill bar is bar 1)")
    stop_pct = Float(0.1, 0.01, 0.5, "Stop distance from the fill price, as a fraction")
    display = (
        Overlay("high_52w", "{lookback}-bar high"),
        Overlay("low_52w", "{lookback}-bar low close"),
        Pane("ret", "Return over {lookback} bars", levels=(0.0,)),
    )
    warmup_extra = 10

    def signals(self, bars: Bars) -> Signals:
        c, n = bars.close, self.lookback
        hh = highest(bars.high, n)
        ll = lowest(c, n)
        ret = pct_change(c, n)
        r5 = pct_change(c, 5)
        with np.errstate(divide="ignore", invalid="ignore"):
            near_high = (hh - c) / hh <= self.proximity_pct
            near_low = (c - ll) / ll <= self.proximity_pct
        buy = near_high & (ret > 0)
        short = near_low & (ret < 0) & ~buy
        neither = ~buy & ~short
        long_exit = (c < previous(lowest(c, 10))) | (c > previous(hh)) | (r5 < -0.05)
        short_exit = (
            (c > previous(highest(c, 10))) | (c < previous(lowest(bars.low, n))) | (r5 > 0.05)
        )
        return Signals(
            long_entry=buy,
            short_entry=short,
            long_exit=long_exit & neither,
            short_exit=short_exit & neither,
            stop_loss=self.stop_pct,
            max_hold=self.hold_days,
            priority=np.abs(ret),
            series={"high_52w": hh, "low_52w": ll, "ret": ret},
        )
