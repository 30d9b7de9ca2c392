"""Fibonacci retracement: buy a pullback to the 38.2/50/61.8% level of a large prior up-swing."""

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
    bars_since_highest,
    bars_since_lowest,
    ema,
    highest,
    lowest,
    previous,
    rsi,
)

LEVELS = (0.382, 0.5, 0.618)


class FibonacciRetracement(Strategy):
    """Swing over the N = ``swing_lookback`` bars before t: SH = max(high[t-N..t-1]), SL =
    min(low[t-N..t-1]), R = SH - SL; levels F = SH - f * R for f in 0.382, 0.5, 0.618. Entry at
    t: R / SL > min_swing_pct, the swing is an up-swing (its low came before its high),
    |close(t) - F| / F < fib_tolerance for some level, close(t) > EMA(close, ema_period) (SMA
    seed) and Wilder RSI(t) < rsi_max. Exits: the stop ``atr_stop_mult`` x ATR(atr_period) below
    the fill (ATR at the signal bar) and the time stop ``max_hold`` (the fill bar is bar 1). No
    signal before the symbol's bar ``max(swing_lookback, rsi_period, ema_period, vol_sma_period,
    atr_period) + 5``. ``vol_sma_period`` plays no part in the rule (it only sets the warm-up).

    Differences: the original crashed on every bar (zero signals) and, fixed, had no exit; here
    the declared ATR stop and maximum hold are real engine exits. A down-swing (high before low)
    no longer qualifies: its "retracement" would be a bounce off the low. With no losses in the
    RSI window the RSI is 100 (the original's read 0, a buy).
    """

    name = "fibonacci_retracement"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Buys when price sits within a tolerance of the 38.2/50/61.8 percent retracement of a "
        "large prior up-swing, in an uptrend with RSI not overbought; ATR stop and time stop."
    )
    tags = ("fibonacci", "retracement", "pullback", "rsi", "atr-stop", "time-stop")
    swing_lookback = Int(40, 5, 250, "Swing window (bars before the current one)", window=True)
    min_swing_pct = Float(0.10, 0.0, 2.0, "Minimum (swing high - swing low)/swing low")
    fib_tolerance = Float(0.02, 0.001, 0.2, "Max relative distance of close from a fib level")
    rsi_period = Int(14, 2, 100, "RSI length", window=True)
    rsi_max = Float(60.0, 1.0, 100.0, "RSI must be below this")
    ema_period = Int(50, 2, 400, "Trend EMA length", window=True)
    vol_sma_period = Int(20, 1, 200, "Volume SMA length (unused by the rule)", window=True)
    atr_period = Int(14, 1, 100, "ATR length for the stop", window=True)
    atr_stop_mult = Float(2.0, 0.1, 10.0, "Stop distance below the fill, in ATRs")
    max_hold = Int(20, 1, 250, "Maximum bars held (the fill bar is bar 1)")
    display = (
        Overlay("fib_382", "Fib 38.2%"),
        Overlay("fib_500", "Fib 50%"),
        Overlay("fib_618", "Fib 61.8%"),
        Overlay("trend", "EMA {ema_period}"),
        Pane("rsi", "RSI {rsi_period}", levels=("rsi_max",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        n = self.swing_lookback
        age_hi = bars_since_highest(bars.high, n)
        age_lo = bars_since_lowest(bars.low, n)
        sh = previous(highest(bars.high, n))  # the value at age_hi bars back
        sl = previous(lowest(bars.low, n))
        up_swing = previous(age_lo) > previous(age_hi)
        with np.errstate(invalid="ignore"):
            rng = sh - sl
            fibs = [sh - f * rng for f in LEVELS]
        near = np.zeros(bars.close.shape, dtype=np.bool_)
        with np.errstate(divide="ignore", invalid="ignore"):
            for level in fibs:
                near |= np.abs(bars.close - level) / level < self.fib_tolerance
            big = rng / sl > self.min_swing_pct
        trend = ema(bars.close, self.ema_period)
        r = rsi(bars.close, self.rsi_period)
        entry = big & up_swing & near & (bars.close > trend) & (r < self.rsi_max)
        return Signals(
            long_entry=entry & bars.ready(self.warmup()),
            stop_loss=self.atr_stop_mult * atr(bars.high, bars.low, bars.close, self.atr_period),
            stop_loss_abs=True,
            max_hold=self.max_hold,
            series={
                "fib_382": fibs[0],
                "fib_500": fibs[1],
                "fib_618": fibs[2],
                "trend": trend,
                "rsi": r,
            },
        )
