"""MACD crossover: long when the MACD line crosses above its signal line, flat on the cross back."""

from ava_backtest.strategies import Bars, Int, Pane, Signals, Strategy, crossed_above, ema


class MacdCrossover(Strategy):
    """MACD = EMA_fast(close) - EMA_slow(close); SIG = EMA_signal(MACD). Entry at t: MACD(t-1) <=
    SIG(t-1) and MACD(t) > SIG(t); exit: the opposite cross. No signal while fewer than slow_ema +
    signal_period bars of the symbol exist (the original's guard).

    EMAs are seeded with their first input (pandas ``ewm(adjust=False)``, as the original did), not
    an SMA; the seed is the first bar loaded, warm-up included, so they have settled by the start.
    """

    name = "macd_crossover"
    version = "2.0.0"
    category = "trend"
    description = (
        "Long when the MACD line crosses above its signal line; exit on the cross back below."
    )
    tags = ("macd", "crossover", "trend")
    fast_ema = Int(12, 5, 50, "Fast EMA length", below="slow_ema")
    slow_ema = Int(26, 10, 100, "Slow EMA length")
    signal_period = Int(9, 3, 20, "EMA length of the signal line")
    display = (Pane("macd", "MACD", pane="macd"), Pane("signal", "Signal", pane="macd"))

    def warmup(self) -> int:
        return self.slow_ema + self.signal_period + 1

    def signals(self, bars: Bars) -> Signals:
        close = bars.close
        line = ema(close, self.fast_ema, seed="first") - ema(close, self.slow_ema, seed="first")
        signal = ema(line, self.signal_period, seed="first")
        ready = bars.ready(self.slow_ema + self.signal_period - 1)
        return Signals(
            long_entry=crossed_above(line, signal, from_touch=True) & ready,
            long_exit=crossed_above(signal, line, from_touch=True) & ready,
            series={"macd": line, "signal": signal},
        )
