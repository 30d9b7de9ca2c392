"""Buy stocks on a VIX spike (its short average well above its long one), sell on VIX
complacency, with a cool-down after every signal and a real time exit after hold_days."""

import numba as nb
import numpy as np

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, sma


@nb.njit(cache=True)
def _cooled(
    ratio: np.ndarray, spike: float, calm: float, hold: int
) -> tuple[np.ndarray, np.ndarray]:
    """The original's state machine on one series: flat -> a spike (ratio > spike) buys, a calm
    bar (ratio < calm) sells; either starts a cool-down in which no signal is possible for the
    next hold + 1 bars. Bars without a ratio change nothing."""
    n = len(ratio)
    buy = np.zeros(n, dtype=np.bool_)
    sell = np.zeros(n, dtype=np.bool_)
    busy = False
    count = 0
    for t in range(n):
        r = ratio[t]
        if np.isnan(r):
            continue
        if not busy:
            if r > spike:
                buy[t] = True
                busy = True
                count = 0
            elif r < calm:
                sell[t] = True
                busy = True
                count = 0
        else:
            count += 1
            if count > hold:
                busy = False
    return buy, sell


class VixMeanReversion(Strategy):
    """On the VIX close V (``requires``: vix), the same for every symbol: RATIO(t) =
    SMA_{short_vol_period}(V)(t) / SMA_{long_vol_period}(V)(t). Flat state: RATIO(t) >
    vol_spike_mult -> buy; else RATIO(t) < vol_complacency_mult -> sell. Every signal starts a
    cool-down: no signal on the next hold_days + 1 bars (the original's in_trade / hold_count).
    A long is closed by the engine after hold_days bars (``max_hold``), or earlier by a sell.

    The original measured the stock's own realized-volatility ratio instead of the VIX, its
    'hold N days' exit never sold (a long stayed open until some later complacency bar), and its
    cool-down state leaked between symbols. Here the VIX, a real time exit, and one state per
    run (the VIX is the same for every symbol). Outside the VIX's coverage there is no signal
    (the run's notes say where it covers), and a position still open when it ends is sold.
    """

    name = "vix_mean_reversion"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Buys on a VIX spike (10-day average 1.5x the 60-day), holds up to hold_days bars, sells "
        "early on VIX complacency; a cool-down follows every signal."
    )
    tags = ("vix", "volatility", "mean-reversion", "time-exit")
    requires = ("vix",)
    short_vol_period = Int(10, 1, 100, "Sessions in the short VIX average", below="long_vol_period")
    long_vol_period = Int(60, 2, 504, "Sessions in the long VIX average", window=True)
    vol_spike_mult = Float(1.5, 1.0, 5.0, "Buy when the short/long VIX ratio exceeds this")
    vol_complacency_mult = Float(0.7, 0.1, 1.0, "Sell when the ratio is below this")
    hold_days = Int(5, 1, 252, "Bars a long is held at most (time exit) and the cool-down length")
    display = (
        Pane("vix_ratio", "VIX SMA {short_vol_period} / SMA {long_vol_period}",
             levels=("vol_spike_mult", "vol_complacency_mult")),
    )  # fmt: skip

    def warmup(self) -> int:
        return self.long_vol_period + 5

    def signals(self, bars: Bars) -> Signals:
        v = np.asarray(bars.need("vix"), dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = sma(v, self.short_vol_period) / sma(v, self.long_vol_period)
        ratio = np.where(np.isfinite(ratio), ratio, np.nan)
        buy, sell = _cooled(ratio, self.vol_spike_mult, self.vol_complacency_mult, self.hold_days)
        has = bars.has_bar
        return Signals(
            long_entry=has & buy[:, None],
            long_exit=has & (sell | np.isnan(v))[:, None],
            max_hold=self.hold_days,
            series={"vix_ratio": np.broadcast_to(ratio[:, None], bars.close.shape).copy()},
        )
