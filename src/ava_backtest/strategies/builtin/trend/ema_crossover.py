"""EMA crossover: long when the fast EMA crosses above the slow one, flat on the cross back."""

from collections.abc import Sequence

from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy, crossed_above, ema
from ava_backtest.strategies.crossover_sweep import crossover_sweep


class EmaCrossover(Strategy):
    """Long when the fast EMA crosses above the slow EMA; exit when it crosses back below.

    Both EMAs are seeded with the SMA of their first n closes (TA-Lib and TradingView agree).
    Entry at t: Fast(t-1) <= Slow(t-1) and Fast(t) > Slow(t); exit: the opposite cross. As in the
    original, whose loop started at the warm-up, no signal is raised before the symbol's bar
    slow_period + 1. Stateless: the engine ignores an entry while long and an exit while flat.
    """

    name = "ema_crossover"
    version = "1.0.0"
    category = "trend"
    description = (
        "Classic 12/26 EMA crossover: long when the fast EMA crosses above the slow one, "
        "exit on the cross below."
    )
    tags = ("moving-average", "ema", "crossover", "trend")
    fast_period = Int(12, 5, 50, "Fast EMA length", below="slow_period", window=True)
    slow_period = Int(26, 10, 100, "Slow EMA length", window=True)
    display = (Overlay("fast", "EMA {fast_period}"), Overlay("slow", "EMA {slow_period}"))

    def signals(self, bars: Bars) -> Signals:
        fast = ema(bars.close, self.fast_period, seed="sma")
        slow = ema(bars.close, self.slow_period, seed="sma")
        ready = bars.ready(self.warmup())
        return Signals(
            long_entry=crossed_above(fast, slow, from_touch=True) & ready,
            long_exit=crossed_above(slow, fast, from_touch=True) & ready,
            series={"fast": fast, "slow": slow},
        )

    @classmethod
    def sweep_signals(cls, bars: Bars, strategies: Sequence[Strategy]) -> Signals:
        pairs = [(s.fast_period, s.slow_period) for s in strategies]  # type: ignore[attr-defined]
        return crossover_sweep(
            bars,
            lambda n: ema(bars.close, n, seed="sma"),
            pairs,
            ready=[s.warmup() for s in strategies],
        )
