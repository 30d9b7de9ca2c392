"""value_when: the value at the latest event, held until the next (checked against a loop)."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.indicators import pivot_high, value_when


def _loop(x, when, initial=np.nan):
    out, held = [], initial
    for v, w in zip(x, when, strict=True):
        held = v if w else held
        out.append(held)
    return np.array(out)


def test_holds_the_value_of_the_latest_event():
    x = np.array([5.0, 6, 7, 8, 9, 10])
    when = np.array([False, True, False, False, True, False])
    np.testing.assert_array_equal(value_when(x, when), [np.nan, 6, 6, 6, 9, 9])
    np.testing.assert_array_equal(value_when(x, when, 0.0), [0, 6, 6, 6, 9, 9])


def test_an_event_series_marks_events_by_its_finite_values():
    rng = np.random.default_rng(3)
    high = 100 + np.cumsum(rng.normal(0, 1, (300, 3)), axis=0)
    ph = pivot_high(high, 3, 3)
    held = value_when(ph, ph)
    for j in range(3):
        np.testing.assert_array_equal(held[:, j], _loop(ph[:, j], np.isfinite(ph[:, j])))
    assert np.isfinite(held[-1]).all()


def test_when_must_match_the_shape():
    with pytest.raises(ValueError):
        value_when(np.zeros((5, 2)), np.zeros(5, dtype=bool))
