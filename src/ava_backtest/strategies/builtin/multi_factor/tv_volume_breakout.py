"""Volume breakout: buy the bar after a close above the prior 20-bar high on double volume;
sell a close under the prior 20-bar low."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    highest,
    lowest,
    sma,
)


class TvVolumeBreakout(Strategy):
    """VMA = SMA(volume, volume_ma_period); SPIKE(i): volume(i) > volume_multiplier x VMA(i).
    HH(i), LL(i) = highest high / lowest low of price_breakout_period bars ending at i. Entry at
    t: SPIKE(t-1) and close(t-1) > HH(t-2) — the breakout bar is t-1, read one bar late as in the
    original. Exits: close(t) < LL(t-1), and the engine's stop ``stop_loss_pct`` / target
    ``take_profit_pct`` (fractions of the fill price) when set.

    Differences: the original never sold (one trade per symbol, held to the end) and ignored its
    stop and target. It computed the lowest low and left it unused; the breakdown below it is the
    exit here, and the stop and target are real when given (off by default, as in the catalogue).
    """

    name = "tv_volume_breakout"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Buys the bar after a high-volume close above the prior 20-bar high; sells a close below "
        "the prior 20-bar low; optional stop and target."
    )
    tags = ("volume", "breakout", "channel", "stop-loss", "take-profit")
    volume_ma_period = Int(20, 1, 500, "Volume SMA length", window=True)
    volume_multiplier = Float(2.0, 0.1, 50.0, "Volume must exceed this multiple of its SMA")
    price_breakout_period = Int(20, 1, 500, "Highest-high / lowest-low window", window=True)
    stop_loss_pct = Float(None, 0.0, 0.5, "Stop below the fill, as a fraction (None or 0: off)")
    take_profit_pct = Float(None, 0.0, 2.0, "Target above the fill, as a fraction (None or 0: off)")
    display = (
        Overlay("high", "Highest high {price_breakout_period}"),
        Overlay("low", "Lowest low {price_breakout_period}"),
        Pane("volume_ma", "Volume SMA {volume_ma_period}"),
    )
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        c, v = bars.close, bars.volume
        vma = sma(v, self.volume_ma_period)
        hh = highest(bars.high, self.price_breakout_period)
        ll = lowest(bars.low, self.price_breakout_period)
        # Levels of bar i-1 against bar i, on views one row back.
        now, then = slice(1, None), slice(None, -1)
        breakout = np.zeros(c.shape, dtype=np.bool_)  # the breakout bar i
        breakout[now] = (v[now] > self.volume_multiplier * vma[now]) & (c[now] > hh[then])
        entry = np.zeros(c.shape, dtype=np.bool_)  # ... bought on bar i + 1
        entry[now] = breakout[then]
        exit_ = np.zeros(c.shape, dtype=np.bool_)
        exit_[now] = c[now] < ll[then]
        return Signals(
            long_entry=entry,
            long_exit=exit_ & ~entry,
            stop_loss=self.stop_loss_pct or None,
            take_profit=self.take_profit_pct or None,
            series={"high": hh, "low": ll, "volume_ma": vma},
        )
