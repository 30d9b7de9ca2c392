"""Bollinger squeeze: buy an upper-band close inside a bandwidth squeeze; short one outside it."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    bollinger,
    percentile_rank,
    previous,
)


class BbSqueeze(Strategy):
    """MID = SMA_n(close), SD = population std of the same n closes, UPPER = MID + k * SD,
    BW = (UPPER - LOWER) / MID. PCT(t) = share (0-100) of the last ``squeeze_lookback`` BW values,
    the current one included, that are <= BW(t); the squeeze is PCT(t) <= ``squeeze_pctile``.
    Entry long at t: squeeze(t) and close(t-1) > UPPER(t-1). At t, close(t-1) > UPPER(t-1) outside
    a squeeze closes a long and opens a short; a later long entry reverses the short.

    The original only emitted "sell" for that second rule, so its intended short never opened;
    here it does. The warm-up is the bars the first possible signal really needs
    (squeeze_lookback + bb_period - 1), not the original's squeeze_lookback + 5.
    """

    name = "bb_squeeze"
    version = "1.1.0"
    category = "mean_reversion"
    direction = "long_short"
    description = (
        "Bollinger bandwidth percentile squeeze: buys an upper-band close during a squeeze and "
        "shorts an upper-band close outside a squeeze."
    )
    tags = ("bollinger", "squeeze", "bandwidth", "breakout", "long-short")
    bb_period = Int(20, 5, 100, "Bollinger lookback in bars", window=True)
    bb_std = Float(2.0, 0.5, 4.0, "Band width in (population) standard deviations")
    squeeze_lookback = Int(
        120, 10, 500, "Bandwidth values (the current one included) ranked for the percentile"
    )
    squeeze_pctile = Float(
        10.0, 0.0, 100.0, "Squeeze if the bandwidth's percentile rank is <= this"
    )
    display = (
        Overlay("upper", "Upper"),
        Overlay("middle", "SMA {bb_period}"),
        Overlay("lower", "Lower"),
        Pane(
            "bandwidth_pct", "Bandwidth percentile ({squeeze_lookback})", levels=("squeeze_pctile",)
        ),
    )

    def warmup(self) -> int:
        return self.squeeze_lookback + self.bb_period - 1

    def signals(self, bars: Bars) -> Signals:
        bands = bollinger(bars.close, self.bb_period, self.bb_std, ddof=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            bw = (bands.upper - bands.lower) / bands.middle
        n = self.squeeze_lookback
        # percentile_rank counts the n - 1 earlier values <= BW(t); the current one adds 1.
        pct = (percentile_rank(bw, n - 1) * (n - 1) / 100.0 + 1.0) * 100.0 / n
        squeeze = pct <= self.squeeze_pctile
        outside = ~squeeze & ~np.isnan(pct)
        above = previous(bars.close) > previous(bands.upper)
        return Signals(
            long_entry=squeeze & above,
            long_exit=outside & above,
            short_entry=outside & above,
            series={
                "upper": bands.upper,
                "middle": bands.middle,
                "lower": bands.lower,
                "bandwidth_pct": pct,
            },
        )
