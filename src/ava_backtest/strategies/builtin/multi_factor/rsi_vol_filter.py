"""RSI oversold entries, allowed only while ATR ranks low in its recent distribution."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import atr, rsi
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Float, Int
from ava_backtest.strategies.registry import register

_CHUNK = 128  # rows per block of the rolling rank, to bound memory on wide universes


def _rank_below(x: np.ndarray, p: int) -> np.ndarray:
    """100 * count{j in t-p+1..t : x(j) < x(t)} / p (strictly less; x(t) is in the window).

    NaN until the window holds p defined values (any NaN in the window gives NaN).
    """
    out = np.full(x.shape, np.nan)
    if x.shape[0] < p:
        return out
    windows = sliding_window_view(x, p, axis=0)  # (rows - p + 1, cols, p)
    for lo in range(0, windows.shape[0], _CHUNK):
        w = windows[lo : lo + _CHUNK]
        cur = x[lo + p - 1 : lo + p - 1 + w.shape[0]]
        with np.errstate(invalid="ignore"):
            rank = 100.0 * (w < cur[..., None]).sum(axis=-1) / p
        rank[np.isnan(w).any(axis=-1)] = np.nan
        out[lo + p - 1 : lo + p - 1 + w.shape[0]] = rank
    return out


@register
class RsiVolFilter(Strategy):
    """RSI oversold entries taken only while ATR sits low in its recent distribution; exit on RSI
    overbought or a volatility spike.

    RSI: Wilder, length ``rsi_period``. ATR: Wilder, length ``atr_period``, first value at bar m =
    mean(TR(1..m)) (the first bar has no true range; TA-Lib's convention). RANK(t) = 100 *
    count{j in t-P+1..t : ATR(j) < ATR(t)} / P with P = ``atr_rank_period`` (strictly less; the
    current value is in the window).

    Entry at t: RSI(t) < oversold and RANK(t) < vol_threshold (a level test, not a cross).
    Exit at t: RSI(t) > overbought or RANK(t) > vol_exit_threshold. No signal until RSI(t-1) is
    defined (two RSI values) and RANK(t) is (P ATR values), the original's guard.

    The original kept its own ``in_position`` flag; here the engine's position plays that part
    (entries are ignored while long, exits while flat), which gives the same signals except where
    the original's flag was out of step with the book (never reconciled with fills, and carried
    over from one symbol of the run to the next). On a series with no price change at all since
    its first bar the library's RSI reads 50 (neutral) where the original read 100.
    """

    name = "rsi_vol_filter"
    version = "2.0.0"
    category = "multi_factor"
    description = (
        "RSI oversold entries allowed only when ATR sits in the lower part of its recent "
        "distribution; exit on RSI overbought or a volatility spike."
    )
    tags = ("rsi", "atr", "volatility-filter", "mean-reversion")
    direction = "long_only"
    parameters = {
        "rsi_period": Int(14, 5, 50, "RSI length"),
        "oversold": Float(30.0, 10, 40, "Entry when RSI is below this level"),
        "overbought": Float(70.0, 60, 90, "Exit when RSI is above this level"),
        "atr_period": Int(14, 5, 30, "ATR length m"),
        "atr_rank_period": Int(100, 20, 252, "Number of ATR values P used for the percentile rank"),
        "vol_threshold": Float(50.0, 20, 80, "Entry allowed only if ATR rank is below this"),
        "vol_exit_threshold": Float(80.0, 50, 95, "Exit if ATR rank is above this"),
    }

    def warmup(self) -> int:
        return max(self.rsi_period + 2, self.atr_period + self.atr_rank_period + 1)

    def signals(self, bars: Bars) -> Signals:
        close = bars.close
        r = rsi(close, self.rsi_period)
        vol = atr(bars.high, bars.low, close, self.atr_period, convention="talib")
        rank = _rank_below(vol, self.atr_rank_period)
        ready = np.zeros(close.shape, dtype=np.bool_)
        ready[1:] = ~np.isnan(r[:-1])
        ready &= ~np.isnan(rank)
        sig = Signals.empty(close.shape)
        with np.errstate(invalid="ignore"):
            sig.long_entry = ready & (r < self.oversold) & (rank < self.vol_threshold)
            sig.long_exit = ready & ((r > self.overbought) | (rank > self.vol_exit_threshold))
        return sig
