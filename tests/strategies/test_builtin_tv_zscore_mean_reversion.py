"""tv_zscore_mean_reversion: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_zscore_mean_reversion"
P = {"length": 10}


def _z(c, n):
    """Sample-std z-score; 0 before the first full window and on a flat one."""
    c = np.asarray(c, dtype=float)
    out = np.zeros(len(c))
    for i in range(n - 1, len(c)):
        w = c[i - n + 1 : i + 1]
        sd = w.std(ddof=1)
        out[i] = (c[i] - w.mean()) / sd if sd > 0 else 0.0
    return out


def _spec(c, n=10, z_entry=2.0, z_exit=0.5):
    z = _z(c, n)
    buys = [t for t in range(1, len(c)) if z[t - 1] > -z_entry and z[t] <= -z_entry]
    sells = [t for t in range(len(c)) if z[t] > -z_exit and t not in buys]
    return buys, sells, z


# Ten quiet bars, a sharp two-bar drop (Z through -2), a recovery (Z back above -0.5).
CLOSE = [100, 101] * 5 + [100, 96, 95, 97, 99, 100, 101]
# The same dip, shallower: Z bottoms at -1.93.
SHALLOW = [100, 101] * 5 + [100, 99, 98.9, 99.5, 100, 101]


def test_z_through_minus_two_buys_and_back_in_the_neutral_zone_sells():
    buys, sells, _ = _spec(CLOSE)
    assert buys == [11] and sells == [*range(10), 14, 15, 16]  # Z reads 0 in the warm-up
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, make_bars(CLOSE), **P)
    assert res.trades.height == 1
    row = res.trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"]) == (CLOSE[12], CLOSE[15])


def test_near_miss_a_shallower_dip():
    buys, _, z = _spec(SHALLOW)
    assert buys == [] and -2 < z.min() < -1.9
    sig = signals_of(NAME, make_bars(SHALLOW), **P)
    assert signal_bars(sig.long_entry) == []
    np.testing.assert_allclose(sig.series["z"][:, 0], z, atol=1e-9)
