"""Williams VIX Fix capitulation entries below the lower Bollinger band, confirmed by the real
VIX above its own average; exit on a close above the previous upper band."""

import numba as nb
import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    highest,
    lowest,
    sma,
    stddev,
    williams_vix_fix,
)


@nb.njit(cache=True)
def _rule(
    wvf: np.ndarray,
    wvf_mean: np.ndarray,
    wvf_sd: np.ndarray,
    wvf_max: np.ndarray,
    inv: np.ndarray,
    inv_mean: np.ndarray,
    inv_sd: np.ndarray,
    inv_min: np.ndarray,
    close: np.ndarray,
    mid: np.ndarray,
    sd: np.ndarray,
    fear: np.ndarray,
    k: float,
    ph: float,
    pl: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the bars (rows outer: the blocks are row-major) from the rolling pieces:
    the bands (WVF_UP, BB upper / lower) and the rule: entry at t when the WVF spiked on t-1 and
    t-2, close(t-1) < lower(t-1) and fear(t); exit at t when the inverted WVF was calm on t-1 and
    t-2 and close(t) > upper(t-1). NaN compares False: nothing fires while a value is undefined."""
    rows, cols = close.shape
    entry = np.zeros((rows, cols), dtype=np.bool_)
    leave = np.zeros((rows, cols), dtype=np.bool_)
    upper = np.empty((rows, cols))
    lower = np.empty((rows, cols))
    wvf_up = np.empty((rows, cols))
    ph100, pl100 = ph / 100.0, pl / 100.0
    s1 = np.zeros(cols, dtype=np.bool_)  # spike on t-1, per column
    s2 = np.zeros(cols, dtype=np.bool_)  # spike on t-2
    c1 = np.zeros(cols, dtype=np.bool_)
    c2 = np.zeros(cols, dtype=np.bool_)
    for t in range(rows):
        f = fear[t]
        for j in range(cols):
            up = wvf_mean[t, j] + k * wvf_sd[t, j]
            hi = mid[t, j] + k * sd[t, j]
            lo = mid[t, j] - k * sd[t, j]
            wvf_up[t, j] = up
            upper[t, j] = hi
            lower[t, j] = lo
            if t > 0:  # bitwise, not short-circuit: no data-dependent branches
                entry[t, j] = s1[j] & s2[j] & (close[t - 1, j] < lower[t - 1, j]) & f
                leave[t, j] = c1[j] & c2[j] & (close[t, j] > upper[t - 1, j])
            s2[j] = s1[j]
            c2[j] = c1[j]
            w = wvf[t, j]
            x = inv[t, j]
            s1[j] = (w >= up) | (w >= ph100 * wvf_max[t, j])
            c1[j] = (x <= inv_mean[t, j] + k * inv_sd[t, j]) | (x <= pl100 * inv_min[t, j])
    return entry, leave, upper, lower, wvf_up


class TvWilliamsVixFix(Strategy):
    """WVF(i) = 100 (HC - low(i)) / HC, HC the highest close of wvf_pd bars; WVF_UP = SMA_B(WVF)
    + k sample-std_B(WVF), WVF_RH = wvf_ph/100 x highest(WVF, wvf_lb). INV(i) = 100 (high(i) -
    LC) / LC, LC the lowest close of wvf_pd bars; INV_UP likewise, INV_RL = wvf_pl/100 x
    lowest(INV, wvf_lb). BB = SMA_B(close) +/- k sample-std_B(close). Entry at t: WVF at or above
    WVF_UP or WVF_RH on both t-1 and t-2, close(t-1) < BB_LO(t-1), and the VIX filter VIX(t) >
    vix_ratio x SMA_B(VIX)(t). Exit at t: INV at or below INV_UP or INV_RL on t-1 and t-2 and
    close(t) > BB_UP(t-1) (the original's exit, which is nearly 'close above the prior upper band').

    The original is the spec's price-only rule; the WVF is a stand-in for the VIX built from the
    stock's own prices, so the filter here asks the real VIX (``requires``: vix) to confirm the
    fear: vix_ratio (Ava's parameter) is the multiple of its B-session average it must exceed.
    Outside the VIX's coverage there is no entry (the run's notes say where it covers); exits do
    not need it.
    """

    name = "tv_williams_vix_fix"
    version = "1.0.0"
    category = "volatility"
    description = (
        "Buys after two bars of Williams VIX Fix spikes with the prior close below the lower "
        "Bollinger band while the VIX is above its average; sells on a close above the prior "
        "upper band."
    )
    tags = ("williams-vix-fix", "vix", "bollinger", "capitulation")
    requires = ("vix",)
    bb_length = Int(20, 2, 200, "Length B of every band and standard deviation", window=True)
    bb_mult = Float(2.0, 0.5, 5.0, "Standard-deviation multiple k")
    wvf_pd = Int(20, 2, 200, "Bars of the highest / lowest close in the VIX fix", window=True)
    wvf_lb = Int(50, 2, 500, "Bars of the WVF range high / low", window=True)
    wvf_ph = Float(85.0, 1.0, 100.0, "Percent of the WVF range high")
    wvf_pl = Float(99.0, 1.0, 200.0, "Percent of the inverted-WVF range low")
    vix_ratio = Float(1.0, 0.0, 3.0, "Entry needs the VIX above this multiple of its B-session SMA")
    display = (
        Overlay("bb_upper", "Bollinger upper {bb_length}, {bb_mult}"),
        Overlay("bb_lower", "Bollinger lower {bb_length}, {bb_mult}"),
        Pane("wvf", "Williams VIX Fix {wvf_pd}"),
        Pane("wvf_upper", "WVF upper band"),
        Pane("vix", "VIX / SMA {bb_length}", levels=("vix_ratio",)),
    )

    def warmup(self) -> int:
        return max(self.bb_length, self.wvf_pd, self.wvf_lb) + 2

    def signals(self, bars: Bars) -> Signals:
        b, k = self.bb_length, self.bb_mult
        close = bars.close
        wvf = williams_vix_fix(close, bars.low, self.wvf_pd)
        lc = lowest(close, self.wvf_pd)
        with np.errstate(invalid="ignore", divide="ignore"):
            inv = 100.0 * (bars.high - lc) / lc
        v = np.asarray(bars.need("vix"), dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            vix_rel = v / sma(v, b)
        entry, leave, upper, lower, wvf_up = _rule(
            wvf,
            sma(wvf, b),
            stddev(wvf, b, ddof=1),
            highest(wvf, self.wvf_lb),
            inv,
            sma(inv, b),
            stddev(inv, b, ddof=1),
            lowest(inv, self.wvf_lb),
            close,
            sma(close, b),
            stddev(close, b, ddof=1),
            vix_rel > self.vix_ratio,
            k,
            self.wvf_ph,
            self.wvf_pl,
        )
        return Signals(
            long_entry=entry,
            long_exit=leave,
            series={
                "bb_upper": upper,
                "bb_lower": lower,
                "wvf": wvf,
                "wvf_upper": wvf_up,
                "vix": np.broadcast_to(vix_rel[:, None], close.shape).copy(),
            },
        )
