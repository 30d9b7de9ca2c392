"""Inside days: buy on the bar after an inside day; sell when a short RSI is overbought."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    previous,
    rsi,
)


class TvInsideDays(Strategy):
    """INSIDE(i): high(i) < high(i-1) and low(i) > low(i-1). RSI = Wilder RSI(rsi_length). Entry
    at t: INSIDE(t-1) and RSI(t) defined — the signal comes on the bar after the inside day, as
    in the original, and fills at the next open. Exit at t, unless the entry fires: RSI(t) >
    overbought_level.

    The original's RSI seeded its averages with p+1 changes divided by p and read 0 (not 100)
    with no losses; the library's Wilder RSI (seeded with the mean of the first p changes) is used,
    so the RSI differs early in the data and after loss-free stretches.
    """

    name = "tv_inside_days"
    version = "1.0.0"
    category = "momentum"
    description = "Buys on the bar after an inside day; sells when a short RSI is overbought."
    tags = ("inside-day", "inside-bar", "pattern", "rsi")
    rsi_length = Int(5, 2, 50, "RSI length", window=True)
    overbought_level = Float(80.0, 50.0, 99.0, "Sell when RSI exceeds this")
    display = (
        Overlay("inside_high", "Inside day's high"),
        Overlay("inside_low", "Inside day's low"),
        Pane("rsi", "RSI {rsi_length}", levels=("overbought_level",)),
    )
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        h, lo = bars.high, bars.low
        inside = (h < previous(h)) & (lo > previous(lo))
        r = rsi(bars.close, self.rsi_length)
        entry = (previous(inside.astype(np.float64)) == 1.0) & np.isfinite(r)
        return Signals(
            long_entry=entry,
            long_exit=(r > self.overbought_level) & ~entry,
            series={
                "inside_high": np.where(inside, h, np.nan),
                "inside_low": np.where(inside, lo, np.nan),
                "rsi": r,
            },
        )
