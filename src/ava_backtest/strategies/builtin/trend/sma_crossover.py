"""SMA crossover: long when the fast SMA crosses above the slow one, flat on the cross back."""

from collections.abc import Sequence

from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy, crossed_above, sma
from ava_backtest.strategies.crossover_sweep import crossover_sweep


class SmaCrossover(Strategy):
    """Entry at t: F(t-1) <= S(t-1) and F(t) > S(t), with F, S the fast and slow SMAs of the close.
    Exit at t: the opposite cross. Stateless: the engine ignores an entry while long and an exit
    while flat."""

    name = "sma_crossover"
    version = "2.0.0"
    category = "trend"
    description = "Long when the fast simple moving average crosses above the slow one; exit on the opposite cross."
    tags = ("moving-average", "crossover", "trend")
    fast_period = Int(20, 5, 100, "Fast SMA length in bars", below="slow_period", window=True)
    slow_period = Int(50, 10, 300, "Slow SMA length in bars", window=True)
    display = (Overlay("fast", "SMA {fast_period}"), Overlay("slow", "SMA {slow_period}"))

    def signals(self, bars: Bars) -> Signals:
        fast = sma(bars.close, self.fast_period)
        slow = sma(bars.close, self.slow_period)
        return Signals(
            long_entry=crossed_above(fast, slow, from_touch=True),
            long_exit=crossed_above(slow, fast, from_touch=True),
            series={"fast": fast, "slow": slow},
        )

    @classmethod
    def sweep_signals(cls, bars: Bars, strategies: Sequence[Strategy]) -> Signals:
        pairs = [(s.fast_period, s.slow_period) for s in strategies]  # type: ignore[attr-defined]
        return crossover_sweep(bars, lambda n: sma(bars.close, n), pairs)
