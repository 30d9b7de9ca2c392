"""tv_tema_ribbon: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_tema_ribbon"
P = {"tema1_length": 2, "tema2_length": 3, "tema3_length": 4, "tema4_length": 5}


def _ema(x, n):
    out, a = np.empty(len(x)), 2.0 / (n + 1)
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = a * x[i] + (1 - a) * out[i - 1]
    return out


def _tema(x, n):
    e1 = _ema(np.asarray(x, dtype=float), n)
    e2 = _ema(e1, n)
    return 3 * e1 - 3 * e2 + _ema(e2, n)


def _spec(c, lengths):
    t1, t2, t3, t4 = (_tema(c, n) for n in lengths)
    bull = (t1 > t2) & (t2 > t3) & (t3 > t4)
    bear = (t1 < t2) & (t2 < t3) & (t3 < t4)
    t_ = [t for t in range(2, len(c)) if t + 1 >= 3 * max(lengths)]  # the original's guard
    buys = [t for t in t_ if bull[t - 1] and not bull[t - 2]]
    sells = [t for t in t_ if bear[t - 1] and not bear[t - 2]]
    return buys, sells


# A choppy start (the ribbon flips bull/bear every bar, inside the warm-up guard until bar 14),
# a rally (bull alignment), a decline (bear alignment).
CLOSE = [100, 101] * 8 + [103, 106, 110, 115, 118, 119, 117, 113, 108, 104, 101]


def test_first_bull_alignment_buys_and_first_bear_alignment_sells():
    buys, sells = _spec(CLOSE, (2, 3, 4, 5))
    assert buys == [14, 16] and sells == [15, 22]
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    trades = trade(NAME, make_bars(CLOSE), **P).trades
    assert trades["entry_price"].to_list() == [CLOSE[15], CLOSE[17]]
    assert trades["exit_price"].to_list() == [CLOSE[16], CLOSE[23]]


def test_near_miss_the_alignment_began_inside_the_warm_up_guard():
    # With a 6-bar slowest TEMA the guard lasts to bar 17; the rally's alignment (from bar 15)
    # is not new by then, so nothing is bought.
    lengths = (2, 3, 4, 6)
    t1, t2, t3, t4 = (_tema(CLOSE, n) for n in lengths)
    bull = (t1 > t2) & (t2 > t3) & (t3 > t4)
    assert bull[15:20].all() and not bull[14]  # aligned from bar 15 (first seen at bar 16)
    buys, _ = _spec(CLOSE, lengths)
    assert buys == []
    sig = signals_of(NAME, make_bars(CLOSE), **dict(zip(P, lengths, strict=True)))
    assert signal_bars(sig.long_entry) == []


def test_ribbon_values_are_the_library_temas():
    # The strategy computes its four TEMAs in one fused pass; they equal the library's, bit for
    # bit, on random closes with late-listed symbols and a gap (signals called directly: a run
    # would first close the gap up, computing each symbol on its own bars).
    from ava_backtest.strategies import get_strategy, tema

    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (300, 4)), axis=0))
    close[:40, 1] = np.nan
    close[:299, 2] = np.nan
    close[150, 3] = np.nan
    sig = get_strategy(NAME)().signals(make_bars(close))
    for q, n in enumerate((8, 13, 21, 34)):
        np.testing.assert_array_equal(sig.series[f"tema{q + 1}"], tema(close, n, seed="first"))
