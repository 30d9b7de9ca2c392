"""Daily 'strong close' continuation: buy a close high in the bar's range, exit after N bars."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Float, Int
from ava_backtest.strategies.registry import register


@register
class OpeningRangeBreakout(Strategy):
    """Buys when the close finishes more than ``range_pct`` of the bar's range above the open, and
    holds for ``hold_bars`` bars.

    RNG(t) = high(t) - low(t); TH(t) = open(t) + range_pct * RNG(t). Entry at t: close(t) > TH(t)
    and RNG(t) > 0. The exit is the time stop ``Signals.max_hold = hold_bars``: the fill bar counts
    as bar 1, so the exit is decided at the close ``hold_bars`` bars after the entry-signal bar and
    filled at the next open (hold_bars = 1: bought at the open of t+1, sold at the open of t+2),
    as in the original. No entry is taken on the bar that decides the exit, as in the original.

    Despite its name this is not an opening-range breakout: it is the catalogue's daily design,
    which reads only the current daily bar (there is no intraday range). The original's own
    ``in_position``/``bars_held`` flags are replaced by the engine's position; they differ only
    where the original's flags leaked from one symbol of the run to the next.
    """

    name = "opening_range_breakout"
    version = "2.0.0"
    category = "momentum"
    description = (
        "Daily 'strong close' continuation: buy when the close sits high in the bar's range, exit "
        "after a fixed number of bars."
    )
    tags = ("strong-close", "continuation", "time-exit", "momentum")
    direction = "long_only"
    parameters = {
        "range_pct": Float(
            0.3, 0.1, 0.8, "Fraction of the bar range above the open the close must exceed"
        ),
        "hold_bars": Int(1, 1, 10, "Bars to hold before the time exit (the fill bar is bar 1)"),
    }

    def warmup(self) -> int:
        return 2

    def signals(self, bars: Bars) -> Signals:
        rng = bars.high - bars.low
        threshold = bars.open + self.range_pct * rng
        sig = Signals.empty(bars.close.shape)
        with np.errstate(invalid="ignore"):
            sig.long_entry = (bars.close > threshold) & (rng > 0)
        sig.max_hold = self.hold_bars
        return sig
