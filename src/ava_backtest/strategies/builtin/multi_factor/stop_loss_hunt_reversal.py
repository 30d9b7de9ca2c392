"""Stop-loss hunt reversal: buy the reclaim of a support level that a high-volume bar undercut."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    lowest,
    previous,
    sma,
)


class StopLossHuntReversal(Strategy):
    """SUP(i) = lowest low of the ``support_period`` bars before i; VA(i) = mean volume of the
    ``volume_avg_period`` bars before i. The hunt on bar t-1: low(t-1) < SUP(t-1) and volume(t-1)
    >= volume_multiplier x VA(t-1); entry at t when close(t) > SUP(t-1) (the broken support is
    reclaimed). Exits: a stop at the hunt bar's low (distance R = close(t) - low(t-1) below the
    fill), a take-profit ``reward_ratio`` x R above it, and the time stop ``max_hold_days`` bars
    (the fill bar is bar 1).

    The original had no exit at all: it declared the reward/risk target and the time stop and used
    neither, so a long was held to the end of the data. Both are real here; the risk they are
    measured by is the distance to the hunt bar's low, the level the reversal thesis fails at.
    """

    name = "stop_loss_hunt_reversal"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Buys the bar after a high-volume undercut of the prior N-bar low once price closes back "
        "above that broken support; stop at the undercut's low, reward/risk target, time stop."
    )
    tags = ("stop-hunt", "support", "volume", "reversal", "reward-risk", "time-stop")
    support_period = Int(20, 2, 250, "Bars before t whose lowest low is the support", window=True)
    volume_multiplier = Float(1.5, 1.0, 10.0, "Hunt bar volume >= this x average volume")
    volume_avg_period = Int(20, 2, 250, "Bars before t in the volume average", window=True)
    reward_ratio = Float(2.0, 0.5, 10.0, "Take-profit distance as a multiple of the stop distance")
    max_hold_days = Int(10, 1, 250, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("support", "Support (low of prior {support_period})"),
        Pane(
            "volume_ratio",
            "Volume / prior {volume_avg_period}-bar mean",
            levels=("volume_multiplier",),
        ),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        support = previous(lowest(bars.low, self.support_period))
        vol_avg = previous(sma(bars.volume, self.volume_avg_period))
        hunt = (bars.low < support) & (bars.volume >= self.volume_multiplier * vol_avg)
        prev_support = previous(support)
        entry = (previous(hunt.astype(np.float64)) == 1.0) & (bars.close > prev_support)
        risk = bars.close - previous(bars.low)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = bars.volume / vol_avg
        return Signals(
            long_entry=entry & (risk > 0),
            stop_loss=risk,
            stop_loss_abs=True,
            take_profit=self.reward_ratio * risk,
            take_profit_abs=True,
            max_hold=self.max_hold_days,
            series={"support": support, "volume_ratio": ratio},
        )
