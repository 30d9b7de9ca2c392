"""Keltner mean reversion: buy the bar after an oversold close at or under the lower Keltner band;
sell when the close gets back to the channel basis."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    keltner,
    previous,
    rsi,
)


class TvKeltnerMeanReversion(Strategy):
    """BASIS = EMA(close, kc_length), LOWER = BASIS - kc_mult x ATR(kc_length) (Wilder), RSI =
    Wilder RSI(rsi_length). Entry at t: close(t-1) <= LOWER(t-1) and RSI(t-1) < rsi_oversold.
    Exit at t (unless it enters): close(t) >= BASIS(t-1), back at the basis.

    Differences: the original's short-cover branch (close at or under the basis) was emitted as a
    buy and was the complement of its exit, so it was long whenever the close was under the
    previous basis and the Keltner/RSI entry hardly mattered; with no short to cover, that branch
    is dropped here. ``rsi_overbought`` belonged to the original's hard-disabled short entry and
    has no effect in this long-only design. ATR and RSI are the standard Wilder forms (the
    original seeded its ATR with n-1 ranges over n and gave RSI 0, not 100, with no losses).
    """

    name = "tv_keltner_mean_reversion"
    version = "1.0.0"
    category = "mean_reversion"
    direction = "long_only"
    description = (
        "Keltner-channel/RSI mean reversion: buys the bar after an oversold close at or under the "
        "lower band; sells when the close is back at the previous bar's basis."
    )
    tags = ("keltner", "rsi", "mean-reversion", "tradingview")
    kc_length = Int(20, 2, 250, "EMA and ATR length of the channel", window=True)
    kc_mult = Float(2.0, 0.1, 10.0, "ATR multiple for the bands")
    rsi_length = Int(14, 2, 100, "RSI length (Wilder)", window=True)
    rsi_oversold = Int(30, 1, 50, "Entry: RSI on bar t-1 below this")
    rsi_overbought = Int(70, 50, 99, "The original's disabled short entry level (no effect)")
    display = (
        Overlay("upper", "KC upper ({kc_length}, {kc_mult})"),
        Overlay("basis", "EMA {kc_length}"),
        Overlay("lower", "KC lower ({kc_length}, {kc_mult})"),
        Pane("rsi", "RSI {rsi_length}", levels=("rsi_oversold",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        kc = keltner(bars.high, bars.low, c, self.kc_length, self.kc_mult, self.kc_length)
        r = rsi(c, self.rsi_length)
        oversold = (c <= kc.lower) & (r < self.rsi_oversold)
        entry = np.zeros_like(oversold)
        entry[1:] = oversold[:-1]  # read on bar t-1
        return Signals(
            long_entry=entry,
            long_exit=(c >= previous(kc.middle)) & ~entry,
            series={"upper": kc.upper, "basis": kc.middle, "lower": kc.lower, "rsi": r},
        )
