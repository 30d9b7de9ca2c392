"""Keltner reversion: buy a close under the lower channel, sell and short one over the upper."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    ema,
    previous,
    sma,
    true_range,
)


class KeltnerReversion(Strategy):
    """MID = EMA_n(close) (SMA-seeded); ATR = plain mean of the last ``atr_period`` true ranges;
    UPPER/LOWER = MID +/- atr_mult * ATR. Entry long at t: close(t-1) < LOWER(t-1). At t,
    close(t-1) > UPPER(t-1) closes a long and opens a short; a later long entry reverses the
    short. Either side is closed by the engine's time stop ``max_hold`` (the fill bar is bar 1).

    The original declared ``max_hold`` but never used it and could not short; here the time stop
    is real and the upper-band signal opens the short its description promises.
    """

    name = "keltner_reversion"
    version = "1.1.0"
    category = "mean_reversion"
    direction = "long_short"
    description = (
        "Buys after a close below the lower Keltner channel (EMA 20 +/- 2 x SMA-ATR 14); sells "
        "and shorts after a close above the upper channel; time stop after max_hold bars."
    )
    tags = ("keltner", "channel", "atr", "mean-reversion", "long-short", "time-stop")
    ema_period = Int(20, 2, 200, "Channel middle EMA", window=True)
    atr_period = Int(14, 2, 200, "ATR length", window=True)
    atr_mult = Float(2.0, 0.1, 5.0, "Channel half-width in ATRs")
    max_hold = Int(10, 1, 100, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("upper", "Upper"),
        Overlay("middle", "EMA {ema_period}"),
        Overlay("lower", "Lower"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        mid = ema(bars.close, self.ema_period)
        width = self.atr_mult * sma(true_range(bars.high, bars.low, bars.close), self.atr_period)
        upper, lower = mid + width, mid - width
        prev_close = previous(bars.close)
        above = prev_close > previous(upper)
        return Signals(
            long_entry=prev_close < previous(lower),
            long_exit=above,
            short_entry=above,
            max_hold=self.max_hold,
            series={"upper": upper, "middle": mid, "lower": lower},
        )
