"""Turtle channel: buy a close above the entry channel's high, sell a close below the exit
channel's low (Donchian, long side)."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    highest,
    lowest,
    previous,
)


class TurtleChannel(Strategy):
    """EH, EL = highest high and lowest low of the ``entry_period`` bars before t; XL = lowest low
    of the ``exit_period`` bars before t. Entry at t: close(t) > EH(t) and close(t) >= min_price.
    Exit at t: close(t) < XL(t) or close(t) < EL(t). ``atr_period`` only sets the warm-up, as in
    the original (which defined an ATR helper and never called it).

    The original was a long/short design whose short cover was emitted as a buy, so in effect it
    bought every close above the exit channel's midpoint; it also used one bar fewer than each
    channel's length. The catalogue keeps the design long-only, so here the long side is the
    classic channel breakout: the cover rule (close above the midpoint) has no short to cover and
    is not a buy, the channels span their full length, and min_price gates entries only (a long
    under min_price can still be sold).
    """

    name = "turtle_channel"
    version = "1.1.0"
    category = "momentum"
    direction = "long_only"
    description = (
        "Donchian breakout, long side: buys a close above the prior entry_period-bar high and "
        "sells a close below the prior exit_period-bar low."
    )
    tags = ("turtle", "donchian", "breakout", "channel")
    entry_period = Int(20, 2, 300, "Entry channel length (bars before t)", window=True)
    exit_period = Int(10, 2, 300, "Exit channel length (bars before t)", window=True)
    atr_period = Int(14, 2, 100, "ATR period (sets the warm-up only)", window=True)
    min_price = Float(5.0, 0.0, 100000.0, "No entry when the close is below this")
    display = (
        Overlay("entry_high", "High of prior {entry_period}"),
        Overlay("exit_low", "Low of prior {exit_period}"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        entry_high = previous(highest(bars.high, self.entry_period))
        entry_low = previous(lowest(bars.low, self.entry_period))
        exit_low = previous(lowest(bars.low, self.exit_period))
        return Signals(
            long_entry=(c > entry_high) & (c >= self.min_price),
            long_exit=(c < exit_low) | (c < entry_low),
            series={"entry_high": entry_high, "exit_low": exit_low},
        )
