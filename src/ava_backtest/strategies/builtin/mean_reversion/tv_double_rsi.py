"""Double RSI: buy the primary RSI climbing back out of oversold while a slower RSI is depressed;
take profit, or sell the mirror-image overbought turn."""

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    previous,
    rsi,
)


class TvDoubleRsi(Strategy):
    """R1 = Wilder RSI(rsi_length), R2 = Wilder RSI(rsi_length_secondary). Entry at t: R1(t-1) <=
    rsi_oversold < R1(t) and R2(t-1) < secondary_oversold. Exits: the take-profit ``tp_percent``
    % above the fill (when ``use_tp``), and at t: R1(t-1) >= rsi_overbought > R1(t) with R2(t-1)
    > secondary_overbought.

    Differences: the original's RSI was seeded with the mean of every change up to the current
    bar, so its past values moved as bars arrived; here it is the standard, fixed Wilder RSI.
    The original had no exit at all (its sell branch was hard-disabled and use_tp/tp_percent were
    ignored), so it held its first long to the end of the data. Here the declared take-profit is
    a real engine exit, and the disabled sell — the overbought mirror of the entry, which gave
    rsi_overbought and secondary_overbought their meaning — closes the long.
    """

    name = "tv_double_rsi"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Buy when the 14-period RSI crosses back above oversold while the 21-period RSI was also "
        "depressed; take profit at tp_percent, or sell the mirror-image overbought turn."
    )
    tags = ("rsi", "oversold", "mean-reversion", "take-profit")
    rsi_length = Int(14, 2, 100, "Primary RSI length (Wilder)", window=True)
    rsi_length_secondary = Int(21, 2, 200, "Secondary RSI length (Wilder)", window=True)
    rsi_oversold = Float(30.0, 1.0, 50.0, "Entry: primary RSI crosses back above this")
    rsi_overbought = Float(70.0, 50.0, 99.0, "Exit: primary RSI crosses back below this")
    secondary_oversold = Float(35.0, 1.0, 60.0, "Entry: secondary RSI on bar t-1 below this")
    secondary_overbought = Float(65.0, 40.0, 99.0, "Exit: secondary RSI on bar t-1 above this")
    use_tp = Bool(True, "Take profit at tp_percent above the fill")
    tp_percent = Float(1.2, 0.1, 50.0, "Take-profit distance, percent of the fill price")
    display = (
        Pane(
            "rsi",
            "RSI {rsi_length}",
            pane="rsi",
            levels=("rsi_oversold", "rsi_overbought"),
        ),
        Pane(
            "rsi_secondary",
            "RSI {rsi_length_secondary}",
            pane="rsi",
            levels=("secondary_oversold", "secondary_overbought"),
        ),
    )
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        r1 = rsi(bars.close, self.rsi_length)
        r2 = rsi(bars.close, self.rsi_length_secondary)
        r2_prev = previous(r2)
        entry = crossed_above(r1, self.rsi_oversold, from_touch=True) & (
            r2_prev < self.secondary_oversold
        )
        exit_ = crossed_below(r1, self.rsi_overbought, from_touch=True) & (
            r2_prev > self.secondary_overbought
        )
        return Signals(
            long_entry=entry,
            long_exit=exit_,
            take_profit=self.tp_percent / 100.0 if self.use_tp else None,
            series={"rsi": r1, "rsi_secondary": r2},
        )
