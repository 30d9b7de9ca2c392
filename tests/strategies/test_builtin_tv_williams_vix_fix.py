"""tv_williams_vix_fix: its rule (the VIX-fix spikes below the lower band, confirmed by the real
VIX) on hand-made bars, and the near-miss where only the VIX filter is missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_williams_vix_fix"
P = {"bb_length": 10, "wvf_pd": 5, "wvf_lb": 6}


def _expected(close, high, low, vix, bb_length, wvf_pd, wvf_lb, k=2.0, ph=85.0, pl=99.0, vr=1.0):
    """The catalogue's rule written out in pandas (sample standard deviations), plus the VIX
    filter: VIX(t) > vr x its bb_length-session mean."""
    c, h, lo, v = (pd.Series(x, dtype=float) for x in (close, high, low, vix))
    hc = c.rolling(wvf_pd).max()
    wvf = 100 * (hc - lo) / hc
    wvf_up = wvf.rolling(bb_length).mean() + k * wvf.rolling(bb_length).std()
    wvf_rh = ph / 100 * wvf.rolling(wvf_lb).max()
    lc = c.rolling(wvf_pd).min()
    inv = 100 * (h - lc) / lc
    inv_up = inv.rolling(bb_length).mean() + k * inv.rolling(bb_length).std()
    inv_rl = pl / 100 * inv.rolling(wvf_lb).min()
    mid, sd = c.rolling(bb_length).mean(), c.rolling(bb_length).std()
    ws = (wvf >= wvf_up) | (wvf >= wvf_rh)
    is_ = (inv <= inv_up) | (inv <= inv_rl)
    fear = v > vr * v.rolling(bb_length).mean()
    buy = ws.shift(1, fill_value=False) & ws.shift(2, fill_value=False)
    buy &= (c.shift() < (mid - k * sd).shift()) & fear
    sell = is_.shift(1, fill_value=False) & is_.shift(2, fill_value=False)
    sell &= c > (mid + k * sd).shift()
    return np.flatnonzero(buy).tolist(), np.flatnonzero(sell).tolist()


# Calm (bars 0-13), a two-bar drop (14, 15) and a recovery.
CLOSE = [100, 101] * 7 + [95, 88, 89, 92, 96, 100, 104, 109, 115, 120]
VIX = [15] * 14 + [20, 28, 30, 26, 22, 19, 17, 16, 15, 15]


def _bars(vix):
    c = np.asarray(CLOSE, dtype=float)
    return make_bars(c, high=c + 1.0, low=c - 1.0, extra={"vix": np.asarray(vix, dtype=float)})


def test_buys_after_two_spike_bars_below_the_band_while_the_vix_is_up_and_sells_above_it():
    bars = _bars(VIX)
    c = bars.close[:, 0]
    buys, sells = _expected(c, c + 1, c - 1, VIX, **P)
    assert buys == [16] and sells == [22, 23]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, bars, **P).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (17, 23, "signal")


def test_near_miss_the_same_capitulation_with_a_calm_vix():
    calm = [15.0] * len(CLOSE)
    bars = _bars(calm)
    c = bars.close[:, 0]
    assert _expected(c, c + 1, c - 1, calm, **P)[0] == []
    assert not signals_of(NAME, bars, **P).long_entry.any()
    # ... and without the VIX filter (vix_ratio=0: any VIX will do) it is the price rule's buy.
    assert signal_bars(signals_of(NAME, bars, **P, vix_ratio=0.0).long_entry) == [16]
