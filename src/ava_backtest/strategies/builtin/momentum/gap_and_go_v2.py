"""Gap and go v2: buy after a 2-8% gap-up day confirmed by volume; ATR stop and a short time exit."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, atr, previous, rma


class GapAndGoV2(Strategy):
    """GAP(t) = (open(t) - close(t-1)) / close(t-1); VA = Wilder average (RMA, SMA-seeded) of the
    volume over vol_sma_period, bar t included. Entry at the close of t: min_gap_pct < GAP(t) <
    max_gap_pct and volume(t) > vol_mult x VA(t) (the day's full volume, so it is decided at the
    close and filled at the next open). Exits: a stop ``atr_stop_mult`` x ATR(atr_period)
    (Wilder, at the signal bar) below the fill and the time stop ``max_hold`` (the fill bar is
    bar 1).

    The original required close(t-1) > open(t), a gap down, next to a gap up, so it never fired;
    here the gap-up test alone decides. Its ATR stop and max_hold were ignored; they are engine
    exits here.
    """

    name = "gap_and_go_v2"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Buys after a 2-8 percent gap-up day on above-average volume; ATR stop and a maximum "
        "holding time of a few bars."
    )
    tags = ("gap", "opening-gap", "volume", "atr-stop", "time-stop")
    min_gap_pct = Float(0.02, 0.0, 0.5, "Minimum gap-up fraction (strict)", below="max_gap_pct")
    max_gap_pct = Float(0.08, 0.001, 1.0, "Maximum gap-up fraction (strict)")
    vol_mult = Float(1.5, 1.0, 10.0, "Volume must exceed vol_mult x average volume")
    vol_sma_period = Int(20, 2, 250, "Volume average length (Wilder-smoothed)", window=True)
    atr_period = Int(14, 2, 100, "ATR length (Wilder)", window=True)
    atr_stop_mult = Float(1.5, 0.1, 10.0, "Stop distance below the fill, in ATRs at the signal bar")
    max_hold = Int(3, 1, 100, "Maximum bars held (the fill bar is bar 1)")
    display = (
        Pane("gap", "Opening gap", levels=("min_gap_pct", "max_gap_pct")),
        Pane("volume_ratio", "Volume / average", levels=("vol_mult",)),
    )
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        prev_close = previous(bars.close)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(prev_close != 0, (bars.open - prev_close) / prev_close, np.nan)
            vol_ratio = bars.volume / rma(bars.volume, self.vol_sma_period)
        return Signals(
            long_entry=(gap > self.min_gap_pct)
            & (gap < self.max_gap_pct)
            & (vol_ratio > self.vol_mult),
            stop_loss=self.atr_stop_mult * atr(bars.high, bars.low, bars.close, self.atr_period),
            stop_loss_abs=True,
            max_hold=self.max_hold,
            series={"gap": gap, "volume_ratio": vol_ratio},
        )
