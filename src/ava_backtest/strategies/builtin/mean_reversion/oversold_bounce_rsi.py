"""Oversold bounce: buy when the previous bar's RSI is below 30, sell when it is above 50."""

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, previous, rsi


class OversoldBounceRsi(Strategy):
    """R(t) = Wilder's RSI of the close at bar t-1. Entry at t: R(t) < entry_rsi. Exit at t:
    R(t) > exit_rsi.

    The original seeded its RSI with the mean of the up moves over their count (not over p), and
    never got a value at all when the first p changes were all of one sign; here the RSI is
    Wilder's (seeded with the sum over p), so early values differ and converge within ~100 bars.
    """

    name = "oversold_bounce_rsi"
    version = "1.0.0"
    category = "mean_reversion"
    description = "Buys when the previous bar's RSI(14) is below 30 and sells when it is above 50."
    tags = ("rsi", "oversold", "mean-reversion")
    rsi_period = Int(14, 2, 50, "RSI length p", window=True)
    entry_rsi = Float(30.0, 5.0, 50.0, "Buy below this RSI", below="exit_rsi")
    exit_rsi = Float(50.0, 20.0, 95.0, "Sell above this RSI")
    display = (Pane("rsi", "RSI {rsi_period}", levels=("entry_rsi", "exit_rsi")),)
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        r = rsi(bars.close, self.rsi_period)
        prev = previous(r)
        return Signals(
            long_entry=prev < self.entry_rsi,
            long_exit=prev > self.exit_rsi,
            series={"rsi": r},
        )
