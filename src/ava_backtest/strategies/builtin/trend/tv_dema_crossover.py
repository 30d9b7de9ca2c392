"""DEMA crossover: long when the fast double EMA crosses above the slow one, out on the cross back."""

from collections.abc import Sequence

from ava_backtest.strategies import (
    Bars,
    Int,
    Overlay,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    dema,
)
from ava_backtest.strategies.crossover_sweep import crossover_sweep


class TvDemaCrossover(Strategy):
    """DEMA(n) = 2 EMA(close, n) - EMA(EMA(close, n), n), both EMAs (alpha 2/(n+1)) started at
    the first value. Entry at t: F(t-1) <= S(t-1) and F(t) > S(t), with F, S the fast and slow
    DEMAs. Exit at t: F(t-1) >= S(t-1) and F(t) < S(t). As in the original; the EMAs start at
    the first loaded bar, so early values depend on the start date."""

    name = "tv_dema_crossover"
    version = "1.0.0"
    category = "trend"
    description = "Fast/slow double-EMA (DEMA) crossover: buy on cross up, sell on cross down."
    tags = ("dema", "moving-average", "crossover", "trend")
    fast_period = Int(12, 2, 200, "Fast DEMA length", below="slow_period", window=True)
    slow_period = Int(26, 2, 400, "Slow DEMA length", window=True)
    display = (Overlay("fast", "DEMA {fast_period}"), Overlay("slow", "DEMA {slow_period}"))
    warmup_extra = 20

    def signals(self, bars: Bars) -> Signals:
        fast = dema(bars.close, self.fast_period, seed="first")
        slow = dema(bars.close, self.slow_period, seed="first")
        return Signals(
            long_entry=crossed_above(fast, slow, from_touch=True),
            long_exit=crossed_below(fast, slow, from_touch=True),
            series={"fast": fast, "slow": slow},
        )

    @classmethod
    def sweep_signals(cls, bars: Bars, strategies: Sequence[Strategy]) -> Signals:
        # crossed_below(fast, slow) is crossed_above(slow, fast): the sweep's exit
        pairs = [(s.fast_period, s.slow_period) for s in strategies]  # type: ignore[attr-defined]
        return crossover_sweep(bars, lambda n: dema(bars.close, n, seed="first"), pairs)
