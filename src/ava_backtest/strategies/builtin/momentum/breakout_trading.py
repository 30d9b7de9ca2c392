"""Breakout trading: buy a close above the prior N-bar high on a volume surge above a trend EMA."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    ema,
    highest,
    previous,
    sma,
    true_range,
)


class BreakoutTrading(Strategy):
    """RES(t) = max(high[t-lookback .. t-1]) (bar t excluded); VS(t) = SMA(volume, vol_sma_period)
    (bar t included); EMA(t) = EMA(close, ema_period) seeded with the first close. Entry at t:
    close(t) > RES(t) and volume(t) > vol_mult * VS(t) and close(t) > EMA(t). Exits: a stop
    ``atr_stop_mult`` x ATR(t) below the fill (ATR = SMA of the true range over atr_period), and
    the time stop ``max_hold`` (the fill bar is bar 1).

    The original crashed on every bar (its ATR helper), read every condition one bar late and
    had no exit; here the rule is read at bar t and the declared ATR stop and max hold are real.
    """

    name = "breakout_trading"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Buys a close above the prior N-bar high that comes with a volume surge and above a 50-EMA; "
        "ATR stop and a maximum holding time."
    )
    tags = ("breakout", "volume", "trend-filter", "atr-stop", "time-stop")
    lookback = Int(
        20, 2, 250, "Resistance window: highest high of the bars before the bar", window=True
    )
    vol_mult = Float(1.5, 1.0, 5.0, "Volume must exceed vol_mult x its SMA")
    vol_sma_period = Int(20, 2, 250, "Volume SMA length (bar t included)", window=True)
    atr_period = Int(14, 2, 100, "ATR length (SMA of the true range)", window=True)
    atr_stop_mult = Float(2.0, 0.5, 10.0, "Stop distance below the fill, in ATRs at the signal bar")
    ema_period = Int(50, 2, 400, "Trend EMA length", window=True)
    max_hold = Int(15, 1, 250, "Maximum bars held (the fill bar is bar 1)")
    display = (
        Overlay("resistance", "High of prior {lookback}"),
        Overlay("ema", "EMA {ema_period}"),
        Pane("volume_ratio", "Volume / SMA {vol_sma_period}", levels=("vol_mult",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        resistance = previous(highest(bars.high, self.lookback))
        trend = ema(bars.close, self.ema_period, seed="first")
        with np.errstate(divide="ignore", invalid="ignore"):
            vol_ratio = bars.volume / sma(bars.volume, self.vol_sma_period)
        tr = true_range(bars.high, bars.low, bars.close, first_bar="high_low")
        atr_ = sma(tr, self.atr_period)
        return Signals(
            long_entry=(bars.close > resistance)
            & (vol_ratio > self.vol_mult)
            & (bars.close > trend),
            stop_loss=self.atr_stop_mult * atr_,
            stop_loss_abs=True,
            max_hold=self.max_hold,
            series={"resistance": resistance, "ema": trend, "volume_ratio": vol_ratio},
        )
