"""MACD crossover: long when the MACD line crosses above its signal line, flat on the cross back."""

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
    """True from row first_valid + k of each column on: at least k + 1 bars of the symbol exist."""
    valid = ~np.isnan(close)
    first = np.where(valid.any(axis=0), np.argmax(valid, axis=0), close.shape[0])
    return np.arange(close.shape[0])[:, None] >= first[None, :] + k


@register
class MacdCrossover(Strategy):
    """Long when MACD crosses above its signal line; exit when it crosses back below.

    MACD = EMA_fast(close) - EMA_slow(close); SIG = EMA_signal(MACD). Every EMA is seeded with its
    first input value (E(0) = x(0), as the original platform did; pandas ``ewm(adjust=False)``),
    not with an SMA, so values near the start of the data differ slightly from TradingView/TA-Lib.
    The seed is the first bar loaded for the symbol, which in Ava includes the warm-up bars loaded
    before the run's start date (the original loaded none), so the EMAs have settled by the start.

    Entry at t: MACD(t-1) <= SIG(t-1) and MACD(t) > SIG(t). Exit at t: MACD(t-1) >= SIG(t-1) and
    MACD(t) < SIG(t). No signal while fewer than slow_ema + signal_period bars of the symbol exist
    (the original's internal guard). Stateless, like the original: the engine ignores entries while
    long and exits while flat.
    """

    name = "macd_crossover"
    version = "2.0.0"
    category = "trend"
    description = (
        "Long when the MACD line crosses above its signal line; exit on the cross back below."
    )
    tags = ("macd", "crossover", "trend")
    direction = "long_only"
    parameters = {
        "fast_ema": Int(12, 5, 50, "Fast EMA length; must be less than slow_ema"),
        "slow_ema": Int(26, 10, 100, "Slow EMA length"),
        "signal_period": Int(9, 3, 20, "EMA length of the signal line"),
    }

    def check_params(self) -> None:
        if self.fast_ema >= self.slow_ema:
            raise ParameterError(
                f"fast_ema ({self.fast_ema}) must be less than slow_ema ({self.slow_ema})",
                field="params.fast_ema",
            )

    def warmup(self) -> int:
        return self.slow_ema + self.signal_period + 1

    def signals(self, bars: Bars) -> Signals:
        close = bars.close
        line = ema(close, self.fast_ema, seed="first") - ema(close, self.slow_ema, seed="first")
        signal = ema(line, self.signal_period, seed="first")
        ready = _from_row(close, self.slow_ema + self.signal_period - 1)
        sig = Signals.empty(close.shape)
        sig.long_entry = crossed_above(line, signal, from_touch=True) & ready
        sig.long_exit = crossed_above(signal, line, from_touch=True) & ready
        return sig
