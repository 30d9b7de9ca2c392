"""Daily 'scalp': buy an RSI dip near the lower Bollinger band inside a fast-over-slow EMA uptrend;
out on an RSI recovery, an ATR stop or after a few bars."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    bollinger,
    cutler_rsi,
    ema,
    sma,
    true_range,
)


class ScalpingDaily(Strategy):
    """RSI = Cutler's RSI(rsi_period) (plain means of the last n gains/losses); BBL = lower band of
    Bollinger(20, 2, sample std) of the close; EF, ES = EMAs of the close. Entry at t: RSI(t) <
    rsi_entry, close(t) <= 1.02 x BBL(t) and EF(t) > ES(t). Exits: RSI(t) > rsi_exit, a stop
    ``atr_stop_mult`` x ATR(atr_period) (SMA of the true range, at the signal bar) below the fill,
    and the time stop ``max_hold`` bars (the fill bar is bar 1).

    The original crashed on every bar (its RSI and ATR helpers); meant to be read from bar t-1
    with no exit at all, it declared rsi_exit, atr_stop_mult and max_hold and never used them.
    Here the dip is judged at the close of bar t and the three declared exits are real.
    """

    name = "scalping_daily"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Buys a short-term dip (RSI oversold near the lower Bollinger band) inside a fast-over-slow "
        "EMA uptrend; exits on an RSI recovery, an ATR stop or after max_hold bars."
    )
    tags = ("scalping", "rsi", "bollinger", "ema-trend", "atr-stop", "time-stop")
    ema_fast = Int(5, 2, 100, "Fast EMA period (trend filter)", below="ema_slow", window=True)
    ema_slow = Int(13, 3, 300, "Slow EMA period (trend filter)", window=True)
    rsi_period = Int(7, 2, 50, "RSI period (simple-average RSI)", window=True)
    rsi_entry = Float(40.0, 5.0, 60.0, "Buy when RSI is below this", below="rsi_exit")
    rsi_exit = Float(65.0, 30.0, 95.0, "Sell when RSI is above this")
    atr_period = Int(14, 2, 100, "ATR period (SMA of the true range) for the stop", window=True)
    atr_stop_mult = Float(1.0, 0.1, 10.0, "Stop distance below the fill, in ATRs")
    max_hold = Int(3, 1, 100, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("ema_fast", "EMA {ema_fast}"),
        Overlay("ema_slow", "EMA {ema_slow}"),
        Overlay("bb_lower", "Lower Bollinger band (20, 2)"),
        Pane("rsi", "RSI {rsi_period}", levels=("rsi_entry", "rsi_exit")),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        r = cutler_rsi(c, self.rsi_period)
        lower = bollinger(c, 20, 2.0, ddof=1).lower
        fast, slow = ema(c, self.ema_fast), ema(c, self.ema_slow)
        tr = true_range(bars.high, bars.low, c, first_bar="high_low")
        return Signals(
            long_entry=(r < self.rsi_entry) & (c <= 1.02 * lower) & (fast > slow),
            long_exit=r > self.rsi_exit,
            stop_loss=self.atr_stop_mult * sma(tr, self.atr_period),
            stop_loss_abs=True,
            max_hold=self.max_hold,
            series={"ema_fast": fast, "ema_slow": slow, "bb_lower": lower, "rsi": r},
        )
