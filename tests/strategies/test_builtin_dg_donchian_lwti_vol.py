"""dg_donchian_lwti_vol: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.strategies.builtin.momentum.dg_donchian_lwti_vol import lwti

NAME = "dg_donchian_lwti_vol"
P = {"don_length": 3, "lwti_period": 3, "vol_ma_period": 3}


def _lwti(c, i, p):
    """The catalogue's LWTI at bar i, as its loop states it."""
    m = c[i] - sum(c[i - p : i]) / p
    r = [abs(c[i - j] - c[i - j - 1]) for j in range(p)]
    a = r[0]
    for j in range(1, p):
        a = (r[j] + (p - 1) * a) / p
    return 50 + 50 * m / a


def _expected(h, c, v, n, p, vn):
    du = [max(h[i - n : i]) if i >= n else None for i in range(len(c))]
    out = []
    for t in range(max(n, p, vn) + 1, len(c)):
        cross = c[t] > du[t] and c[t - 1] <= du[t - 1]
        if cross and _lwti(c, t, p) > 50 and v[t] > sum(v[t - vn : t]) / vn:
            out.append(t)
    return out


CLOSE = [10, 10.2, 10.1, 10.2, 10.1, 10.2, 10.1, 10.2, 11, 10.9, 10.95, 10.9, 11.5, 11.6, 11.6]
VOLUME = [1e6] * 8 + [2e6] + [1e6] * 4 + [3e6, 1e6]


def test_lwti_is_the_catalogue_formula():
    c = np.array(CLOSE)[:, None]
    got = lwti(c, 3)[:, 0]
    assert np.isnan(got[:3]).all()
    for i in range(3, len(CLOSE)):
        assert got[i] == pytest.approx(_lwti(CLOSE, i, 3))


def test_entry_is_a_volume_backed_cross_above_the_prior_channel_with_lwti_above_50():
    bars = make_bars(CLOSE, volume=VOLUME)
    expected = _expected(CLOSE, CLOSE, VOLUME, 3, 3, 3)
    # bar 8 crosses 10.2 on 2x volume; bar 12 crosses 10.95 on average volume only, bar 13 has the
    # volume but was already above the channel: near misses
    assert expected == [8]
    assert signal_bars(signals_of(NAME, bars, **P).long_entry) == expected


def _levels():
    basis = (11 + 10.1) / 2  # the channel of bars 6..8, known at the signal bar's close
    dist = 1.02 * (11 - basis)
    return 10.9 - dist, 10.9 + 2.0 * dist  # from the fill at bar 9's open


def test_stop_beyond_the_basis_is_hit():
    low = np.minimum(CLOSE, CLOSE)
    low[10] = 10.3
    row = trade(NAME, make_bars(CLOSE, volume=VOLUME, low=low), **P).trades.row(0, named=True)
    assert row["entry_price"] == 10.9
    assert row["exit_reason"] == "stop_loss"
    assert row["exit_price"] == pytest.approx(_levels()[0])


def test_target_at_profit_rr_times_the_risk_is_hit():
    high = np.maximum(CLOSE, CLOSE)
    high[10] = 12.0
    row = trade(NAME, make_bars(CLOSE, volume=VOLUME, high=high), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "take_profit"
    assert row["exit_price"] == pytest.approx(_levels()[1])


def test_close_below_the_basis_exits():
    close = [*CLOSE[:10], 10.5, 10.5]  # basis of bars 7..9 = (11 + 10.2) / 2 = 10.6
    volume = VOLUME[:12]
    row = trade(NAME, make_bars(close, volume=volume), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    assert np.datetime64(row["exit_time"], "ns") == make_bars(close).dates[11]
