"""Williams VIX Fix capitulation entries below the lower Bollinger band, confirmed by the real
VIX above its own average; exit on a close above the previous upper band."""

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
        wvf_up = sma(wvf, b) + k * stddev(wvf, b, ddof=1)
        wvf_rh = self.wvf_ph / 100.0 * highest(wvf, self.wvf_lb)
        lc = lowest(close, self.wvf_pd)
        with np.errstate(invalid="ignore", divide="ignore"):
            inv = 100.0 * (bars.high - lc) / lc
        inv_up = sma(inv, b) + k * stddev(inv, b, ddof=1)
        inv_rl = self.wvf_pl / 100.0 * lowest(inv, self.wvf_lb)
        mid = sma(close, b)
        sd = stddev(close, b, ddof=1)
        upper, lower = mid + k * sd, mid - k * sd
        spike = (wvf >= wvf_up) | (wvf >= wvf_rh)
        calm = (inv <= inv_up) | (inv <= inv_rl)
        # Entry at t from bars t-1 and t-2: the condition on bar s = t-1, moved one bar on.
        setup = spike & (close < lower)
        setup[1:] &= spike[:-1]
        setup[0] = False
        calm2 = calm.copy()
        calm2[1:] &= calm[:-1]
        calm2[0] = False
        entry = np.zeros_like(setup)
        entry[1:] = setup[:-1]
        leave = np.zeros_like(setup)
        leave[1:] = calm2[:-1] & (close[1:] > upper[:-1])
        v = np.asarray(bars.need("vix"), dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            vix_rel = v / sma(v, b)
        fear = (vix_rel > self.vix_ratio)[:, None]
        return Signals(
            long_entry=entry & fear,
            long_exit=leave,
            series={
                "bb_upper": upper,
                "bb_lower": lower,
                "wvf": wvf,
                "wvf_upper": wvf_up,
                "vix": np.broadcast_to(vix_rel[:, None], close.shape).copy(),
            },
        )
