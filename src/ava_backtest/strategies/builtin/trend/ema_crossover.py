"""EMA crossover: long when the fast EMA crosses above the slow one, flat on the cross back."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.errors import ParameterError
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import ema
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Int
from ava_backtest.strategies.registry import register


def _cross_up(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A(t-1) <= B(t-1) and A(t) > B(t); False where either side is undefined."""
    out = np.zeros(a.shape, dtype=np.bool_)
    with np.errstate(invalid="ignore"):
        out[1:] = (a[:-1] <= b[:-1]) & (a[1:] > b[1:])
    return out


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
        sig.long_entry = _cross_up(fast, slow) & ready
        sig.long_exit = _cross_up(slow, fast) & ready
        return sig
