"""Bollinger + RSI: buy after a close below the lower band with RSI oversold; exit on the middle cross."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    bollinger,
    crossed_above,
    cutler_rsi,
    previous,
)


class DgBbRsi(Strategy):
    """MID = SMA_n(close), LOWER = MID - k * sample std of the same n closes; RSI = Cutler's RSI
    (plain means of the gains and losses of the last ``rsi_length`` changes). Entry at t:
    close(t-1) < LOWER(t-1) and RSI(t-1) < rsi_lower. Exit at t: close(t-1) > MID(t-1) and
    close(t-2) <= MID(t-2). As in the original, every test reads the previous bar (one bar more
    lag than the next-open fill needs).

    The original counted a zero change before the first bar, so its RSI had a value one bar
    earlier (bar rsi_length - 1); that bar is inside the warm-up, so no signal differs.
    """

    name = "dg_bb_rsi"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Buys after a close below the lower Bollinger band with RSI oversold; exits when price "
        "crosses back above the middle band."
    )
    tags = ("bollinger", "rsi", "oversold", "mean-reversion")
    bb_length = Int(20, 2, 100, "Bollinger length", window=True)
    bb_std = Float(2.0, 0.5, 5.0, "Band multiplier (sample std)")
    rsi_length = Int(14, 2, 50, "RSI length", window=True)
    rsi_lower = Float(30.0, 10.0, 50.0, "RSI oversold threshold")
    display = (
        Overlay("middle", "SMA {bb_length}"),
        Overlay("lower", "Lower band"),
        Pane("rsi", "RSI {rsi_length}", levels=("rsi_lower",)),
    )
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        bands = bollinger(bars.close, self.bb_length, self.bb_std, ddof=1)
        r = cutler_rsi(bars.close, self.rsi_length)
        oversold = (bars.close < bands.lower) & (r < self.rsi_lower)
        back_above = crossed_above(bars.close, bands.middle, from_touch=True)
        return Signals(
            long_entry=previous(oversold * 1.0) == 1.0,
            long_exit=previous(back_above * 1.0) == 1.0,
            series={"middle": bands.middle, "lower": bands.lower, "rsi": r},
        )
