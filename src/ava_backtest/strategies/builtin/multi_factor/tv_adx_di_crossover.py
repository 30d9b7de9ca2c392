"""ADX/DI crossover: buy +DI crossing above -DI in a trending market, sell the opposite cross."""

from ava_backtest.strategies import (
    Bars,
    Int,
    Pane,
    Signals,
    Strategy,
    adx,
    crossed_above,
    crossed_below,
    previous,
)


class TvAdxDiCrossover(Strategy):
    """+DI, -DI, ADX = Wilder's directional movement system over ``adx_len`` bars. Entry at t:
    +DI(t-1) <= -DI(t-1), +DI(t) > -DI(t) and ADX(t-1) > adx_thresh. Exit at t: +DI(t-1) >=
    -DI(t-1), +DI(t) < -DI(t) and ADX(t-1) > adx_thresh, so a bearish cross in a weak-trend
    regime does not close the long (as in the original; the Pine script's sell was a short entry,
    which this long-only catalogue entry does not take).
    """

    name = "tv_adx_di_crossover"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Buys when +DI crosses above -DI while the previous bar's ADX exceeds a threshold; sells on "
        "the opposite cross under the same ADX filter."
    )
    tags = ("adx", "dmi", "directional-movement", "crossover", "tradingview")
    adx_len = Int(14, 1, 100, "DI/ADX smoothing length")
    adx_thresh = Int(25, 0, 100, "ADX level the previous bar must exceed")
    display = (
        Pane("plus_di", "+DI {adx_len}"),
        Pane("minus_di", "-DI {adx_len}"),
        Pane("adx", "ADX {adx_len}", levels=("adx_thresh",)),
    )

    def warmup(self) -> int:
        return 3 * self.adx_len

    def signals(self, bars: Bars) -> Signals:
        d = adx(bars.high, bars.low, bars.close, self.adx_len)
        trending = previous(d.adx) > self.adx_thresh
        return Signals(
            long_entry=crossed_above(d.plus_di, d.minus_di, from_touch=True) & trending,
            long_exit=crossed_below(d.plus_di, d.minus_di, from_touch=True) & trending,
            series={"plus_di": d.plus_di, "minus_di": d.minus_di, "adx": d.adx},
        )
