"""The original platform's README example: an EMA crossover written bar by bar.

Only the import line differs from the original. Put this file in a strategies directory
(``AVA_STRATEGY_DIRS``) and run it like any strategy::

    AVA_STRATEGY_DIRS=examples ava backtest seed_ema_crossover --universe us_sample

It trades exactly like the built-in, vectorised ``ema_crossover`` with the same parameters.
"""

from ava_backtest.strategies import BaseStrategy, Signal, register


@register
class EMACrossover(BaseStrategy):
    """Buy when the fast EMA crosses above the slow EMA; sell when it crosses back below."""

    name = "seed_ema_crossover"
    version = "1.0.0"
    category = "trend"

    def __init__(self, fast_period=12, slow_period=26):
        super().__init__()
        if fast_period >= slow_period:
            raise ValueError(
                f"fast_period ({fast_period}) must be less than slow_period ({slow_period})"
            )
        self.fast_period = fast_period
        self.slow_period = slow_period

    def get_warmup_periods(self):
        return self.slow_period + 1

    def get_parameter_schema(self):
        return {
            "fast_period": {
                "type": "integer",
                "default": 12,
                "minimum": 5,
                "maximum": 50,
                "description": "Fast EMA length",
            },
            "slow_period": {
                "type": "integer",
                "default": 26,
                "minimum": 10,
                "maximum": 100,
                "description": "Slow EMA length",
            },
        }

    def generate_signal(self, window):
        hist = window.historical()
        if len(hist) < self.slow_period:
            return None
        bar = window.current_bar()

        fast = window.ema(self.fast_period)  # value at this bar, its close included
        slow = window.ema(self.slow_period)
        prev_fast = window.ema(self.fast_period, ago=1)
        prev_slow = window.ema(self.slow_period, ago=1)

        meta = {"fast_ema": fast, "slow_ema": slow, "close": bar.close}
        if prev_fast <= prev_slow and fast > slow:
            return Signal("buy", 1.0, 0.8, meta)
        if prev_fast >= prev_slow and fast < slow:
            return Signal("sell", 1.0, 0.8, meta)
        return None
