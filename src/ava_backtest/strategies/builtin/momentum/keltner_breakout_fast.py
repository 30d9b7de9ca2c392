"""Tight-base breakout (Kell style, with lagged base windows) held for a fixed number of bars."""

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
    ema,
    highest,
    lowest,
    previous,
    sma,
)


class KeltnerBreakoutFast(Strategy):
    """B = base_period. For bar i: BH(i), BL(i) = highest and lowest close of the B bars before i,
    AV(i) = their mean volume. ATR = Wilder ATR(atr_period); EF, ES = SMA-seeded EMAs. Entry at t:
    BH(t-1) - BL(t-1) < base_atr_mult x ATR(t-1), EF(t-1) > ES(t-1), close(t) > BH(t-1) and
    volume(t) > vol_mult x AV(t-1) — the base windows end at t-2, one bar staler than
    kell_base_breakout's, as in the original. Exit: the time stop ``max_hold`` (the fill bar is
    bar 1). ``risk_pct`` is kept from the catalogue but sizes nothing (no stop to risk against).

    Despite its name there is no Keltner channel. The original had no exit, so its first long was
    held to the end of the data; here max_hold is the engine's time stop. Its ATR counted the
    first bar's true range as 0; Ava's uses high - low there (a seed difference that decays).
    """

    name = "keltner_breakout_fast"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Kell-style tight-base breakout long with lagged base windows (no Keltner channel despite "
        "the name); time exit after max_hold bars."
    )
    tags = ("base-breakout", "kell", "volume", "ema-trend", "time-stop")
    atr_period = Int(14, 2, 100, "ATR length (Wilder)", window=True)
    base_period = Int(20, 2, 250, "Base window B", window=True)
    base_atr_mult = Float(4.0, 0.1, 20.0, "Tight base if range < base_atr_mult x ATR")
    ema_fast = Int(10, 2, 200, "Fast EMA", below="ema_slow", window=True)
    ema_slow = Int(20, 3, 400, "Slow EMA", window=True)
    vol_mult = Float(1.3, 1.0, 5.0, "Volume multiple")
    max_hold = Int(30, 1, 250, "Maximum bars held (the fill bar is bar 1)")
    risk_pct = Float(0.02, 0.001, 0.2, "Risk per trade (kept from the catalogue; sizes nothing)")
    display = (
        Overlay("base_high", "Base high ({base_period} closes, lagged)"),
        Overlay("ema_fast", "EMA {ema_fast}"),
        Overlay("ema_slow", "EMA {ema_slow}"),
        Pane("tightness", "Base range / ATR", levels=("base_atr_mult",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c, b = bars.close, self.base_period
        base_high = previous(highest(c, b), 2)
        base_range = base_high - previous(lowest(c, b), 2)
        atr_prev = previous(atr(bars.high, bars.low, c, self.atr_period))
        fast, slow = ema(c, self.ema_fast), ema(c, self.ema_slow)
        avg_vol = previous(sma(bars.volume, b), 2)
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
            max_hold=self.max_hold,
            series={
                "base_high": base_high,
                "ema_fast": fast,
                "ema_slow": slow,
                "tightness": tightness,
            },
        )
