"""TSI crossover: buy the True Strength Index crossing above its signal line; sell the cross
below."""

from ava_backtest.strategies import (
    Bars,
    Int,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    ema,
    tsi,
)


class TvTsiStrategy(Strategy):
    """TSI = 100 EMA_short(EMA_long(dC)) / EMA_short(EMA_long(|dC|)), dC the bar-to-bar change;
    SIG = EMA_signal(TSI); every EMA seeded with the mean of its first n defined values. Entry at
    t: TSI(t-1) <= SIG(t-1) and TSI(t) > SIG(t). Exit at t: TSI(t-1) >= SIG(t-1) and TSI(t) <
    SIG(t).

    Difference: the original's denominator smoothed |dC| once (EMA_short) instead of twice, so
    its index was not bounded by +-100 and differed from TradingView's; it also read 0 through
    the warm-up. This is the standard TSI (Blau), undefined until both smoothings have started.
    """

    name = "tv_tsi_strategy"
    version = "1.0.0"
    category = "momentum"
    description = (
        "True Strength Index crossing its signal line: buy the cross up, sell the cross down."
    )
    tags = ("tsi", "momentum", "crossover", "oscillator")
    long_length = Int(25, 1, 200, "First smoothing length of the price change", window=True)
    short_length = Int(13, 1, 200, "Second smoothing length", window=True)
    signal_length = Int(13, 1, 200, "Signal line EMA length", window=True)
    display = (
        Pane("tsi", "TSI {long_length}/{short_length}", pane="tsi", levels=(0.0,)),
        Pane("signal", "Signal {signal_length}", pane="tsi"),
    )

    def warmup(self) -> int:
        return 2 * max(self.long_length, self.short_length, self.signal_length)

    def signals(self, bars: Bars) -> Signals:
        t = tsi(bars.close, self.long_length, self.short_length)
        sig = ema(t, self.signal_length)
        return Signals(
            long_entry=crossed_above(t, sig, from_touch=True),
            long_exit=crossed_below(t, sig, from_touch=True),
            series={"tsi": t, "signal": sig},
        )
