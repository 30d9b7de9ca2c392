"""RSI mean reversion: buy RSI dropping into oversold; sell overbought or after a maximum hold."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import rsi
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Float, Int
from ava_backtest.strategies.registry import register


def _cross_down(x: np.ndarray, level: float) -> np.ndarray:
    """X(t-1) >= level and X(t) < level; False where either value is undefined."""
    out = np.zeros(x.shape, dtype=np.bool_)
    with np.errstate(invalid="ignore"):
        out[1:] = (x[:-1] >= level) & (x[1:] < level)
    return out


@register
class RsiMeanReversion(Strategy):
    """Buys when Wilder's RSI crosses down into oversold; sells when it is overbought or after
    ``max_hold_days`` bars.

    Entry at t: RSI(t-1) >= oversold and RSI(t) < oversold. Exit at t: RSI(t) > overbought. The
    time stop is ``Signals.max_hold = max_hold_days``: the fill bar counts as bar 1, so the exit is
    decided at the close ``max_hold_days`` bars after the entry-signal bar and filled at the next
    open, exactly when the original's own ``bars_held`` counter fired.

    The original kept its own ``in_position`` flag; here the engine's position plays that part
    (entries are ignored while long, exits while flat). That is the same on every bar except where
    the original went wrong: its flag was never reconciled with fills (an engine stop-loss exit
    left it set) and it carried over from one symbol of the run to the next.

    RSI is the library's Wilder RSI (first value at bar n, seeded with the mean of the first n
    changes; computed as 100*G/(G+L), equal to the original's 100 - 100/(1 + G/L) up to the last
    bit). On a series with no price change at all since its first bar it reads 50 (neutral) where
    the original read 100.
    """

    name = "rsi_mean_reversion"
    version = "2.0.0"
    category = "mean_reversion"
    description = (
        "Buys when RSI drops through the oversold level; sells when RSI is overbought or after a "
        "maximum holding time."
    )
    tags = ("rsi", "oversold", "mean-reversion", "time-stop")
    direction = "long_only"
    parameters = {
        "rsi_period": Int(14, 5, 50, "RSI length n"),
        "oversold": Float(30.0, 10, 40, "Entry level: RSI crossing below it triggers a buy"),
        "overbought": Float(70.0, 60, 90, "Exit level: RSI above it triggers a sell"),
        "max_hold_days": Int(20, 5, 60, "Maximum bars to hold (the fill bar is bar 1)"),
    }

    def warmup(self) -> int:
        return self.rsi_period + 2

    def signals(self, bars: Bars) -> Signals:
        r = rsi(bars.close, self.rsi_period)
        sig = Signals.empty(bars.close.shape)
        sig.long_entry = _cross_down(r, self.oversold)
        with np.errstate(invalid="ignore"):
            sig.long_exit = r > self.overbought
        sig.max_hold = self.max_hold_days
        return sig
