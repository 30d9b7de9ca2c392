"""Contrarian timing on the VIX: buy when the VIX is in the top of its recent range and starting
to fall, sell when it is in the bottom of its range and rising."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    previous,
    sma,
    value_when,
)


def nearest_quantile(x: np.ndarray, n: int, q: float) -> np.ndarray:
    """Quantile ``q`` of x(t-n+1..t) by the 'nearest' method: the sorted window's element at
    index round((n-1) q), rounding half away from zero; NaN while the window holds a NaN."""
    out = np.full(len(x), np.nan)
    if len(x) < n:
        return out
    windows = np.sort(np.lib.stride_tricks.sliding_window_view(x, n), axis=1)  # NaN sort last
    k = int(np.floor((n - 1) * q + 0.5))
    out[n - 1 :] = np.where(np.isnan(windows[:, -1]), np.nan, windows[:, k])
    return out


class TvVixBased(Strategy):
    """On the VIX close V(t) (``requires``: vix), the same for every symbol: QH(t), QL(t) = the
    high_vol_threshold / low_vol_threshold quantiles ('nearest' method) of V over the last
    vol_lookback sessions, M(t) = SMA_{vol_ma_length}(V). Fear at t: V(t) > QH(t), V(t) < V(t-1)
    and V(t) > M(t) -> buy. Complacency at t: V(t) < QL(t), V(t) > V(t-1) and V(t) < M(t), at
    least min_hold_days calendar days after the last fear bar -> sell.

    The original used the stock's own realized volatility in place of the VIX, with quantiles over
    everything since the data start (so results depended on the start date) and a fear clock that
    leaked between symbols. Here the VIX itself, quantiles over a rolling window of vol_lookback
    sessions, and M gates the signal (the VIX above / below its own average) instead of only
    delaying the first one. Outside the VIX's coverage there is no entry (the run's notes say
    where it covers), and a position still open when the coverage ends is sold then: the rule
    cannot manage it without the VIX.
    """

    name = "tv_vix_based"
    version = "1.0.0"
    category = "volatility"
    description = (
        "Contrarian VIX timing: buy when the VIX is in the top quintile of its recent range and "
        "turning down, sell when it is in the bottom quintile and turning up."
    )
    tags = ("vix", "volatility", "contrarian", "market-timing")
    requires = ("vix",)
    vol_lookback = Int(
        20, 5, 504, "Sessions of VIX closes the quantiles are taken over", window=True
    )
    vol_ma_length = Int(
        20, 2, 252, "SMA length of the VIX: fear above it, complacency below", window=True
    )
    high_vol_threshold = Float(
        0.8, 0.5, 1.0, "Quantile of the fear level", above="low_vol_threshold"
    )
    low_vol_threshold = Float(0.2, 0.0, 0.5, "Quantile of the complacency level")
    min_hold_days = Int(5, 0, 365, "Calendar days after the last fear bar before a sell")
    display = (
        Pane("vix", "VIX"),
        Pane("vix_high", "VIX {high_vol_threshold} quantile of {vol_lookback} sessions"),
        Pane("vix_low", "VIX {low_vol_threshold} quantile of {vol_lookback} sessions"),
    )

    def warmup(self) -> int:
        return max(self.vol_lookback, self.vol_ma_length) + 5

    def signals(self, bars: Bars) -> Signals:
        v = np.asarray(bars.need("vix"), dtype=np.float64)
        qh = nearest_quantile(v, self.vol_lookback, self.high_vol_threshold)
        ql = nearest_quantile(v, self.vol_lookback, self.low_vol_threshold)
        m = sma(v, self.vol_ma_length)
        v1 = previous(v)
        fear = (v > qh) & (v < v1) & (v > m)
        calm = (v < ql) & (v > v1) & (v < m)
        day = bars.dates.astype("datetime64[D]").astype(np.float64)
        since = day - value_when(day, fear)
        calm &= since >= self.min_hold_days
        has = bars.has_bar
        shape = bars.close.shape
        return Signals(
            long_entry=has & fear[:, None],
            long_exit=has & (calm | np.isnan(v))[:, None],
            series={
                "vix": np.broadcast_to(v[:, None], shape).copy(),
                "vix_high": np.broadcast_to(qh[:, None], shape).copy(),
                "vix_low": np.broadcast_to(ql[:, None], shape).copy(),
            },
        )
