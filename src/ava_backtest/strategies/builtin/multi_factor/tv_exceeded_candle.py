"""Exceeded candle: buy a green candle closing above the prior red candle's open under the
Bollinger middle band; sell above the upper band (both read one bar late)."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    bollinger,
    previous,
)


class TvExceededCandle(Strategy):
    """BASIS = SMA(close, length), UPPER = BASIS + mult x population std. With k = t-1 (the
    original read only closed history, so the pattern on bar t-1 is acted on at t's close):
    entry at t when bar k-1 is red (close < open), bar k is green, close(k) > open(k-1),
    close(k) < BASIS(k), and not both bars k-2 and k-3 red (open > close). Exit at t (not an
    entry bar): close(k) > UPPER(k). As in the original; its red-exceeded short was disabled and
    the catalogue entry is long only.
    """

    name = "tv_exceeded_candle"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Buy a green candle that closes above the prior red candle's open while below the "
        "Bollinger middle band; sell above the upper band (evaluated one bar late)."
    )
    tags = ("candlestick", "pattern", "bollinger", "reversal")
    length = Int(20, 2, 200, "Bollinger/SMA length", window=True)
    mult = Float(2.0, 0.1, 5.0, "Bollinger std multiple (population std)")
    display = (
        Overlay("basis", "SMA {length}"),
        Overlay("upper", "Upper ({mult} sd)"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        o, c = bars.open, bars.close
        bands = bollinger(c, self.length, self.mult, ddof=0)
        o1, c1 = previous(o), previous(c)  # bar k = t-1
        o2, c2 = previous(o, 2), previous(c, 2)  # bar k-1
        red3 = previous(o, 3) > previous(c, 3)  # bar k-2
        red4 = previous(o, 4) > previous(c, 4)  # bar k-3
        entry = (c2 < o2) & (c1 > o1) & (c1 > o2) & (c1 < previous(bands.middle)) & ~(red3 & red4)
        return Signals(
            long_entry=entry,
            long_exit=~entry & (c1 > previous(bands.upper)),
            series={"basis": bands.middle, "upper": bands.upper},
        )
