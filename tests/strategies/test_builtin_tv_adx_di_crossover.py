"""tv_adx_di_crossover: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_adx_di_crossover"

# Down 8 bars, up 6, down 6: the up-leg's DI cross (ADX high from the fall) buys, the next fall's
# cross sells.
CLOSE = [20 - 0.5 * i for i in range(9)] + [16 + 0.6 * i for i in range(1, 7)]
CLOSE += [19.6 - 0.7 * i for i in range(1, 7)]


def _dmi(h, lo, c, p):
    """The catalogue's definitions: Wilder running sums from bar 1, ADX seeded at bar 2p-1."""
    n = len(c)
    tr, pdm, mdm = [0.0] * n, [0.0] * n, [0.0] * n
    for i in range(1, n):
        tr[i] = max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1]))
        up, dn = h[i] - h[i - 1], lo[i - 1] - lo[i]
        pdm[i] = up if up > dn and up > 0 else 0.0
        mdm[i] = dn if dn > up and dn > 0 else 0.0

    def wilder(x):
        s = [0.0] * n
        s[p] = sum(x[1 : p + 1])
        for i in range(p + 1, n):
            s[i] = s[i - 1] - s[i - 1] / p + x[i]
        return s

    st, sp, sm = wilder(tr), wilder(pdm), wilder(mdm)
    pdi = [100 * sp[i] / st[i] if st[i] else 0.0 for i in range(n)]
    mdi = [100 * sm[i] / st[i] if st[i] else 0.0 for i in range(n)]
    dx = [100 * abs(a - b) / (a + b) if a + b else 0.0 for a, b in zip(pdi, mdi, strict=True)]
    adx = [0.0] * n
    adx[2 * p - 1] = sum(dx[p : 2 * p]) / p
    for i in range(2 * p, n):
        adx[i] = (adx[i - 1] * (p - 1) + dx[i]) / p
    return pdi, mdi, adx


def _expected(h, lo, c, p=3, thresh=25):
    pdi, mdi, adx = _dmi(h, lo, c, p)
    entries, exits = [], []
    for t in range(2 * p, len(c)):
        if adx[t - 1] > thresh and pdi[t - 1] <= mdi[t - 1] and pdi[t] > mdi[t]:
            entries.append(t)
        elif adx[t - 1] > thresh and pdi[t - 1] >= mdi[t - 1] and pdi[t] < mdi[t]:
            exits.append(t)
    return entries, exits, adx


def _bars():
    c = np.array(CLOSE)
    return make_bars(c, high=c + 0.2, low=c - 0.2)


def test_di_cross_under_the_adx_filter_buys_and_the_opposite_cross_sells():
    c = np.array(CLOSE)
    entries, exits, adx = _expected(list(c + 0.2), list(c - 0.2), CLOSE)
    assert len(entries) == 1 and len(exits) == 1
    sig = signals_of(NAME, _bars(), adx_len=3)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, _bars(), adx_len=3).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == _bars().dates[entries[0] + 1]
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[exits[0] + 1]
    # near miss: a threshold just above the previous bar's ADX drops the entry
    t = entries[0]
    above = int(np.floor(adx[t - 1])) + 1
    assert _expected(list(c + 0.2), list(c - 0.2), CLOSE, thresh=above)[0] == []
    assert signal_bars(signals_of(NAME, _bars(), adx_len=3, adx_thresh=above).long_entry) == []
    below = int(np.floor(adx[t - 1]))
    assert signal_bars(signals_of(NAME, _bars(), adx_len=3, adx_thresh=below).long_entry) == [t]
