"""Mean reversion to a rolling VWAP: buy a close 2% below it, sell when the close is back near it
(or overshoots 2% above it), and at the latest after max_hold bars."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    rolling_sum,
    typical_price,
)


class VwapReversion(Strategy):
    """VWAP(t): a rolling VWAP of the last vwap_period daily bars (sum TP x volume / sum volume,
    TP = (high + low + close) / 3). BELOW(t) = close(t) < VWAP(t) (1 - entry_deviation); ABOVE(t)
    = close(t) > VWAP(t) (1 + entry_deviation); NEAR(t) = |close(t) - VWAP(t)| / VWAP(t) <=
    exit_target. Entry at t: BELOW(t). Exit at t: NEAR(t) or ABOVE(t); the engine closes a long
    after max_hold bars (``max_hold``).

    The original anchored the VWAP at the first loaded bar (vwap_period was only a bar-count
    guard), kept a long/short state machine of its own that fell out of step with the book (its
    'short' entries did nothing and its 'covers' opened real longs), and leaked that state
    between symbols. Here vwap_period is the rolling VWAP's length, the book is the engine's, the
    'short' signal is what it executed as (a long exit) and the time stop is real.
    """

    name = "vwap_reversion"
    version = "1.1.0"
    category = "mean_reversion"
    description = (
        "Buys a close 2% below a rolling 20-bar VWAP; sells near the VWAP, 2% above it, or after "
        "max_hold bars."
    )
    tags = ("vwap", "mean-reversion", "time-exit")
    vwap_period = Int(20, 1, 500, "Bars in the rolling VWAP")
    entry_deviation = Float(0.02, 0.0, 0.5, "Fractional distance below the VWAP that buys")
    exit_target = Float(0.005, 0.0, 0.2, "Sell when |close - VWAP| / VWAP is within this")
    max_hold = Int(5, 1, 252, "Bars a trade is held at most")
    display = (Overlay("vwap", "VWAP, rolling {vwap_period} bars"),)

    def warmup(self) -> int:
        return self.vwap_period + 5

    def signals(self, bars: Bars) -> Signals:
        tp = typical_price(bars.high, bars.low, bars.close)
        vol = rolling_sum(bars.volume, self.vwap_period)
        with np.errstate(invalid="ignore", divide="ignore"):
            vwap = np.where(vol > 0, rolling_sum(tp * bars.volume, self.vwap_period) / vol, np.nan)
        close = bars.close
        below = close < vwap * (1.0 - self.entry_deviation)
        above = close > vwap * (1.0 + self.entry_deviation)
        near = abs(close - vwap) / vwap <= self.exit_target
        return Signals(
            long_entry=below,
            long_exit=near | above,
            max_hold=self.max_hold,
            series={"vwap": vwap},
        )
