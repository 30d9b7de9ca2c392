"""Donchian breakout with LWTI momentum and volume filters, basis-anchored stop and R-multiple target."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    donchian,
    previous,
    sma,
)


def lwti(close: np.ndarray, p: int) -> np.ndarray:
    """The catalogue's LWTI: 50 + 50 * M / A with M = close - mean of the p closes before it and A
    the |close change| of the last p bars smoothed Wilder-style from the newest to the oldest
    (weights w^(p-1) on the newest, w^(p-1-j)/p on the j-th older one, w = (p-1)/p). NaN where A
    is 0 (a flat stretch) or fewer than p+1 closes exist."""
    m = close - previous(sma(close, p))
    r = np.abs(close - previous(close))
    w = (p - 1) / p
    coef = np.array([w ** (p - 1)] + [w ** (p - 1 - j) / p for j in range(1, p)])
    a = np.full_like(r, np.nan)
    if r.shape[0] >= p:
        # window element k is r[i-p+1+k], i.e. j = p-1-k bars back
        a[p - 1 :] = sliding_window_view(r, p, axis=0) @ coef[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, 50.0 + 50.0 * m / a, np.nan)


class DgDonchianLwtiVol(Strategy):
    """DU, DL = highest high and lowest low of the ``don_length`` bars before t (bar t excluded),
    BASIS = (DU + DL) / 2; LWTI as the catalogue defines it (``lwti`` above); VOLMA = mean volume
    of the ``vol_ma_period`` bars before t. Entry at t: close crosses above DU (close(t) > DU(t),
    close(t-1) <= DU(t-1)) with LWTI(t) > 50 and volume(t) > VOLMA(t). Risk D = 1.02 x |close(t) -
    basis of the channel ending at t| (2% of the close if under 0.1%): stop D below the fill,
    target ``profit_rr`` x D above it. Exit at t: close(t) < BASIS(t).

    The original compared bars two bars stale, anchored the levels on the signal bar's open, kept
    its position flag on the instance (leaking between symbols, and reset by basis crosses while
    still long) and crashed on a flat stretch; here the engine holds the position and the levels.
    """

    name = "dg_donchian_lwti_vol"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Donchian-breakout long with LWTI momentum and volume filters, a stop beyond the channel "
        "basis, an R-multiple target and a basis-cross exit."
    )
    tags = ("donchian", "breakout", "lwti", "volume", "reward-risk")
    don_length = Int(
        96, 1, 400, "Donchian length L (channel excludes the current bar)", window=True
    )
    lwti_period = Int(25, 1, 200, "LWTI length P", window=True)
    vol_ma_period = Int(
        30, 1, 200, "Volume average length V (excludes the current bar)", window=True
    )
    profit_rr = Float(2.0, 0.1, 10.0, "Take-profit distance as a multiple of the stop distance")
    display = (
        Overlay("upper", "Donchian upper {don_length}"),
        Overlay("basis", "Donchian basis {don_length}"),
        Overlay("lower", "Donchian lower {don_length}"),
        Pane("lwti", "LWTI {lwti_period}", levels=(50.0,)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        ch = donchian(bars.high, bars.low, self.don_length)
        upper, lower, basis = previous(ch.upper), previous(ch.lower), previous(ch.middle)
        momentum = lwti(bars.close, self.lwti_period)
        vol_ma = previous(sma(bars.volume, self.vol_ma_period))
        entry = (
            crossed_above(bars.close, upper, from_touch=True)
            & (momentum > 50.0)
            & (bars.volume > vol_ma)
            & np.isfinite(ch.middle)
        )
        dist = 1.02 * np.abs(bars.close - ch.middle)
        dist = np.where(dist < 0.001 * bars.close, 0.02 * bars.close, dist)
        return Signals(
            long_entry=entry,
            long_exit=bars.close < basis,
            stop_loss=dist,
            stop_loss_abs=True,
            take_profit=self.profit_rr * dist,
            take_profit_abs=True,
            series={"upper": upper, "basis": basis, "lower": lower, "lwti": momentum},
        )
