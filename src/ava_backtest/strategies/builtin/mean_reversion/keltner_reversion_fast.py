"""Fast Keltner reversion (EMA 12, Wilder ATR 10, 1.8x): buy under the channel, short over it."""

from ava_backtest.strategies import Bars, Float, Int, Overlay, Signals, Strategy, atr, ema, previous


class KeltnerReversionFast(Strategy):
    """MID = EMA_n(close) (SMA-seeded); ATR = Wilder's ATR over ``atr_period`` (TA-Lib's start:
    the first bar has no range, first value at bar atr_period); UPPER/LOWER = MID +/- atr_mult *
    ATR. Entry long at t: close(t-1) < LOWER(t-1). At t, close(t-1) > UPPER(t-1) closes a long
    and opens a short; a later long entry reverses the short. Either side is closed by the
    engine's time stop ``max_hold`` (the fill bar is bar 1).

    The original's ATR seed stored at bar p-1 already included bar p's range (a peek ahead), then
    counted that range again; here the seed is the causal one at bar p, so early values differ
    slightly and converge. Its unused ``max_hold`` is a real time stop here, and the upper-band
    signal opens the short the original could not.
    """

    name = "keltner_reversion_fast"
    version = "1.0.0"
    category = "mean_reversion"
    direction = "long_short"
    description = (
        "Faster Keltner reversion (EMA 12, Wilder ATR 10, 1.8x): buys below the lower channel, "
        "sells and shorts above the upper; time stop after max_hold bars."
    )
    tags = ("keltner", "channel", "atr", "mean-reversion", "long-short", "time-stop")
    ema_period = Int(12, 2, 100, "Channel middle EMA", window=True)
    atr_period = Int(10, 2, 100, "ATR length", window=True)
    atr_mult = Float(1.8, 0.1, 5.0, "Channel half-width in ATRs")
    max_hold = Int(8, 1, 50, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("upper", "Upper"),
        Overlay("middle", "EMA {ema_period}"),
        Overlay("lower", "Lower"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        mid = ema(bars.close, self.ema_period)
        width = self.atr_mult * atr(bars.high, bars.low, bars.close, self.atr_period, "talib")
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
