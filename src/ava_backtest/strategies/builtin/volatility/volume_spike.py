"""Volume spike: follow the previous bar's high-volume move — buy after a >2% up day on double
volume, sell after a >2% down day on double volume or after hold_days."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    sma,
)


class VolumeSpike(Strategy):
    """VMA20 = SMA(volume, 20); SPIKE(i): volume(i) > volume_mult x VMA20(i); CHG(i) = close(i) /
    close(i-1) - 1. Entry at t: SPIKE(t-1) and CHG(t-1) > min_move_pct. Exit at t: SPIKE(t-1) and
    CHG(t-1) < -min_move_pct; and the engine's time stop after ``hold_days`` bars (the fill bar is
    bar 1). The spike bar is t-1, read one bar late as in the original.

    Difference: the original ignored hold_days (the holding period its description states), so a
    long closed only on a later down-spike; here hold_days is a real time exit.
    """

    name = "volume_spike"
    version = "1.1.0"
    category = "volatility"
    description = (
        "Follows the previous bar's high-volume move: buy after a >2% up day on double volume; "
        "sell after a >2% down day on double volume, or after hold_days bars."
    )
    tags = ("volume", "spike", "momentum", "time-stop")
    volume_mult = Float(2.0, 0.1, 50.0, "Volume must exceed this multiple of its 20-bar SMA")
    min_move_pct = Float(0.02, 0.0, 1.0, "Minimum absolute close-to-close return (fraction)")
    hold_days = Int(5, 1, 250, "Maximum bars held (the fill bar is bar 1)")
    display = (Pane("volume_ma", "Volume SMA 20"),)

    def warmup(self) -> int:
        return 25

    def signals(self, bars: Bars) -> Signals:
        c, v = bars.close, bars.volume
        vma = sma(v, 20)
        spike = v > self.volume_mult * vma
        up = np.zeros(c.shape, dtype=np.bool_)  # the spike bar i, up ...
        down = np.zeros(c.shape, dtype=np.bool_)  # ... or down
        with np.errstate(divide="ignore", invalid="ignore"):
            chg = (c[1:] - c[:-1]) / c[:-1]
        up[1:] = spike[1:] & (chg > self.min_move_pct)
        down[1:] = spike[1:] & (chg < -self.min_move_pct)
        entry = np.zeros(c.shape, dtype=np.bool_)  # acted on at bar i + 1
        exit_ = np.zeros(c.shape, dtype=np.bool_)
        entry[1:] = up[:-1]
        exit_[1:] = down[:-1]
        return Signals(
            long_entry=entry,
            long_exit=exit_,
            max_hold=self.hold_days,
            series={"volume_ma": vma},
        )
