"""RSI + Bollinger mean reversion: buy an oversold close under the lower band, sell when RSI is
back in its neutral zone; optional percent stop and target."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    bollinger,
    rsi,
)


class TvMeanReversionRsiBb(Strategy):
    """RSI = Wilder RSI(rsi_period); LOWER = SMA(close, bb_period) - bb_std x population standard
    deviation. Entry at t: RSI(t) < rsi_oversold and close(t) < LOWER(t). Exit at t (unless it
    enters): rsi_neutral_low < RSI(t) < rsi_neutral_high. Engine stop and target
    ``stop_loss_pct`` / ``take_profit_pct`` % from the fill when set (off by default, as in the
    catalogue; the original accepted and ignored them). ``rsi_overbought`` has no effect, as in
    the original.

    Difference: the original seeded its RSI with the mean of the positive (and negative) moves
    among the first n changes, divided by their count, and never signalled for a start with no
    down move in them; here it is the standard Wilder RSI.
    """

    name = "tv_mean_reversion_rsi_bb"
    version = "1.0.0"
    category = "mean_reversion"
    direction = "long_only"
    description = (
        "Buys when RSI is oversold and the close is below the lower Bollinger band; sells when RSI "
        "is back in a neutral 45-55 zone; optional percent stop and target."
    )
    tags = ("rsi", "bollinger", "mean-reversion", "tradingview")
    rsi_period = Int(14, 2, 200, "RSI length (Wilder)", window=True)
    bb_period = Int(20, 2, 300, "Bollinger length", window=True)
    bb_std = Float(2.0, 0.1, 10.0, "Bollinger width in population standard deviations")
    rsi_oversold = Int(30, 1, 50, "Entry: RSI below this")
    rsi_overbought = Int(70, 50, 99, "Unused, as in the original")
    rsi_neutral_low = Int(45, 1, 98, "Exit zone lower bound (exclusive)", below="rsi_neutral_high")
    rsi_neutral_high = Int(55, 2, 99, "Exit zone upper bound (exclusive)")
    stop_loss_pct = Float(None, 0.1, 99.0, "Stop below the fill, percent (None: off)")
    take_profit_pct = Float(None, 0.1, 1000.0, "Target above the fill, percent (None: off)")
    display = (
        Overlay("middle", "SMA {bb_period}"),
        Overlay("lower", "BB lower ({bb_period}, {bb_std})"),
        Pane(
            "rsi",
            "RSI {rsi_period}",
            levels=("rsi_oversold", "rsi_neutral_low", "rsi_neutral_high"),
        ),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        r = rsi(c, self.rsi_period)
        bb = bollinger(c, self.bb_period, self.bb_std)
        entry = (r < self.rsi_oversold) & (c < bb.lower)
        neutral = (r > self.rsi_neutral_low) & (r < self.rsi_neutral_high)
        stop, target = self.stop_loss_pct, self.take_profit_pct
        return Signals(
            long_entry=entry,
            long_exit=neutral & ~entry,
            stop_loss=None if stop is None else stop / 100.0,
            take_profit=None if target is None else target / 100.0,
            series={"middle": bb.middle, "lower": bb.lower, "rsi": r},
        )
