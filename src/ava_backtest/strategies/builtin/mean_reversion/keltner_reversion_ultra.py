"""Very short Keltner reversion (EMA 8, Wilder ATR 8, 1.5x): buy under the channel, short over it."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Int, Overlay, Signals, Strategy, atr, ema, previous


class KeltnerReversionUltra(Strategy):
    """MID = EMA_n(close) (SMA-seeded); ATR = Wilder's ATR over ``atr_period``; UPPER/LOWER =
    MID +/- atr_mult * ATR, defined from each symbol's bar max(ema_period, atr_period). Entry long
    at t: close(t-1) < LOWER(t-1). At t, close(t-1) > UPPER(t-1) closes a long and opens a short;
    a later long entry reverses the short. Either side is closed by the engine's time stop
    ``max_hold`` (the fill bar is bar 1).

    The original's ATR counted the first bar's range as 0 (here high - low, Pine's start; the
    difference fades within the warm-up); its unused ``max_hold`` is a real time stop here, and
    the upper-band signal opens the short the original could not.
    """

    name = "keltner_reversion_ultra"
    version = "1.1.0"
    category = "mean_reversion"
    direction = "long_short"
    description = (
        "Very short Keltner reversion (EMA 8, Wilder ATR 8, 1.5x): buys below the lower channel, "
        "sells and shorts above the upper; time stop after max_hold bars."
    )
    tags = ("keltner", "channel", "atr", "mean-reversion", "long-short", "time-stop")
    ema_period = Int(8, 2, 50, "Channel middle EMA", window=True)
    atr_period = Int(8, 2, 50, "ATR length", window=True)
    atr_mult = Float(1.5, 0.5, 5.0, "Channel half-width in ATRs")
    max_hold = Int(5, 1, 30, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("upper", "Upper"),
        Overlay("middle", "EMA {ema_period}"),
        Overlay("lower", "Lower"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        mid = ema(bars.close, self.ema_period)
        width = self.atr_mult * atr(bars.high, bars.low, bars.close, self.atr_period)
        ready = bars.ready(max(self.ema_period, self.atr_period))
        upper = np.where(ready, mid + width, np.nan)
        lower = np.where(ready, mid - width, np.nan)
        prev_close = previous(bars.close)
        above = prev_close > previous(upper)
        return Signals(
            long_entry=prev_close < previous(lower),
            long_exit=above,
            short_entry=above,
            max_hold=self.max_hold,
            series={"upper": upper, "middle": mid, "lower": lower},
        )
