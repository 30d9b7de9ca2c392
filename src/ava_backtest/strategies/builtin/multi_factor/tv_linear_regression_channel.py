"""Linear-regression channel: buy a close crossing above the previous bar's upper line, sell one
crossing below the lower line."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    linreg_value,
    previous,
    stddev,
)


def _lagged(flags: np.ndarray) -> np.ndarray:
    """A boolean array one bar later (False on the first bar)."""
    out = np.empty_like(flags)
    out[0] = False
    out[1:] = flags[:-1]
    return out


class TvLinearRegressionChannel(Strategy):
    """LR(t) = end point of the least-squares line through close(t-L+1..t) (Pine linreg(close, L,
    0)); SD(t) = population standard deviation of the same closes; UP/LO = LR +/- multiplier x SD.
    Entry at t: close(t-1) <= UP(t-1) < close(t). Exit at t (unless it enters): close(t-1) >=
    LO(t-1) > close(t). Same rule as the original; its lower-line sell, a short entry in the Pine
    idea, closes the long in this long-only design.
    """

    name = "tv_linear_regression_channel"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Buys a close that crosses above a linear-regression channel's upper line; exits on a "
        "cross below the lower line."
    )
    tags = ("linear-regression", "channel", "breakout", "tradingview")
    length = Int(50, 3, 500, "Regression and standard-deviation window", window=True)
    multiplier = Float(2.0, 0.1, 10.0, "Standard-deviation multiple for the channel lines")
    display = (
        Overlay("upper", "LR upper ({length}, {multiplier})"),
        Overlay("lr", "LR {length}"),
        Overlay("lower", "LR lower ({length}, {multiplier})"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        lr = linreg_value(c, self.length)
        width = self.multiplier * stddev(c, self.length)
        upper, lower = lr + width, lr - width
        prev_up, prev_lo = previous(upper), previous(lower)
        # close(t-1) against the bands of bar t-1: the comparison lagged as a boolean.
        entry = (c > prev_up) & _lagged(c <= upper)
        return Signals(
            long_entry=entry,
            long_exit=(c < prev_lo) & _lagged(c >= lower) & ~entry,
            series={"upper": upper, "lr": lr, "lower": lower},
        )
