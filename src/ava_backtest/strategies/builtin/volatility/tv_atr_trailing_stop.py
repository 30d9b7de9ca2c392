"""ATR trailing stop: long on a flip of the close-based ATR trailing stop to the up side, out on a
flip down."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    previous,
    sma,
    true_range,
    volatility_stop,
)


class TvAtrTrailingStop(Strategy):
    """ATR(t) = mean true range of the last ``atr_length`` bars (from bar ``atr_length``); the
    stop (``volatility_stop``) starts in an uptrend at the first bar with an ATR, at close -
    atr_multiplier x ATR, ratchets up to the highest close - k x ATR, flips down when a close falls
    below it (to close + k x ATR, which then only falls) and back up on a close above it. Entry at
    t: the direction flips to up on bar t; exit at t: it flips to down.

    The original seeded the stop at bar 0, where the ATR is undefined; Python's max(NaN, x) kept
    it NaN for ever, so it never emitted a signal. Here it is seeded at the first bar with an ATR,
    the behaviour the design describes.
    """

    name = "tv_atr_trailing_stop"
    version = "1.0.0"
    category = "volatility"
    direction = "long_only"
    description = (
        "ATR trailing-stop flip system: buys when the close breaks above the trailing stop (flip "
        "up), sells when it breaks below (flip down)."
    )
    tags = ("atr", "trailing-stop", "stop-and-reverse", "tradingview")
    atr_length = Int(14, 1, 200, "ATR length (simple mean of the true range)", window=True)
    atr_multiplier = Float(3.0, 0.1, 20.0, "Stop distance in ATRs")
    display = (Overlay("stop", "ATR trailing stop ({atr_length}, {atr_multiplier})"),)
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        atr_ = sma(true_range(bars.high, bars.low, c), self.atr_length)
        vs = volatility_stop(c, self.atr_multiplier * atr_)
        was = previous(vs.direction)
        return Signals(
            long_entry=(vs.direction == 1.0) & (was == -1.0),
            long_exit=(vs.direction == -1.0) & (was == 1.0),
            series={"stop": vs.line},
        )
