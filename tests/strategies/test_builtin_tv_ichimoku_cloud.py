"""tv_ichimoku_cloud: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_ichimoku_cloud"
P = {"conversion_len": 2, "base_len": 3, "span_b_len": 4, "displacement": 2}


def _expected(h, lo, c, conv, base, span_b, disp):
    """The catalogue's lines written out; every test on bar t-1 (t-2 for the cross)."""

    def mid(i, n):
        return (max(h[i - n + 1 : i + 1]) + min(lo[i - n + 1 : i + 1])) / 2 if i >= n - 1 else None

    def top(i):
        if i < 0 or mid(i, max(conv, base)) is None or mid(i, span_b) is None:
            return None
        return max((mid(i, conv) + mid(i, base)) / 2, mid(i, span_b))

    entry, exit_ = [], []
    for t in range(2, len(c)):
        tk1, kj1, tk2, kj2 = mid(t - 1, conv), mid(t - 1, base), mid(t - 2, conv), mid(t - 2, base)
        if None in (tk1, kj1, tk2, kj2):
            continue
        cloud = top(t - 1 - disp)
        if tk1 > kj1 and tk2 <= kj2 and cloud is not None and c[t - 1] > cloud:
            entry.append(t)
        if tk1 < kj1 and tk2 >= kj2:
            exit_.append(t)
    return entry, exit_


# a fall; a bounce whose Tenkan/Kijun cross up (bar 6) closes at 18, under the cloud top 18.5 in
# force then (near miss at 7); a second dip and a rally crossing again (bar 10) above the cloud
# (entry at 11); then a drop (the TK cross down at bar 14: exit at 15)
CLOSE = [20, 20, 19, 18, 17, 17.5, 18, 17.5, 17, 18, 19.5, 21, 22, 21, 19.5, 18.5, 18]


def _bars(close=CLOSE):
    c = np.array(close, dtype=float)
    return make_bars(c, high=c + 0.3, low=c - 0.3)


def test_tk_cross_up_above_the_displaced_cloud_read_one_bar_late():
    c = np.array(CLOSE, dtype=float)
    entry, exit_ = _expected(list(c + 0.3), list(c - 0.3), CLOSE, 2, 3, 4, 2)
    assert (entry, exit_) == ([11], [4, 9, 15])
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_


def test_the_declared_time_stop_is_an_engine_exit():
    bars = _bars([*CLOSE[:13], 22.5, 23, 23.5, 24, 24.5])
    row = trade(NAME, bars, **P, max_hold_days=3).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    assert np.datetime64(row["entry_time"], "ns") == bars.dates[12]
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[15]
