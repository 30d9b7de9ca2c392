"""Bollinger bands: buy a close below the lower band, exit once the close is back above the middle."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import bollinger
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Float, Int
from ava_backtest.strategies.registry import register


@register
class BollingerBands(Strategy):
    """Buys a close below the lower Bollinger band; exits when the close is back above the middle.

    MID = SMA_n(close), SD = population standard deviation of the same n closes,
    LOW = MID - k * SD. Entry at t: close(t) < LOW(t). Exit at t: close(t) > MID(t).

    The original kept its own ``in_position`` flag; here the engine's position plays that part
    (entries are ignored while long, exits while flat), which gives the same signals except where
    the original's flag was out of step with the book (never reconciled with fills, and carried
    over from one symbol of the run to the next).
    """

    name = "bollinger_bands"
    version = "2.0.0"
    category = "mean_reversion"
    description = (
        "Buys a close below the lower Bollinger band and exits once the close is back above the "
        "middle band."
    )
    tags = ("bollinger", "bands", "mean-reversion")
    direction = "long_only"
    parameters = {
        "bb_period": Int(20, 10, 50, "Band length n"),
        "bb_std_dev": Float(2.0, 1.0, 3.0, "Band width k in standard deviations"),
    }

    def warmup(self) -> int:
        return self.bb_period + 1

    def signals(self, bars: Bars) -> Signals:
        close = bars.close
        bands = bollinger(close, self.bb_period, self.bb_std_dev, ddof=0)
        sig = Signals.empty(close.shape)
        with np.errstate(invalid="ignore"):
            sig.long_entry = close < bands.lower
            sig.long_exit = close > bands.middle
        return sig
