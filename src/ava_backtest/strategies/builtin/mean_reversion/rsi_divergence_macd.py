"""RSI divergence confirmed by a MACD histogram zero cross, long and short."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Int,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    highest,
    lowest,
    macd,
    previous,
    rsi,
)


class RsiDivergenceMacd(Strategy):
    """On bar s = t-1, with the window of the W = divergence_window bars ending at s: bullish
    when close(s) <= 1.01 x the window's lowest close, RSI(s) > the window's lowest RSI + 2 and
    the MACD histogram crosses up through zero at s (H(s-1) <= 0 < H(s)); bearish the mirror
    image (close within 1% of the highest close, RSI 2 under its highest, H crossing down). Long
    entry at t on bullish, short entry on bearish (each reverses the other side). Long exit at
    t: RSI(s) > 70 or H crossing down at s; else short exit: RSI(s) < 30 or H crossing up at s.
    RSI is Wilder's.

    The original never traded: its MACD signal line was seeded with NaNs, so the histogram was
    NaN everywhere; its exits were "hold" notices the engine ignored, and its bearish "sell"
    could not short. Here the histogram is the standard one and the exits and the short are real.
    """

    name = "rsi_divergence_macd"
    version = "1.1.0"
    category = "mean_reversion"
    direction = "long_short"
    description = (
        "RSI bullish/bearish divergence over a 10-bar window confirmed by a MACD histogram zero "
        "cross; exits on RSI extremes or the opposite histogram cross."
    )
    tags = ("rsi", "macd", "divergence", "long-short")
    rsi_period = Int(14, 2, 50, "RSI length", window=True)
    divergence_window = Int(10, 2, 50, "Window W of bars for the divergence test", window=True)
    macd_fast = Int(12, 2, 50, "MACD fast", below="macd_slow")
    macd_slow = Int(26, 2, 100, "MACD slow", window=True)
    macd_signal = Int(9, 2, 50, "MACD signal")
    display = (
        Pane("rsi", "RSI {rsi_period}", levels=(30.0, 70.0)),
        Pane("hist", "MACD histogram", levels=(0.0,)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        w = self.divergence_window
        r = rsi(c, self.rsi_period)
        hist = macd(c, self.macd_fast, self.macd_slow, self.macd_signal).hist
        up = crossed_above(hist, 0.0, from_touch=True)
        down = crossed_below(hist, 0.0, from_touch=True)
        bullish = (c <= 1.01 * lowest(c, w)) & (r > lowest(r, w) + 2.0) & up
        bearish = (c >= 0.99 * highest(c, w)) & (r < highest(r, w) - 2.0) & down
        leave_long = (r > 70.0) | down
        leave_short = ~leave_long & ((r < 30.0) | up)
        return Signals(
            long_entry=_lagged(bullish),
            long_exit=_lagged(leave_long),
            short_entry=_lagged(bearish),
            short_exit=_lagged(leave_short),
            series={"rsi": r, "hist": hist},
        )


def _lagged(flags: np.ndarray) -> np.ndarray:
    """The flags one bar later (False on the first bar)."""
    return previous(flags * 1.0) == 1.0
