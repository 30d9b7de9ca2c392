"""Modified turtle: N-bar breakout long / breakdown short with volume, price and liquidity filters and
an ATR trailing stop."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    atr,
    highest,
    lowest,
    previous,
    sma,
)


class ModifiedTurtle(Strategy):
    """P = high_period. HN, LN = highest high and lowest low of the P bars before t; VS = their
    mean volume. Filter at t: volume(t) > volume_mult x VS, close(t) >= min_price and VS >=
    min_volume. Long entry: close(t) > HN and the filter; short entry: close(t) < LN and the
    filter. Either reverses a position of the other side. Every trade trails a stop
    ``atr_stop_mult`` x ATR(atr_period) (Wilder, at the signal bar) behind the best price since the
    fill. ``priority`` is the breakout's size, (close - HN)/HN or (LN - close)/LN, capped at 1.

    The original could not short (its breakdown only closed longs) and never applied the ATR
    trailing stop it advertised; both are real here.
    """

    name = "modified_turtle"
    version = "1.1.0"
    category = "momentum"
    description = (
        "Turtle-style N-bar high breakout long and N-bar low breakdown short with volume, price "
        "and liquidity filters and an ATR trailing stop."
    )
    tags = ("turtle", "breakout", "donchian", "volume", "trailing-stop", "long-short")
    direction = "long_short"
    high_period = Int(20, 1, 250, "Breakout window P (bars before the current one)", window=True)
    volume_mult = Float(1.5, 0.1, 10.0, "Volume must exceed volume_mult x average volume")
    atr_period = Int(14, 1, 100, "ATR length (Wilder) for the trailing stop", window=True)
    atr_stop_mult = Float(2.0, 0.1, 10.0, "Trailing-stop distance in ATRs")
    min_price = Float(5.0, 0.01, 100000.0, "Minimum close")
    min_volume = Int(100000, 1000, 10_000_000_000, "Minimum average volume")
    display = (
        Overlay("high_n", "High of prior {high_period}"),
        Overlay("low_n", "Low of prior {high_period}"),
    )
    warmup_extra = 10

    def signals(self, bars: Bars) -> Signals:
        c, p = bars.close, self.high_period
        high_n = previous(highest(bars.high, p))
        low_n = previous(lowest(bars.low, p))
        vol_avg = previous(sma(bars.volume, p))
        ok = (
            (bars.volume > self.volume_mult * vol_avg)
            & (c >= self.min_price)
            & (vol_avg >= self.min_volume)
        )
        long_entry = (c > high_n) & ok
        short_entry = (c < low_n) & ok
        with np.errstate(divide="ignore", invalid="ignore"):
            strength = np.where(long_entry, (c - high_n) / high_n, (low_n - c) / low_n)
        return Signals(
            long_entry=long_entry,
            short_entry=short_entry,
            trail=self.atr_stop_mult * atr(bars.high, bars.low, c, self.atr_period),
            trail_abs=True,
            priority=np.where(long_entry | short_entry, np.minimum(strength, 1.0), np.nan),
            series={"high_n": high_n, "low_n": low_n},
        )
