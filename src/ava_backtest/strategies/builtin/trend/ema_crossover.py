"""EMA crossover: long when the fast EMA crosses above the slow one, flat on the cross back."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.errors import ParameterError
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import crossed_above, ema
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Int
from ava_backtest.strategies.registry import register


def _from_row(close: np.ndarray, k: int) -> np.ndarray:
    """True from row first_valid + k of each column on (k bars of the symbol precede it)."""
    valid = ~np.isnan(close)
    first = np.where(valid.any(axis=0), np.argmax(valid, axis=0), close.shape[0])
    return np.arange(close.shape[0])[:, None] >= first[None, :] + k


@register
class EmaCrossover(Strategy):
    """Long when the fast EMA crosses above the slow EMA; exit when it crosses back below.

    Fast = EMA(close, fast_period), Slow = EMA(close, slow_period), both seeded with the SMA of
    their first n closes (first value at the symbol's bar n-1; TA-Lib and TradingView agree).
    Entry at t: Fast(t-1) <= Slow(t-1) and Fast(t) > Slow(t). Exit at t: Fast(t-1) >= Slow(t-1) and
    Fast(t) < Slow(t). As in the original, whose loop started at the warm-up, no signal is raised
    before the symbol's bar slow_period + 1. Stateless: the engine ignores an entry while long and
    an exit while flat.
    """

    name = "ema_crossover"
    version = "1.0.0"
    category = "trend"
    description = (
        "Classic 12/26 EMA crossover: long when the fast EMA crosses above the slow one, "
        "exit on the cross below."
    )
    tags = ("moving-average", "ema", "crossover", "trend")
    direction = "long_only"
    parameters = {
        "fast_period": Int(12, 5, 50, "Fast EMA length; must be less than slow_period"),
        "slow_period": Int(26, 10, 100, "Slow EMA length"),
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
        close = bars.close
        fast = ema(close, self.fast_period, seed="sma")
        slow = ema(close, self.slow_period, seed="sma")
        ready = _from_row(close, self.warmup())
        sig = Signals.empty(close.shape)
        sig.long_entry = crossed_above(fast, slow, from_touch=True) & ready
        sig.long_exit = crossed_above(slow, fast, from_touch=True) & ready
        return sig
