"""Bullish engulfing: buy a green candle that engulfs the previous red body; sell on a short-RSI spike."""

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, previous, rsi


class TvBullishEngulfing(Strategy):
    """Entry at t: bar t-1 is red (open > close), open(t) < close(t-1) and close(t) > open(t-1) —
    bar t's body engulfs bar t-1's, both bars closed at the decision. Exit at t (not an entry
    bar): Wilder RSI(rsi_length)(t) > rsi_exit_threshold.

    Difference: the original seeded its RSI with the mean of only the non-zero up (down) moves of
    the first changes, so when those all had one sign (about half of all start dates with p = 2)
    the RSI stayed undefined for the whole run and the exit never fired. Here the RSI is the
    standard Wilder one, seeded with the mean of the first p changes.
    """

    name = "tv_bullish_engulfing"
    version = "1.0.0"
    category = "momentum"
    description = "Buy on a bullish engulfing candle; sell when a short RSI is overbought."
    tags = ("candlestick", "engulfing", "pattern", "rsi")
    rsi_length = Int(2, 2, 50, "RSI length p (Wilder)", window=True)
    rsi_exit_threshold = Float(90.0, 50.0, 100.0, "Sell when RSI(t) exceeds this")
    display = (Pane("rsi", "RSI {rsi_length}", levels=("rsi_exit_threshold",)),)
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        o, c = bars.open, bars.close
        prev_open, prev_close = previous(o), previous(c)
        entry = (prev_open > prev_close) & (c > prev_open) & (o < prev_close)
        r = rsi(c, self.rsi_length)
        return Signals(
            long_entry=entry,
            long_exit=~entry & (r > self.rsi_exit_threshold),
            series={"rsi": r},
        )
