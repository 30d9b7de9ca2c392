"""tv_bollinger_breakout: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_bollinger_breakout"
P = {"sma_length": 5, "std_length": 5, "ub_offset": 1.5, "lb_offset": 1.5}


def _spec(close, n, k_up, k_dn, show_long=True, show_short=False):
    """The catalogue's rules 1-3 (rule 4, the short's cover, has nothing to cover long-only)."""
    c = np.asarray(close, dtype=float)
    mid, ub, lb = (np.full(len(c), np.nan) for _ in range(3))
    for i in range(n - 1, len(c)):
        w = c[i - n + 1 : i + 1]
        mid[i], ub[i], lb[i] = w.mean(), w.mean() + k_up * w.std(), w.mean() - k_dn * w.std()
    buys, sells = [], []
    for t in range(n, len(c)):
        if show_long and c[t - 1] <= ub[t - 1] and c[t] > ub[t]:
            buys.append(t)
        else:
            rule2 = show_short and c[t - 1] >= lb[t - 1] and c[t] < lb[t]
            if rule2 or (c[t - 1] >= mid[t - 1] and c[t] < mid[t]):
                sells.append(t)
    return buys, sells


# Chop, a jump through the upper band, a drift, a drop through the SMA and the lower band, and a
# recovery through the SMA (which must not buy).
CLOSE = [100, 101, 100, 101, 100, 101, 100, 108, 109, 109.5, 109, 100, 99, 99.5]
CLOSE += [99, 100, 99, 100, 99, 100]


def test_upper_band_cross_buys_and_the_sma_cross_down_sells():
    buys, sells = _spec(CLOSE, 5, 1.5, 1.5)
    assert buys == [7] and 11 in sells
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    # The later crosses up through the SMA (inside the band) are no buys: rule 4 was the cover.
    mid = np.convolve(CLOSE, np.ones(5) / 5, "valid")
    ups = [t for t in range(5, len(CLOSE)) if CLOSE[t - 1] <= mid[t - 5] and CLOSE[t] > mid[t - 4]]
    assert set(ups) - {7} == {5, 15, 17, 19}
    assert signal_bars(sig.long_entry) == [7]


def test_switches_show_long_off_and_show_short_on():
    sig = signals_of(NAME, make_bars(CLOSE), **P, show_long=False, show_short=True)
    buys, sells = _spec(CLOSE, 5, 1.5, 1.5, show_long=False, show_short=True)
    assert buys == [] and signal_bars(sig.long_entry) == []
    assert signal_bars(sig.long_exit) == sells


def test_near_miss_a_wider_band_is_not_broken():
    buys, _ = _spec(CLOSE, 5, 2.5, 2.5)
    assert buys == []
    sig = signals_of(NAME, make_bars(CLOSE), **{**P, "ub_offset": 2.5})
    assert signal_bars(sig.long_entry) == []
