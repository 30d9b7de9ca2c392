"""Kell base breakout: buy a close above a tight closing base in an EMA uptrend on volume."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    crossed_below,
    ema,
    highest,
    lowest,
    previous,
    sma,
    true_range,
)


class KellBaseBreakout(Strategy):
    """B = base_period. BH(t), BL(t) = highest and lowest close of the B bars before t; ATR = SMA
    of the true range over atr_period; EF, ES = SMA-seeded EMAs of the close; AV(t) = mean volume
    of the B bars before t. Entry at t: BH(t) - BL(t) < base_atr_mult x ATR(t-1), EF(t-1) >
    ES(t-1), close(t) > BH(t) and volume(t) > vol_mult x AV(t). Exit at t (when not an entry):
    EF crosses below ES (EF(t-1) >= ES(t-1), EF(t) < ES(t)). ``risk_pct`` is kept from the
    catalogue but sizes nothing: the design declares no stop to risk against, so the run's sizing
    decides the quantity.

    The original crashed on every bar (its ATR helper); its volume average also included the
    breakout bar itself, which the catalogue notes as unintended, so here it covers the base's
    bars only.
    """

    name = "kell_base_breakout"
    version = "2.0.0"
    category = "momentum"
    description = (
        "Oliver Kell style: buys a close above a tight N-bar closing base in an EMA uptrend with "
        "volume; exits on a fast/slow EMA cross down."
    )
    tags = ("base-breakout", "kell", "volume", "ema-trend")
    atr_period = Int(14, 2, 100, "ATR length (SMA of the true range)", window=True)
    base_period = Int(
        20, 2, 250, "Base window B (closes before the bar) and volume-average length", window=True
    )
    base_atr_mult = Float(4.0, 0.1, 20.0, "Base is tight if its close range < base_atr_mult x ATR")
    ema_fast = Int(10, 2, 200, "Fast EMA", below="ema_slow", window=True)
    ema_slow = Int(20, 3, 400, "Slow EMA", window=True)
    vol_mult = Float(1.3, 1.0, 5.0, "Volume must exceed vol_mult x average volume")
    risk_pct = Float(0.02, 0.001, 0.2, "Risk per trade (kept from the catalogue; sizes nothing)")
    display = (
        Overlay("base_high", "Base high ({base_period} closes)"),
        Overlay("ema_fast", "EMA {ema_fast}"),
        Overlay("ema_slow", "EMA {ema_slow}"),
        Pane("tightness", "Base range / ATR", levels=("base_atr_mult",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c, b = bars.close, self.base_period
        base_high = previous(highest(c, b))
        base_range = base_high - previous(lowest(c, b))
        atr_prev = previous(
            sma(true_range(bars.high, bars.low, c, first_bar="high_low"), self.atr_period)
        )
        fast, slow = ema(c, self.ema_fast), ema(c, self.ema_slow)
        avg_vol = previous(sma(bars.volume, b))
        entry = (
            (base_range < self.base_atr_mult * atr_prev)
            & (previous(fast) > previous(slow))
            & (c > base_high)
            & (bars.volume > self.vol_mult * avg_vol)
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            tightness = base_range / atr_prev
        return Signals(
            long_entry=entry,
            long_exit=crossed_below(fast, slow, from_touch=True) & ~entry,
            series={
                "base_high": base_high,
                "ema_fast": fast,
                "ema_slow": slow,
                "tightness": tightness,
            },
        )
