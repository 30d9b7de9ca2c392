"""sector_rotation: the cross-sectional ranking and rotation on hand-made bars (the registry
suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "sector_rotation"
P = {"lookback": 2, "ranking_period": 1, "percentile_threshold": 60, "hold_days": 3}
N = 14
T = np.arange(N)


def _expected(close: np.ndarray, lookback: int, seasoning: int, thr: float, every: int):
    """The rule written out: on bars t % every == 0 from bar seasoning + lookback, rank the
    symbols' lookback returns (best = 100, worst = 0 over count - 1 steps); buy r > 0 and rank >
    thr, sell rank < 25."""
    n_sym = close.shape[1]
    buys: dict[int, list[int]] = {j: [] for j in range(n_sym)}
    sells: dict[int, list[int]] = {j: [] for j in range(n_sym)}
    for t in range(seasoning + lookback, len(close)):
        if t % every:
            continue
        r = close[t] / close[t - lookback] - 1
        for j in range(n_sym):
            rank = 100 * sum(r[k] < r[j] for k in range(n_sym)) / (n_sym - 1)
            if r[j] > 0 and rank > thr:
                buys[j].append(t)
            if rank < 25:
                sells[j].append(t)
    return buys, sells


def _universe(a, b, c, d):
    close = np.column_stack([a, b, c, d]).astype(float)
    return close, make_bars(close, symbols=["A", "B", "C", "D"])


def test_the_leaders_are_bought_and_the_laggard_sold_at_each_rebalance():
    close, bars = _universe(100 * 1.02**T, 100 * 1.01**T, np.full(N, 100.0), 100 * 0.98**T)
    buys, sells = _expected(close, 2, 1, 60, 3)
    assert buys == {0: [3, 6, 9, 12], 1: [3, 6, 9, 12], 2: [], 3: []}
    assert sells == {0: [], 1: [], 2: [], 3: [3, 6, 9, 12]}
    sig = signals_of(NAME, bars, **P)
    for j in range(4):
        assert signal_bars(sig.long_entry, j) == buys[j]
        assert signal_bars(sig.long_exit, j) == sells[j]
    res = trade(NAME, bars, **P)
    opened = res.fills.filter(res.fills["reason"] == "entry")
    assert sorted(opened["symbol"].to_list()) == ["A", "B"]
    assert set(opened["bar"].to_list()) == {4}  # the first rebalance's close -> next open


def test_near_miss_second_place_below_a_higher_threshold_and_a_falling_leader():
    close, bars = _universe(100 * 1.02**T, 100 * 1.01**T, np.full(N, 100.0), 100 * 0.98**T)
    sig = signals_of(NAME, bars, **{**P, "percentile_threshold": 70})  # B ranks 66.7
    assert _expected(close, 2, 1, 70, 3)[0][1] == []
    assert signal_bars(sig.long_entry, 1) == []
    assert signal_bars(sig.long_entry, 0) == [3, 6, 9, 12]
    # Everything falls: the leader ranks 100 but its return is negative, so nothing is bought.
    close, bars = _universe(100 * 0.999**T, 100 * 0.99**T, 100 * 0.98**T, 100 * 0.97**T)
    assert _expected(close, 2, 1, 60, 3)[0] == {0: [], 1: [], 2: [], 3: []}
    assert not signals_of(NAME, bars, **P).long_entry.any()


def test_a_single_symbol_cannot_be_ranked():
    bars = make_bars(100 * 1.02**T)
    assert not signals_of(NAME, bars, **P).long_entry.any()
