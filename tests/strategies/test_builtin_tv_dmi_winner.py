"""tv_dmi_winner: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_dmi_winner"


def _dmi(h, lo, c, n):
    """Wilder's DMI as Pine's ta.dmi: +DM/-DM/TR averages seeded with the mean of bars 1..n (DI
    from bar n), ADX the Wilder average of DX seeded with the mean of DX at bars n..2n-1."""
    h, lo, c = (np.asarray(a, dtype=float) for a in (h, lo, c))
    m = len(c)
    up, dn = np.r_[0, np.diff(h)], np.r_[0, -np.diff(lo)]
    pdm = np.where((up > dn) & (up > 0), up, 0.0)
    mdm = np.where((dn > up) & (dn > 0), dn, 0.0)
    tr = np.r_[
        np.nan,
        [max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, m)],
    ]
    pdi, mdi, dx, adx = (np.full(m, np.nan) for _ in range(4))
    sp, sm, st = pdm[1 : n + 1].mean(), mdm[1 : n + 1].mean(), tr[1 : n + 1].mean()
    for i in range(n, m):
        if i > n:
            sp, sm, st = ((v * (n - 1) + x[i]) / n for v, x in ((sp, pdm), (sm, mdm), (st, tr)))
        pdi[i], mdi[i] = 100 * sp / st, 100 * sm / st
        dx[i] = 100 * abs(pdi[i] - mdi[i]) / (pdi[i] + mdi[i])
    adx[2 * n - 1] = dx[n : 2 * n].mean()
    for i in range(2 * n, m):
        adx[i] = (adx[i - 1] * (n - 1) + dx[i]) / n
    return pdi, mdi, adx


def _spec(h, lo, c, n, key):
    pdi, mdi, adx = _dmi(h, lo, c, n)
    t_ = range(1, len(c))
    buys = [t for t in t_ if pdi[t - 1] < mdi[t - 1] and pdi[t] > mdi[t] and adx[t] > key]
    sells = [t for t in t_ if mdi[t - 1] < pdi[t - 1] and mdi[t] > pdi[t]]
    return buys, sells, adx


# A steady slide (strong -DI, high ADX), a sharp turn up (+DI crosses over), then a slide again.
CLOSE = [120, 118, 116, 114, 112, 110, 108, 106, 104, 109, 114, 119, 124, 120, 115, 110, 105]


def _bars():
    c = np.asarray(CLOSE, dtype=float)
    return make_bars(c, open=c, high=c + 1.0, low=c - 1.0), c + 1.0, c - 1.0, c


def test_bullish_di_cross_with_a_strong_adx_buys_and_the_bearish_cross_sells():
    bars, h, lo, c = _bars()
    buys, sells, adx = _spec(h, lo, c, 3, 23.0)
    assert buys == [9] and sells == [14] and adx[9] > 23.0
    sig = signals_of(NAME, bars, di_length=3)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells


def test_near_miss_the_same_cross_under_a_higher_key_level():
    bars, h, lo, c = _bars()
    _, _, adx = _spec(h, lo, c, 3, 23.0)
    key = float(np.ceil(adx[9])) + 1.0  # just above the ADX on the cross bar
    buys, _, _ = _spec(h, lo, c, 3, key)
    assert buys == []
    assert signal_bars(signals_of(NAME, bars, di_length=3, key_level=key).long_entry) == []
