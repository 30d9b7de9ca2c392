"""RSI + MACD combo: buy RSI crossing back above oversold while the MACD histogram is positive;
sell RSI crossing back below overbought while it is negative."""

from ava_backtest.strategies import (
    Bars,
    Int,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    macd,
    rsi,
)


class TvRsiMacdCombo(Strategy):
    """RSI = Wilder RSI(rsi_length); MACD = EMA_fast - EMA_slow, SIG = EMA_signal(MACD), HIST =
    MACD - SIG (each EMA seeded with the mean of its first n values). Entry at t: RSI(t-1) <=
    rsi_oversold < RSI(t) and HIST(t) > 0. Exit at t: RSI(t-1) >= rsi_overbought > RSI(t) and
    HIST(t) < 0.

    Differences: the original never signalled — it seeded the signal line with a mean over the
    MACD's undefined leading values, so the histogram was undefined on every bar. Here the signal
    line is seeded on the first macd_signal defined MACD values, which is the rule its
    description states. Its RSI was undefined when the first rsi_length changes were all of one
    sign; the library's Wilder RSI is used.
    """

    name = "tv_rsi_macd_combo"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Buys RSI crossing back above oversold with a positive MACD histogram; sells RSI crossing "
        "back below overbought with a negative histogram."
    )
    tags = ("rsi", "macd", "oversold", "confirmation")
    rsi_length = Int(14, 2, 100, "RSI length n", window=True)
    rsi_overbought = Int(70, 1, 99, "Sell when RSI crosses back below this")
    rsi_oversold = Int(30, 1, 99, "Buy when RSI crosses back above this", below="rsi_overbought")
    macd_fast = Int(12, 1, 200, "MACD fast EMA length", below="macd_slow", window=True)
    macd_slow = Int(26, 2, 400, "MACD slow EMA length", window=True)
    macd_signal = Int(9, 1, 200, "MACD signal EMA length", window=True)
    display = (
        Pane("rsi", "RSI {rsi_length}", levels=("rsi_oversold", "rsi_overbought")),
        Pane("hist", "MACD histogram {macd_fast}/{macd_slow}/{macd_signal}", levels=(0.0,),
             style="histogram"),
    )  # fmt: skip
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        r = rsi(bars.close, self.rsi_length)
        hist = macd(bars.close, self.macd_fast, self.macd_slow, self.macd_signal).hist
        entry = crossed_above(r, float(self.rsi_oversold), from_touch=True) & (hist > 0.0)
        exit_ = crossed_below(r, float(self.rsi_overbought), from_touch=True) & (hist < 0.0)
        return Signals(long_entry=entry, long_exit=exit_, series={"rsi": r, "hist": hist})
