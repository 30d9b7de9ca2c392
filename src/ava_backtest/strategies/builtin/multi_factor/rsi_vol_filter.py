"""RSI oversold entries, allowed only while ATR ranks low in its recent distribution."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    atr,
    previous,
    rank_below,
    rsi,
)


class RsiVolFilter(Strategy):
    """RSI: Wilder, length rsi_period. ATR: Wilder, first value at bar m = mean(TR(1..m)) (TA-Lib).
    RANK(t) = rank_below(ATR, atr_rank_period): the share of the last P ATR values strictly below
    ATR(t). Entry at t: RSI(t) < oversold and RANK(t) < vol_threshold (a level test, not a cross).
    Exit at t: RSI(t) > overbought or RANK(t) > vol_exit_threshold. No signal until RSI(t-1) and
    RANK(t) are defined, the original's guard.

    The original's ``in_position`` flag is the engine's position here; they differ only where that
    flag was out of step with the book or leaked between symbols. On a series with no price change
    at all the library's RSI reads 50 (neutral) where the original read 100.
    """

    name = "rsi_vol_filter"
    version = "2.0.0"
    category = "multi_factor"
    description = (
        "RSI oversold entries allowed only when ATR sits in the lower part of its recent "
        "distribution; exit on RSI overbought or a volatility spike."
    )
    tags = ("rsi", "atr", "volatility-filter", "mean-reversion")
    rsi_period = Int(14, 5, 50, "RSI length")
    oversold = Float(30.0, 10, 40, "Entry when RSI is below this level")
    overbought = Float(70.0, 60, 90, "Exit when RSI is above this level")
    atr_period = Int(14, 5, 30, "ATR length m")
    atr_rank_period = Int(100, 20, 252, "Number of ATR values P used for the percentile rank")
    vol_threshold = Float(50.0, 20, 80, "Entry allowed only if ATR rank is below this")
    vol_exit_threshold = Float(80.0, 50, 95, "Exit if ATR rank is above this")
    display = (
        Pane("rsi", "RSI {rsi_period}", levels=("oversold", "overbought")),
        Pane("atr_rank", "ATR rank", levels=("vol_threshold", "vol_exit_threshold")),
    )

    def warmup(self) -> int:
        return max(self.rsi_period + 2, self.atr_period + self.atr_rank_period + 1)

    def signals(self, bars: Bars) -> Signals:
        r = rsi(bars.close, self.rsi_period)
        vol = atr(bars.high, bars.low, bars.close, self.atr_period, convention="talib")
        rank = rank_below(vol, self.atr_rank_period)
        ready = ~np.isnan(previous(r)) & ~np.isnan(rank)
        return Signals(
            long_entry=ready & (r < self.oversold) & (rank < self.vol_threshold),
            long_exit=ready & ((r > self.overbought) | (rank > self.vol_exit_threshold)),
            series={"rsi": r, "atr_rank": rank},
        )
