"""Gap and go: at the open, go with a 2-8% opening gap; out at that day's close."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Pane, Signals, Strategy, previous


class GapAndGo(Strategy):
    """Decided at the open of bar t (``timing = "open"``, filled at open(t)): GAP(t) = (open(t) -
    close(t-1)) / close(t-1), undefined where close(t-1) is missing or 0. Long entry: min_gap_pct
    <= GAP(t) <= max_gap_pct; short entry: -max_gap_pct <= GAP(t) <= -min_gap_pct. Every trade
    has the stop ``stop_pct`` from the fill and closes at bar t's own close (``exit_at =
    "close"`` with a one-bar time stop): the intraday continuation trade the design describes.

    The original decided at the gap day's close, filled at the next open, held longs until some
    later gap down, could not short and ignored stop_pct; here the gap is traded on its own day.
    """

    name = "gap_and_go"
    version = "1.0.0"
    category = "momentum"
    description = (
        "At the open, buys a 2-8 percent gap up and shorts a 2-8 percent gap down; stop at "
        "stop_pct, out at the same day's close."
    )
    tags = ("gap", "opening-gap", "intraday", "continuation", "long-short")
    direction = "long_short"
    timing = "open"
    exit_at = "close"
    min_gap_pct = Float(0.02, 0.0, 0.5, "Minimum absolute gap fraction", below="max_gap_pct")
    max_gap_pct = Float(0.08, 0.001, 1.0, "Maximum absolute gap fraction")
    stop_pct = Float(0.01, 0.001, 0.5, "Stop distance from the fill (the open), as a fraction")
    display = (Pane("gap", "Opening gap", levels=("min_gap_pct", "max_gap_pct")),)

    def warmup(self) -> int:
        return 2

    def signals(self, bars: Bars) -> Signals:
        prev_close = previous(bars.close)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(prev_close != 0, (bars.open - prev_close) / prev_close, np.nan)
        lo, hi = self.min_gap_pct, self.max_gap_pct
        return Signals(
            long_entry=(gap >= lo) & (gap <= hi),
            short_entry=(gap >= -hi) & (gap <= -lo),
            stop_loss=self.stop_pct,
            max_hold=1,
            series={"gap": gap},
        )
