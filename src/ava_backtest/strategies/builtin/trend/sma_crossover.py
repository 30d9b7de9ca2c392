"""SMA crossover: long when the fast SMA crosses above the slow one, flat on the cross back."""

from __future__ import annotations

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.errors import ParameterError
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import crossed_above, sma
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Int
from ava_backtest.strategies.registry import register


@register
class SmaCrossover(Strategy):
    name = "sma_crossover"
    version = "2.0.0"
    category = "trend"
    description = "Long when the fast simple moving average crosses above the slow one; exit on the opposite cross."
    tags = ("moving-average", "crossover", "trend")
    direction = "long_only"
    parameters = {
        "fast_period": Int(20, 5, 100, "Fast SMA length in bars"),
        "slow_period": Int(50, 10, 300, "Slow SMA length in bars"),
    }

    def check_params(self) -> None:
        if self.fast_period >= self.slow_period:
            raise ParameterError(
                f"fast_period ({self.fast_period}) must be less than slow_period ({self.slow_period})",
                field="params.fast_period",
            )

    def warmup(self) -> int:
        return self.slow_period + 1

    def signals(self, bars: Bars) -> Signals:
        fast = sma(bars.close, self.fast_period)
        slow = sma(bars.close, self.slow_period)
        sig = Signals.empty(bars.close.shape)
        sig.long_entry = crossed_above(fast, slow, from_touch=True)
        sig.long_exit = crossed_above(slow, fast, from_touch=True)
        return sig
