"""Keltner trend: buy a close breaking above an EMA + ATR channel, sell one breaking below it."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    ema,
    previous,
    true_range,
)


class TvKeltnerTrend(Strategy):
    """BASIS = EMA(close, ema_length); ATR = EMA (alpha 2/(m+1), not Wilder) of the true range,
    m = atr_length, seeded with the mean of TR(1..m); UPPER/LOWER = BASIS +/- multiplier x ATR.
    Entry at t: close(t) > UPPER(t) and close(t-1) <= UPPER(t). Exit at t: close(t) < LOWER(t) and
    close(t-1) >= LOWER(t). As in the original, the previous close is compared with the current
    bar's band.

    Differences: the original left its lower-band branch commented out, so it had no exit and held
    its first breakout to the end of the data; here the mirror break below the lower band closes
    the long. Its ATR seed (the mean of TR(1..m)) was stored one bar early, at bar m-1; here it is
    at bar m, where all m ranges are known.
    """

    name = "tv_keltner_trend"
    version = "1.0.0"
    category = "trend"
    direction = "long_only"
    description = (
        "Buys a close that breaks above an EMA + ATR Keltner upper band; sells a close that breaks "
        "below the lower band."
    )
    tags = ("keltner", "atr", "breakout", "trend", "tradingview")
    ema_length = Int(20, 1, 500, "EMA length of the channel basis", window=True)
    atr_length = Int(10, 1, 200, "ATR length (EMA-smoothed true range)", window=True)
    multiplier = Float(2.0, 0.1, 10.0, "ATR multiple for the bands")
    display = (
        Overlay("upper", "KC upper ({ema_length}, {multiplier})"),
        Overlay("basis", "EMA {ema_length}"),
        Overlay("lower", "KC lower ({ema_length}, {multiplier})"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        basis = ema(c, self.ema_length)
        width = self.multiplier * ema(true_range(bars.high, bars.low, c), self.atr_length)
        upper, lower = basis + width, basis - width
        prev_c = previous(c)
        entry = (c > upper) & (prev_c <= upper)
        return Signals(
            long_entry=entry,
            long_exit=(c < lower) & (prev_c >= lower) & ~entry,
            series={"upper": upper, "basis": basis, "lower": lower},
        )
