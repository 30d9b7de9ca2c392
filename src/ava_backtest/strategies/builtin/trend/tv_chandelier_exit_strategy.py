"""Chandelier levels: long while the close holds above highest-high minus k ATR; out below both levels."""

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
)


class TvChandelierExitStrategy(Strategy):
    """HH, LL = highest high and lowest low of the last p = atr_period bars (bar t included); ATR
    = Wilder ATR(p) with the true range from bar 1 (first value the mean of TR 1..p). LONG_STOP =
    HH - k x ATR, SHORT_STOP = LL + k x ATR (k = atr_multiplier). Entry at t: close(t) >
    LONG_STOP(t). Exit at t: close(t) <= LONG_STOP(t) and close(t) < SHORT_STOP(t).

    As in the original, the levels are entry/exit conditions read at the close, not TradingView's
    ratcheting Chandelier Exit: the strategy is long on most bars and leaves only when the close
    falls under both levels.
    """

    name = "tv_chandelier_exit_strategy"
    version = "1.0.0"
    category = "trend"
    description = (
        "Chandelier-style levels: buy whenever close is above highest-high minus k*ATR; "
        "otherwise sell when close is below lowest-low plus k*ATR."
    )
    tags = ("chandelier", "atr", "trend", "volatility")
    atr_period = Int(14, 1, 200, "ATR length (Wilder) and highest/lowest lookback p", window=True)
    atr_multiplier = Float(3.0, 0.1, 10.0, "ATR multiple k")
    display = (
        Overlay("long_stop", "HH - {atr_multiplier} ATR"),
        Overlay("short_stop", "LL + {atr_multiplier} ATR"),
    )
    warmup_extra = 10

    def signals(self, bars: Bars) -> Signals:
        c, p = bars.close, self.atr_period
        rng = self.atr_multiplier * atr(bars.high, bars.low, c, p, convention="talib")
        long_stop = highest(bars.high, p) - rng
        short_stop = lowest(bars.low, p) + rng
        entry = c > long_stop
        return Signals(
            long_entry=entry,
            long_exit=~entry & (c < short_stop),
            series={"long_stop": long_stop, "short_stop": short_stop},
        )
