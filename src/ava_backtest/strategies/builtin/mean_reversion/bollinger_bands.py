"""Bollinger bands: buy a close below the lower band, exit once the close is back above the middle."""

from ava_backtest.strategies import Bars, Float, Int, Overlay, Signals, Strategy, bollinger


class BollingerBands(Strategy):
    """MID = SMA_n(close), SD = population standard deviation of the same n closes, LOW = MID -
    k * SD. Entry at t: close(t) < LOW(t). Exit at t: close(t) > MID(t).

    The original's own ``in_position`` flag is the engine's position here (entries are ignored
    while long, exits while flat); they differ only where the original's flag was out of step with
    the book (never reconciled with fills, and carried over from one symbol to the next).
    """

    name = "bollinger_bands"
    version = "2.0.0"
    category = "mean_reversion"
    description = (
        "Buys a close below the lower Bollinger band and exits once the close is back above the "
        "middle band."
    )
    tags = ("bollinger", "bands", "mean-reversion")
    bb_period = Int(20, 10, 50, "Band length n", window=True)
    bb_std_dev = Float(2.0, 1.0, 3.0, "Band width k in standard deviations")
    display = (
        Overlay("upper", "Upper"),
        Overlay("middle", "SMA {bb_period}"),
        Overlay("lower", "Lower"),
    )

    def signals(self, bars: Bars) -> Signals:
        bands = bollinger(bars.close, self.bb_period, self.bb_std_dev, ddof=0)
        return Signals(
            long_entry=bars.close < bands.lower,
            long_exit=bars.close > bands.middle,
            series={"upper": bands.upper, "middle": bands.middle, "lower": bands.lower},
        )
