"""Trend following with MACD confirmation: long while the fast EMA is over the slow one and MACD is
over its signal; out on either reversal, an ATR trailing stop or a maximum hold."""

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
    macd,
)


class TrendFollowingMacd(Strategy):
    """EF, ES = EMAs of the close (ma_fast, ma_slow); MACD, SIG = macd(macd_fast, macd_slow,
    macd_signal). Entry at t (a level test, not a cross): EF(t) > ES(t) and MACD(t) > SIG(t).
    Exit at t: EF(t) < ES(t) or MACD(t) < SIG(t). Every trade trails a stop ``atr_stop_mult`` x
    ATR(atr_period) (Wilder, at the signal bar) under the highest high since the fill, and closes
    after ``max_hold`` bars (the fill bar is bar 1: the original's hold counter).

    Differences from the original: it read every indicator one bar late (bars up to t-1), kept its
    in-trade state in one instance shared by all symbols (so a symbol could start "in trade"),
    and tested its trailing stop at the close against a distance re-measured each bar; here the
    rule is judged at bar t per symbol, and the trail is the engine's intrabar trailing stop with
    the distance measured at the entry signal.
    """

    name = "trend_following_macd"
    version = "1.0.0"
    category = "trend"
    direction = "long_only"
    description = (
        "Long while the fast EMA is above the slow EMA and MACD is above its signal; exits on "
        "either reversal, an ATR trailing stop under the highest high, or a maximum hold."
    )
    tags = ("trend", "ema", "macd", "atr", "trailing-stop", "time-stop")
    ma_fast = Int(20, 2, 200, "Fast trend EMA period", below="ma_slow", window=True)
    ma_slow = Int(50, 3, 400, "Slow trend EMA period", window=True)
    macd_fast = Int(12, 2, 100, "MACD fast EMA", below="macd_slow", window=True)
    macd_slow = Int(26, 3, 200, "MACD slow EMA", window=True)
    macd_signal = Int(9, 2, 100, "MACD signal EMA", window=True)
    atr_period = Int(14, 2, 100, "ATR period (Wilder) for the trailing stop", window=True)
    atr_stop_mult = Float(2.5, 0.1, 10.0, "Trailing stop distance in ATRs under the highest high")
    max_hold = Int(40, 1, 500, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("ema_fast", "EMA {ma_fast}"),
        Overlay("ema_slow", "EMA {ma_slow}"),
        Pane("macd", "MACD {macd_fast}/{macd_slow}"),
        Pane("macd_signal", "MACD signal {macd_signal}"),
    )
    rare_exits = {
        "max_hold": "on us_sample the MACD reversal always ends a trade before 40 bars (longest "
        "38), as it did in the original; the time stop is shown on hand-made bars"
    }
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        fast, slow = ema(c, self.ma_fast), ema(c, self.ma_slow)
        m = macd(c, self.macd_fast, self.macd_slow, self.macd_signal)
        return Signals(
            long_entry=(fast > slow) & (m.macd > m.signal),
            long_exit=(fast < slow) | (m.macd < m.signal),
            trail=self.atr_stop_mult * atr(bars.high, bars.low, c, self.atr_period),
            trail_abs=True,
            max_hold=self.max_hold,
            series={"ema_fast": fast, "ema_slow": slow, "macd": m.macd, "macd_signal": m.signal},
        )
