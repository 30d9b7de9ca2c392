"""RSI mean reversion: buy RSI dropping into oversold; sell overbought or after a maximum hold."""

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, crossed_below, rsi


class RsiMeanReversion(Strategy):
    """Entry at t: RSI(t-1) >= oversold and RSI(t) < oversold (Wilder RSI). Exit at t: RSI(t) >
    overbought, or the time stop ``max_hold = max_hold_days``: the fill bar is bar 1, so the exit
    is decided at the close ``max_hold_days`` bars after the entry-signal bar, exactly when the
    original's own ``bars_held`` counter fired.

    The original's ``in_position`` flag is the engine's position here; they differ only where the
    original went wrong (its flag ignored stop-loss exits and leaked from one symbol to the next).
    On a series with no price change at all the library's RSI reads 50 where the original read 100.
    """

    name = "rsi_mean_reversion"
    version = "2.0.0"
    category = "mean_reversion"
    description = (
        "Buys when RSI drops through the oversold level; sells when RSI is overbought or after a "
        "maximum holding time."
    )
    tags = ("rsi", "oversold", "mean-reversion", "time-stop")
    rsi_period = Int(14, 5, 50, "RSI length n", window=True)
    oversold = Float(30.0, 10, 40, "Entry level: RSI crossing below it triggers a buy")
    overbought = Float(70.0, 60, 90, "Exit level: RSI above it triggers a sell")
    max_hold_days = Int(20, 5, 60, "Maximum bars to hold (the fill bar is bar 1)")
    display = (Pane("rsi", "RSI {rsi_period}", levels=("oversold", "overbought")),)
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        r = rsi(bars.close, self.rsi_period)
        return Signals(
            long_entry=crossed_below(r, self.oversold, from_touch=True),
            long_exit=r > self.overbought,
            max_hold=self.max_hold_days,
            series={"rsi": r},
        )
