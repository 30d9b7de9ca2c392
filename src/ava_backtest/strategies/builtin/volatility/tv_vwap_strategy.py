"""Closes crossing a rolling VWAP, filtered by an EMA: buy a cross up above the EMA, sell a cross
down below it."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Int,
    Overlay,
    Signals,
    Strategy,
    ema,
    rolling_sum,
    typical_price,
)


def rolling_vwap(bars: Bars, n: int) -> np.ndarray:
    """sum TP x volume / sum volume over the last n bars, TP = (high + low + close) / 3; NaN where
    the window has no volume."""
    tp = typical_price(bars.high, bars.low, bars.close)
    vol = rolling_sum(bars.volume, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(vol > 0, rolling_sum(tp * bars.volume, n) / vol, np.nan)


class TvVwapStrategy(Strategy):
    """VWAP(t): a rolling VWAP of the last vwap_length daily bars, sum TP x volume / sum volume
    with TP = (high + low + close) / 3. EMA: length n, seeded with the mean of the first n closes.
    Entry at t: close(t-1) <= VWAP(t-1), close(t) > VWAP(t) and close(t) > EMA(t). Exit at t:
    close(t-1) >= VWAP(t-1), close(t) < VWAP(t) and close(t) < EMA(t).

    The original's VWAP was anchored at the first loaded bar and never reset, so its signals
    depended on the start date and the line grew sluggish over a long run; this is an explicitly
    rolling VWAP on daily bars, vwap_length (Ava's parameter) bars long.
    """

    name = "tv_vwap_strategy"
    version = "1.0.0"
    category = "volatility"
    description = (
        "Buys closes crossing above a rolling 20-bar VWAP while above the 20-EMA; sells closes "
        "crossing below it while below the EMA."
    )
    tags = ("vwap", "ema", "crossover")
    ema_length = Int(20, 2, 200, "EMA length n")
    vwap_length = Int(20, 2, 500, "Bars in the rolling VWAP")
    display = (
        Overlay("vwap", "VWAP, rolling {vwap_length} bars"),
        Overlay("ema", "EMA {ema_length}"),
    )

    def warmup(self) -> int:
        return max(self.ema_length, self.vwap_length) + 5

    def signals(self, bars: Bars) -> Signals:
        vwap = rolling_vwap(bars, self.vwap_length)
        trend = ema(bars.close, self.ema_length)
        close = bars.close
        d = close - vwap  # the cross from bar t-1 to t, by slicing (no lagged copies)
        entry = np.zeros(close.shape, dtype=np.bool_)
        leave = np.zeros(close.shape, dtype=np.bool_)
        entry[1:] = (d[:-1] <= 0) & (d[1:] > 0)
        leave[1:] = (d[:-1] >= 0) & (d[1:] < 0)
        return Signals(
            long_entry=entry & (close > trend),
            long_exit=leave & (close < trend),
            series={"vwap": vwap, "ema": trend},
        )
