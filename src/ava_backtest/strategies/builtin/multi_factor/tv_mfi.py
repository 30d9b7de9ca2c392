"""Money Flow Index: buy MFI crossing up through its oversold level, sell it crossing down through
its overbought level."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    mfi,
)


class TvMfi(Strategy):
    """MFI = 100 x positive flow / (positive + negative flow) over bars t-L+1..t, flow = typical
    price x volume signed by the change in typical price (50 with no flow). Entry at t: MFI(t-1) <=
    oversold < MFI(t). Exit at t: MFI(t-1) >= overbought > MFI(t).

    Differences: the original's MFI left out the current bar (bars t-L..t-1), its cross was read
    from MFI(t-2) to MFI(t-1), so it reacted to money flow two bars old, and it mapped both
    one-sided windows (true MFI 0 or 100) to 50; here it is the standard MFI crossing on bar t. Its
    sell on the overbought cross was commented out, so it held its first entry to the end of the
    data; here that cross closes the long.
    """

    name = "tv_mfi"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Buys when the Money Flow Index crosses up through the oversold level; sells when it "
        "crosses down through the overbought level."
    )
    tags = ("mfi", "money-flow", "volume", "oscillator", "tradingview")
    mfi_length = Int(14, 2, 200, "Money-flow window", window=True)
    overbought = Float(80.0, 50.0, 100.0, "Exit: MFI crosses down through this")
    oversold = Float(20.0, 0.0, 50.0, "Entry: MFI crosses up through this")
    display = (Pane("mfi", "MFI {mfi_length}", levels=("oversold", "overbought")),)
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        m = mfi(bars.high, bars.low, bars.close, bars.volume, self.mfi_length)
        entry = crossed_above(m, self.oversold, from_touch=True)
        return Signals(
            long_entry=entry,
            long_exit=crossed_below(m, self.overbought, from_touch=True) & ~entry,
            series={"mfi": m},
        )
