"""Donchian turtle: buy a close above the prior 20-bar high, sell a close below the prior 10-bar low."""

from ava_backtest.strategies import (
    Bars,
    Int,
    Overlay,
    Signals,
    Strategy,
    highest,
    lowest,
    previous,
)


class TvDonchianTurtle(Strategy):
    """EU(t) = highest high of the E = entry_length bars before t, XL(t) = lowest low of the X =
    exit_length bars before t. Entry at t: close(t-1) <= EU(t) and close(t) > EU(t). Exit at t:
    close(t-1) >= XL(t) and close(t) < XL(t). (EU(t) includes high(t-1) >= close(t-1), so the
    first condition always holds; likewise for XL.)

    As in the original: no 2N ATR stop, no N sizing and no pyramiding (none was declared), and the
    short side it computed was never emitted (the catalogue entry is long only).
    """

    name = "tv_donchian_turtle"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Turtle-style Donchian system: buy on a close crossing above the prior 20-bar high; sell "
        "on a close crossing below the prior 10-bar low."
    )
    tags = ("donchian", "turtle", "breakout", "channel")
    entry_length = Int(20, 1, 300, "Entry channel length E (bars before t)", window=True)
    exit_length = Int(10, 1, 300, "Exit channel length X (bars before t)", window=True)
    display = (
        Overlay("entry_high", "High of prior {entry_length}"),
        Overlay("exit_low", "Low of prior {exit_length}"),
    )
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        eu = previous(highest(bars.high, self.entry_length))
        xl = previous(lowest(bars.low, self.exit_length))
        prev_close = previous(c)
        return Signals(
            long_entry=(prev_close <= eu) & (c > eu),
            long_exit=(prev_close >= xl) & (c < xl),
            series={"entry_high": eu, "exit_low": xl},
        )
