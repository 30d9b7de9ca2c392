"""Momentum breakout: buy a close above the prior N-bar high, exit on a close below an SMA."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import highest, sma
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Int
from ava_backtest.strategies.registry import register


def _from_row(close: np.ndarray, k: int) -> np.ndarray:
    """True from row first_valid + k of each column on: at least k + 1 bars of the symbol exist."""
    valid = ~np.isnan(close)
    first = np.where(valid.any(axis=0), np.argmax(valid, axis=0), close.shape[0])
    return np.arange(close.shape[0])[:, None] >= first[None, :] + k


@register
class MomentumBreakout(Strategy):
    """Buys a close above the highest high of the previous ``channel_period`` bars; exits on a
    close below the ``exit_ma_period`` SMA of the close.

    CH(t) = max(high(t-channel_period .. t-1)) (bar t excluded); MA(t) = SMA(close)(t) (bar t
    included). Entry at t: close(t) > CH(t). Exit at t: close(t) < MA(t). No signal while fewer
    than max(channel_period, exit_ma_period) + 1 bars of the symbol exist (the original's guard).

    The original kept its own ``in_position`` flag; here the engine's position plays that part: a
    bar where both rules hold is an exit while long and an entry while flat, as in the original.
    The signals differ only where the original's flag was out of step with the book (never
    reconciled with fills, and carried over from one symbol of the run to the next).
    """

    name = "momentum_breakout"
    version = "2.0.0"
    category = "momentum"
    description = (
        "Buys a close above the prior N-bar high and exits when the close falls below a simple "
        "moving average."
    )
    tags = ("breakout", "donchian", "momentum")
    direction = "long_only"
    parameters = {
        "channel_period": Int(20, 5, 60, "Donchian lookback for the breakout high (prior bars)"),
        "exit_ma_period": Int(20, 5, 60, "SMA length for the exit"),
    }

    def warmup(self) -> int:
        return max(self.channel_period, self.exit_ma_period) + 1

    def signals(self, bars: Bars) -> Signals:
        close = bars.close
        channel = np.full_like(close, np.nan)
        channel[1:] = highest(bars.high, self.channel_period)[:-1]
        ma = sma(close, self.exit_ma_period)
        ready = _from_row(close, max(self.channel_period, self.exit_ma_period))
        sig = Signals.empty(close.shape)
        with np.errstate(invalid="ignore"):
            sig.long_entry = (close > channel) & ready
            sig.long_exit = (close < ma) & ready
        return sig
