"""Daily 'strong close' continuation: buy a close high in the bar's range, exit after N bars."""

from ava_backtest.strategies import Bars, Float, Int, Overlay, Signals, Strategy


class OpeningRangeBreakout(Strategy):
    """RNG(t) = high(t) - low(t); TH(t) = open(t) + range_pct * RNG(t). Entry at t: close(t) >
    TH(t) and RNG(t) > 0. Exit: the time stop ``max_hold = hold_bars`` (the fill bar is bar 1:
    hold_bars = 1 buys at the open of t+1 and sells at the open of t+2), as in the original.

    Not an opening-range breakout despite its name: the catalogue's daily design reads only the
    current daily bar. The original's position flags leaked between symbols; the engine's do not.
    """

    name = "opening_range_breakout"
    version = "2.0.0"
    category = "momentum"
    description = (
        "Daily 'strong close' continuation: buy when the close sits high in the bar's range, exit "
        "after a fixed number of bars."
    )
    tags = ("strong-close", "continuation", "time-exit", "momentum")
    range_pct = Float(
        0.3, 0.1, 0.8, "Fraction of the bar range above the open the close must exceed"
    )
    hold_bars = Int(1, 1, 10, "Bars to hold before the time exit (the fill bar is bar 1)")
    display = (Overlay("threshold", "Strong-close threshold", style="dots"),)

    def warmup(self) -> int:
        return 2

    def signals(self, bars: Bars) -> Signals:
        rng = bars.high - bars.low
        threshold = bars.open + self.range_pct * rng
        return Signals(
            long_entry=(bars.close > threshold) & (rng > 0),
            max_hold=self.hold_bars,
            series={"threshold": threshold},
        )
