"""Bollinger bandwidth: buy the bar after bandwidth jumps out of a squeeze above its own average."""

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
    previous,
    sma,
)


class TvBollingerBandwidth(Strategy):
    """MID = SMA(close, bb_length), bands MID +/- bb_mult x population std; BW = (UPPER - LOWER)
    / MID x 100; BWMA = SMA(BW, bw_ma_length). Entry at t: BW(t-2) < squeeze_factor x BWMA(t-2),
    BW(t-1) > BWMA(t-1) and close(t-1) > MID(t-1) — a squeeze released in one bar, read one bar
    late as in the original (nothing from bar t). Exit at t: close(t) < MID(t).

    The original had no exit (its short branch was commented out), so its first long was held to
    the end of the data; here the long ends when the close falls back under the middle band, the
    price condition its entry requires.
    """

    name = "tv_bollinger_bandwidth"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Volatility squeeze-then-expansion: buy when Bollinger bandwidth jumps from below a "
        "fraction of its average to above the average while price is above the middle band; "
        "exit under the middle band."
    )
    tags = ("bollinger", "bandwidth", "squeeze", "volatility", "breakout")
    bb_length = Int(20, 1, 200, "Bollinger length", window=True)
    bb_mult = Float(2.0, 0.1, 5.0, "Bollinger std multiple (population std)")
    bw_ma_length = Int(50, 1, 500, "SMA length of the bandwidth", window=True)
    squeeze_factor = Float(0.75, 0.01, 1.0, "Squeeze when bandwidth < factor x its SMA")
    display = (
        Overlay("upper", "Upper"),
        Overlay("middle", "SMA {bb_length}"),
        Overlay("lower", "Lower"),
        Pane("bandwidth", "Bandwidth % ({bb_length})", pane="bandwidth"),
        Pane("bandwidth_ma", "Bandwidth SMA {bw_ma_length}", pane="bandwidth"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        bands = bollinger(c, self.bb_length, self.bb_mult, ddof=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            bw = np.where(bands.middle != 0, (bands.upper - bands.lower) / bands.middle, np.nan)
        bw = bw * 100.0
        bwma = sma(bw, self.bw_ma_length)
        squeezed = previous(bw, 2) < self.squeeze_factor * previous(bwma, 2)
        expanded = previous(bw) > previous(bwma)
        above = previous(c) > previous(bands.middle)
        return Signals(
            long_entry=squeezed & expanded & above,
            long_exit=c < bands.middle,
            series={
                "upper": bands.upper,
                "middle": bands.middle,
                "lower": bands.lower,
                "bandwidth": bw,
                "bandwidth_ma": bwma,
            },
        )
