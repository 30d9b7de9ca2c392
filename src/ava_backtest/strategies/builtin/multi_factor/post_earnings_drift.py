"""Post-earnings drift: follow a high-volume earnings gap for up to hold_days sessions."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, sma


class PostEarningsDrift(Strategy):
    """On a symbol's earnings reaction session (``requires = ("earnings",)``), with Gap(t) =
    (open(t) - close(t-1)) / close(t-1), VS20(t) = mean(volume[t-19..t]) and VR = volume / VS20:
    buy when Gap(t) > min_gap_pct and volume(t) > min_volume_mult * VS20(t); sell short when
    Gap(t) < -min_gap_pct with the same volume test. Either position closes on volume dry-up (VR <
    exit_vol_thresh) or a later gap beyond +/- min_gap_pct (signals), at a take-profit and a stop
    ``profit_target`` from the fill, or after ``hold_days`` sessions (the engine's time stop).

    The original had no earnings calendar (any high-volume gap counted), ignored ``hold_days``,
    could not short, and measured its +/- profit_target band on the 3-bar return, which the
    earnings gap itself crosses a day after entry: Ava trades earnings sessions only, measures the
    band from the fill (a real target and stop), holds at most ``hold_days``, and covers shorts by
    the same exits as longs.
    """

    name = "post_earnings_drift"
    category = "multi_factor"
    direction = "long_short"
    description = (
        "Buys a high-volume gap up on an earnings session (shorts a gap down) and rides the drift "
        "until volume dries up, a later large gap, its target or stop, or hold_days."
    )
    tags = ("earnings", "drift", "gap", "volume")
    requires = ("earnings",)
    min_gap_pct = Float(0.03, 0.005, 0.5, "Minimum absolute gap fraction")
    min_volume_mult = Float(2.0, 1.0, 10.0, "Volume must exceed this x 20-bar average")
    hold_days = Int(60, 1, 252, "Exit after this many sessions held (the fill bar is bar 1)")
    exit_vol_thresh = Float(0.5, 0.0, 1.0, "Exit when volume/average falls below this")
    profit_target = Float(0.1, 0.01, 0.5, "Take-profit and stop distance from the fill (fraction)")
    display = (
        Pane("gap", "Opening gap", levels=(0.0,)),
        Pane(
            "volume_ratio", "Volume / 20-bar average", levels=("min_volume_mult", "exit_vol_thresh")
        ),
    )

    def warmup(self) -> int:
        return 22

    def signals(self, bars: Bars) -> Signals:
        prev_close = np.full_like(bars.close, np.nan)
        prev_close[1:] = bars.close[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(prev_close > 0, (bars.open - prev_close) / prev_close, np.nan)
            vs20 = sma(bars.volume, 20)
            vr = np.where(vs20 > 0, bars.volume / vs20, np.nan)
        earnings = bars.need("earnings") > 0
        loud = vr > self.min_volume_mult
        exits = (vr < self.exit_vol_thresh) | (np.abs(gap) > self.min_gap_pct)
        return Signals(
            long_entry=earnings & loud & (gap > self.min_gap_pct),
            short_entry=earnings & loud & (gap < -self.min_gap_pct),
            long_exit=exits,
            short_exit=exits,
            take_profit=self.profit_target,
            stop_loss=self.profit_target,
            max_hold=self.hold_days,
            series={"gap": gap, "volume_ratio": vr},
        )
