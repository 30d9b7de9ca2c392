"""Williams fractal breakout: long while the previous close is above the last confirmed fractal high."""

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    highest,
    lowest,
    previous,
    value_when,
)


class TvFractalBreakout(Strategy):
    """n = fractal_period. Bar i is a fractal high when high(i) is the highest of high(i-n ..
    i+n) (ties allowed), a fractal low when low(i) is the lowest of low(i-n .. i+n); either is
    known on bar i+n. LFH(t), LFL(t) = the latest fractal high / low confirmed by bar t. Entry at
    t: close(t-1) > LFH(t) (a level test, repeated while it holds); exit at t, unless the entry
    fires: ``exit_on_fractal_low`` and close(t-1) < LFL(t). ``stop_loss_pct`` and
    ``take_profit_pct``, when set, are a stop and a target from the fill (engine exits).

    The original accepted the stop and target and ignored them; here they are real (off by
    default, as in the catalogue). The one-bar-old close against fractals confirmed at t is the
    original's timing (nothing after t is read).
    """

    name = "tv_fractal_breakout"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Williams fractals: buys while the previous close is above the latest confirmed fractal "
        "high, sells while it is below the latest fractal low; optional stop and target."
    )
    tags = ("fractals", "williams", "breakout", "swing")
    fractal_period = Int(2, 1, 20, "Bars each side of a fractal", window=True)
    exit_on_fractal_low = Bool(True, "Sell when the previous close is below the fractal low")
    stop_loss_pct = Float(None, 0.0, 1.0, "Stop below the fill, as a fraction (None or 0: off)")
    take_profit_pct = Float(None, 0.0, 1.0, "Target above the fill, as a fraction (None or 0: off)")
    display = (
        Overlay("fractal_high", "Last fractal high"),
        Overlay("fractal_low", "Last fractal low"),
    )

    def warmup(self) -> int:
        return 2 * self.fractal_period + 5

    def signals(self, bars: Bars) -> Signals:
        n = self.fractal_period
        h, lo = bars.high, bars.low
        centre_h, centre_l = previous(h, n), previous(lo, n)
        is_high = centre_h == highest(h, 2 * n + 1)
        is_low = centre_l == lowest(lo, 2 * n + 1)
        lfh = value_when(centre_h, is_high)
        lfl = value_when(centre_l, is_low)
        prev_close = previous(bars.close)
        entry = prev_close > lfh
        exit_ = (prev_close < lfl) & ~entry if self.exit_on_fractal_low else None
        return Signals(
            long_entry=entry,
            long_exit=exit_,
            stop_loss=self.stop_loss_pct or None,
            take_profit=self.take_profit_pct or None,
            series={"fractal_high": lfh, "fractal_low": lfl},
        )
