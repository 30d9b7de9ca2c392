"""crossed_above / crossed_below: strict on both bars (backtesting.py's convention)."""

from __future__ import annotations

import numpy as np

from ava_backtest.indicators import crossed_above, crossed_below

NAN = np.nan


def test_strict_cross_by_hand() -> None:
    a = np.array([1.0, 3.0, 2.0, 2.0, 3.0, 1.0, 2.0])
    b = np.array([2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    # bar 1: 1 < 2 then 3 > 2 -> up. Bar 2 touches (2 == 2): not a cross down. Bar 4: the previous
    # bar touched, so 2 -> 3 is not a cross up either. Bar 5: 3 > 2 then 1 < 2 -> down.
    assert crossed_above(a, b).tolist() == [False, True, False, False, False, False, False]
    assert crossed_below(a, b).tolist() == [False, False, False, False, False, True, False]


def test_scalars_on_either_side() -> None:
    rsi = np.array([25.0, 35.0, 29.0, 31.0])
    assert crossed_above(rsi, 30.0).tolist() == [False, True, False, True]
    assert crossed_below(rsi, 30.0).tolist() == [False, False, True, False]
    assert crossed_above(30.0, rsi).tolist() == [False, False, True, False]


def test_nan_compares_false() -> None:
    a = np.array([NAN, 3.0, 1.0, NAN, 3.0])
    b = np.array([2.0, 2.0, 2.0, 2.0, 2.0])
    assert not crossed_above(a, b).any()
    assert crossed_below(a, b).tolist() == [False, False, True, False, False]


def test_blocks_and_a_shared_series() -> None:
    block = np.array([[1.0, 5.0], [3.0, 1.0], [1.0, 3.0]])
    level = np.array([2.0, 2.0, 2.0])  # one series for every column, aligned on bars
    up = crossed_above(block, level)
    assert up.shape == (3, 2)
    assert up.tolist() == [[False, False], [True, False], [False, True]]
    assert crossed_below(block, level).tolist() == [[False, False], [False, True], [True, False]]
    assert crossed_above(level, block).tolist() == crossed_below(block, level).tolist()
