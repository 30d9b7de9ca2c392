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


def test_pair_crosses_equal_crossed_above_of_each_pair() -> None:
    from ava_backtest.indicators.crosses import pair_crosses

    rng = np.random.default_rng(7)
    # small integers: many ties (touches), and NaN warm-ups of different lengths
    lines = rng.integers(0, 4, size=(300, 6)).astype(float)
    for k in range(6):
        lines[: 5 * k, k] = NAN
    lines[150, 2] = NAN
    first = [0, 1, 2, 5, 3, 3]
    second = [1, 0, 4, 2, 3, 5]
    for touch in (False, True):
        up, down = pair_crosses(lines, first, second, from_touch=touch)
        assert up.shape == down.shape == (300, 6)
        for j, (a, b) in enumerate(zip(first, second, strict=True)):
            fa, fb = lines[:, a], lines[:, b]
            assert up[:, j].tolist() == crossed_above(fa, fb, from_touch=touch).tolist(), j
            assert down[:, j].tolist() == crossed_above(fb, fa, from_touch=touch).tolist(), j
        assert up.any() and down.any()


def test_pair_crosses_refuses_bad_columns() -> None:
    import pytest

    from ava_backtest.indicators.crosses import pair_crosses

    lines = np.zeros((5, 2))
    with pytest.raises(ValueError, match="outside the 2 lines"):
        pair_crosses(lines, [0], [2])
    with pytest.raises(ValueError, match="one length"):
        pair_crosses(lines, [0, 1], [1])
    with pytest.raises(ValueError, match="2-D"):
        pair_crosses(np.zeros(5), [0], [0])
