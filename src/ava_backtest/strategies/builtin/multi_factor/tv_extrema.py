"""Extrema kick: buy when a run of new short-term lows ends, sell when a run of new highs ends."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    ParameterError,
    Signals,
    Strategy,
    highest,
    lowest,
    previous,
)

LONGEST = 2520
"""The longest period of the ladder Ava accepts (ten years of daily bars)."""


def _periods(base: float, factor: float, crop: int, count: int) -> list[int]:
    return [round(base ** (factor * (j + crop))) for j in range(count)]


def _shifted(flag: np.ndarray) -> np.ndarray:
    out = np.zeros_like(flag)
    out[1:] = flag[:-1]
    return out


class TvExtrema(Strategy):
    """Period ladder P_j = round(base^(factor * (j + crop))), j < max_periods (8 ... 256 with the
    defaults). FALL(t): low(t) is below the lowest low of the P bars before t for some P of the
    ladder; RISE(t): high(t) above the highest high of the P bars before t. A new low against a
    longer window is one against the shortest, so both reduce to Pmin, the smallest period, and
    that is how they are computed. Entry at t: FALL(t-1) and not FALL(t) (a run of new lows just
    ended); exit at t: RISE(t-1) and not RISE(t), unless the entry fires.

    As in the original, the longer periods only set the warm-up; its min_periods=1 windows (which
    crash on current polars) could fire inside the warm-up, here nothing fires before Pmin + 1
    bars. A ladder whose longest period exceeds 2520 bars is refused.
    """

    name = "tv_extrema"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Extrema kick: buys on the first bar after a run of new short-term lows ends and sells on "
        "the first bar after a run of new highs ends."
    )
    tags = ("extrema", "new-low", "new-high", "reversal")
    base = Float(2.0, 1.1, 4.0, "Base of the exponential period ladder")
    factor = Float(1.0, 0.1, 3.0, "Exponent scale")
    crop = Int(3, 0, 12, "Exponent offset (smallest period = base^(factor*crop))")
    max_periods = Int(6, 1, 12, "Number of periods in the ladder")
    display = (
        Overlay("prior_low", "Lowest low of the prior shortest period"),
        Overlay("prior_high", "Highest high of the prior shortest period"),
    )

    def check_params(self) -> None:
        if max(self._ladder()) > LONGEST:
            raise ParameterError(
                f"the longest period of the ladder, {max(self._ladder())}, exceeds {LONGEST} bars",
                field="params.max_periods",
            )

    def _ladder(self) -> list[int]:
        return _periods(self.base, self.factor, self.crop, self.max_periods)

    def warmup(self) -> int:
        return max(self._ladder()) + 5

    def signals(self, bars: Bars) -> Signals:
        p = max(1, min(self._ladder()))
        prior_low = previous(lowest(bars.low, p))
        prior_high = previous(highest(bars.high, p))
        fall = bars.low < prior_low
        rise = bars.high > prior_high
        entry = _shifted(fall) & ~fall
        return Signals(
            long_entry=entry,
            long_exit=_shifted(rise) & ~rise & ~entry,
            series={"prior_low": prior_low, "prior_high": prior_high},
        )
