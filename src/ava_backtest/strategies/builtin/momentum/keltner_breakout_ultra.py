"""Tight-base breakout (Kell style, Wilder ATR) with the fast/slow EMA cross-down exit."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    atr,
    crossed_below,
    ema,
    highest,
    lowest,
    previous,
    sma,
)


class KeltnerBreakoutUltra(Strategy):
    """B = base_period. BH(t), BL(t) = highest and lowest close of the B bars before t, AV(t) =
    their mean volume (1 where it is 0); ATR = Wilder ATR(atr_period); EF, ES = SMA-seeded EMAs.
    Entry at t >= B + 1: BH(t) - BL(t) < base_atr_mult x ATR(t-1), EF(t-1) > ES(t-1), close(t) >
    BH(t) and volume(t) > vol_mult x AV(t). Exit at t (when not an entry): EF crosses below ES
    (EF(t-1) >= ES(t-1), EF(t) < ES(t)). ``risk_pct`` is kept from the catalogue but sizes
    nothing (no stop to risk against).

    Despite its name there is no Keltner channel. The original had no exit at all, so its first
    long was held to the end of the data; Ava adds the exit of the design it varies,
    kell_base_breakout's EMA cross down. Its ATR seed divided p-1 true ranges by p; Ava's is
    the standard Wilder seed (the difference decays within a few dozen bars).
    """

    name = "keltner_breakout_ultra"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Variant of the Kell tight-base breakout long (Wilder ATR, no Keltner channel despite the "
        "name); exits on a fast/slow EMA cross down."
    )
    tags = ("base-breakout", "kell", "volume", "ema-trend")
    atr_period = Int(14, 2, 100, "ATR length (Wilder)", window=True)
    base_period = Int(20, 2, 250, "Base window B", window=True)
    base_atr_mult = Float(4.0, 0.1, 20.0, "Tight base if range < base_atr_mult x ATR")
    ema_fast = Int(10, 2, 200, "Fast EMA", below="ema_slow", window=True)
    ema_slow = Int(20, 3, 400, "Slow EMA", window=True)
    vol_mult = Float(1.3, 1.0, 5.0, "Volume multiple")
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
        atr_prev = previous(atr(bars.high, bars.low, c, self.atr_period))
        fast, slow = ema(c, self.ema_fast), ema(c, self.ema_slow)
        avg_vol = previous(sma(bars.volume, b))
        avg_vol = np.where(avg_vol == 0, 1.0, avg_vol)
        entry = (
            (base_range < self.base_atr_mult * atr_prev)
            & (previous(fast) > previous(slow))
            & (c > base_high)
            & (bars.volume > self.vol_mult * avg_vol)
            & bars.ready(b + 1)
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
