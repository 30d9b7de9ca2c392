"""stop_loss_hunt_reversal: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "stop_loss_hunt_reversal"
P = {"support_period": 3, "volume_avg_period": 3}

# Bar 4 undercuts the 3-bar support 9.9 on 3x volume and bar 5 closes back above it: buy.
# Bar 13 undercuts 11.4 on 1.4x volume only and bar 14 reclaims it: no buy at 1.5x (near miss).
CLOSE = [10.0] * 4 + [9.8, 10.1, 10.2, 10.4, 11.5] + [11.5] * 4 + [11.3, 11.6, 11.6]
VOLUME = [1e6] * 4 + [3e6] + [1e6] * 8 + [1.4e6, 1e6, 1e6]


def _low(c):
    low = np.array(c) - 0.1
    low[4], low[8], low[13] = 9.5, 10.3, 11.0
    return low


def _expected(h, lo, c, v, p=3, n=3, mult=1.5):
    out = []
    for t in range(max(p, n) + 1, len(c)):
        support = min(lo[t - 1 - p : t - 1])
        hunt = lo[t - 1] < support and v[t - 1] >= mult * sum(v[t - 1 - n : t - 1]) / n
        out += [t] * int(hunt and c[t] > support)
    return out


def _bars(low=None):
    c = np.array(CLOSE)
    o = c.copy()
    o[8] = 10.4  # bar 8 opens under the target and rallies through it
    return make_bars(c, open=o, high=c + 0.1, low=_low(c) if low is None else low, volume=VOLUME)


def test_a_high_volume_undercut_then_reclaim_buys():
    c = np.array(CLOSE)
    for mult, want in ((1.5, [5]), (1.4, [5, 14])):
        assert _expected(list(c + 0.1), list(_low(c)), CLOSE, VOLUME, mult=mult) == want
        sig = signals_of(NAME, _bars(), **P, volume_multiplier=mult)
        assert signal_bars(sig.long_entry) == want


def test_target_stop_and_time_stop_measured_from_the_hunt_low():
    # risk = close(5) - low(4) = 0.6: target 1.2 above the 10.2 fill, stop 0.6 below it
    row = trade(NAME, _bars(), **P).trades.row(0, named=True)
    assert (row["exit_reason"], row["exit_price"]) == ("take_profit", pytest.approx(11.4))
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[8]
    low = _low(np.array(CLOSE))
    low[7] = 9.4
    row = trade(NAME, _bars(low), **P).trades.row(0, named=True)
    assert (row["exit_reason"], row["exit_price"]) == ("stop_loss", pytest.approx(9.6))
    row = trade(NAME, _bars(), **P, max_hold_days=2).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[8]
