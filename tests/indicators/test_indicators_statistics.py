"""Rolling statistics and linear regression against hand computations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import ava_backtest.indicators as ind
from ava_backtest.data.sample_store import read_sample

SYMBOL = "AAPL"  # the package's shipped copy of the real sample


@pytest.fixture(scope="module")
def close() -> np.ndarray:
    return read_sample("US", SYMBOL)["adj_close"].to_numpy()


def _two_pass_std(x: np.ndarray, n: int, ddof: int = 0) -> np.ndarray:
    out = np.full(len(x), np.nan)
    for t in range(n - 1, len(x)):
        w = x[t - n + 1 : t + 1]
        out[t] = np.sqrt(((w - w.mean()) ** 2).sum() / (n - ddof))
    return out


def test_extremes_and_their_age_by_hand() -> None:
    x = np.array([3.0, 1.0, 3.0, 2.0, 0.0, 0.0])
    np.testing.assert_array_equal(ind.highest(x, 3), [np.nan, np.nan, 3.0, 3.0, 3.0, 2.0])
    np.testing.assert_array_equal(ind.lowest(x, 3), [np.nan, np.nan, 1.0, 1.0, 0.0, 0.0])
    # ties go to the most recent bar: at bar 2 the 3.0 of bar 2 (age 0), not of bar 0
    np.testing.assert_array_equal(
        ind.bars_since_highest(x, 3), [np.nan, np.nan, 0.0, 1.0, 2.0, 2.0]
    )
    np.testing.assert_array_equal(ind.bars_since_lowest(x, 3), [np.nan, np.nan, 1.0, 2.0, 0.0, 0.0])
    np.testing.assert_array_equal(ind.rolling_sum(x, 2), [np.nan, 4.0, 4.0, 5.0, 2.0, 0.0])


def test_extremes_match_a_naive_scan_on_every_window_length(close: np.ndarray) -> None:
    x = np.round(close, 1)  # many ties
    for n in (1, 2, 3, 7, 64, 300):
        hi = np.full(len(x), np.nan)
        age = np.full(len(x), np.nan)
        for t in range(n - 1, len(x)):
            w = x[t - n + 1 : t + 1]
            hi[t] = w.max()
            age[t] = n - 1 - np.flatnonzero(w == w.max())[-1]
        np.testing.assert_array_equal(ind.highest(x, n), hi)
        np.testing.assert_array_equal(ind.bars_since_highest(x, n), age)


def test_the_age_of_the_oldest_extreme_matches_a_naive_scan(close: np.ndarray) -> None:
    x = np.round(close, 0)  # long runs of equal values
    x[100:104] = np.nan  # a gap inside the series: NaN never counts as the extreme
    for n in (1, 2, 3, 7, 64, 300):
        hi_age = np.full(len(x), np.nan)
        lo_age = np.full(len(x), np.nan)
        for t in range(n - 1, len(x)):
            w = x[t - n + 1 : t + 1]
            if np.isnan(w).all():
                continue
            hi_age[t] = n - 1 - np.flatnonzero(w == np.nanmax(w))[0]
            lo_age[t] = n - 1 - np.flatnonzero(w == np.nanmin(w))[0]
        np.testing.assert_array_equal(ind.bars_since_highest(x, n, ties="oldest"), hi_age)
        np.testing.assert_array_equal(ind.bars_since_lowest(x, n, ties="oldest"), lo_age)
    with pytest.raises(ValueError, match="ties"):
        ind.bars_since_highest(x, 5, ties="newest")  # type: ignore[arg-type]


def test_a_window_of_nothing_but_gaps_has_no_extreme() -> None:
    # a panel column with a gap of 3 NaN bars after its first value: windows of 2 bars inside the
    # gap hold no value, so there is no extreme (it was -inf / +inf, and donchian's midpoint then
    # warned on inf + -inf); windows that still see a value take it, whatever its age
    x = np.array([[1.0, 5.0], [2.0, np.nan], [np.nan, np.nan], [np.nan, np.nan], [np.nan, 3.0],
                  [4.0, 6.0]])  # fmt: skip
    nan = np.nan
    hi = [[nan, nan], [2.0, 5.0], [2.0, nan], [nan, nan], [nan, 3.0], [4.0, 6.0]]
    lo = [[nan, nan], [1.0, 5.0], [2.0, nan], [nan, nan], [nan, 3.0], [4.0, 3.0]]
    np.testing.assert_array_equal(ind.highest(x, 2), hi)
    np.testing.assert_array_equal(ind.lowest(x, 2), lo)
    age = [[nan, nan], [0.0, 1.0], [1.0, nan], [nan, nan], [nan, 0.0], [0.0, 0.0]]
    np.testing.assert_array_equal(ind.bars_since_highest(x, 2), age)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        mid = ind.donchian(x, x, 2).middle
    np.testing.assert_array_equal(mid[3], [nan, nan])
    np.testing.assert_array_equal(mid[5], [4.0, 4.5])


def test_stddev_and_zscore_by_hand(close: np.ndarray) -> None:
    for n, ddof in ((2, 0), (20, 0), (20, 1), (250, 1)):
        ref = _two_pass_std(close, n, ddof)
        np.testing.assert_allclose(ind.stddev(close, n, ddof), ref, rtol=1e-10, equal_nan=True)
        mean = pd.Series(close).rolling(n).mean().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(ref == 0.0, 0.0, (close - mean) / ref)  # a flat window scores 0
        np.testing.assert_allclose(
            ind.zscore(close, n, ddof), z, rtol=1e-8, atol=1e-9, equal_nan=True
        )


def test_stddev_is_exact_when_a_window_goes_flat_after_a_jump() -> None:
    """A sliding update would keep a ~1e-8 ghost deviation after the jump leaves the window."""
    x = np.r_[np.full(10, 100.0), 1e6, np.full(30, 100.0 + 1e-9), np.full(30, 7.0)]
    ours = ind.stddev(x, 5)
    ref = _two_pass_std(x, 5)
    assert (np.abs(ours - ref)[4:] <= 8 * np.spacing(x[4:]) + 1e-12 * ref[4:]).all()
    assert (ours[-26:] == 0.0).all()
    assert (ind.zscore(x, 5)[-26:] == 0.0).all()


def test_stddev_accuracy_on_a_high_level_series() -> None:
    rng = np.random.default_rng(11)
    x = 1e6 + np.cumsum(rng.normal(scale=1e-3, size=4000))
    ours = ind.stddev(x, 30)
    ref = _two_pass_std(x, 30)
    # The prices carry ~1e-10 of rounding against a ~1e-3 deviation: a sum-of-squares formula
    # would be pure noise here (relative error ~1e1); the sliding update stays within ~n ulp.
    assert np.nanmax(np.abs(ours - ref) / ref) < 1e-5


def test_percentile_rank_by_hand(close: np.ndarray) -> None:
    x = np.array([5.0, 1.0, 3.0, 3.0, 9.0, 0.0])
    # bar 3: previous (5, 1, 3) <= 3: two of three; bar 4: (1, 3, 3) all <= 9; bar 5: none <= 0
    np.testing.assert_allclose(
        ind.percentile_rank(x, 3), [np.nan, np.nan, np.nan, 200 / 3, 100.0, 0.0], rtol=1e-15
    )
    n = 50
    ref = np.full(len(close), np.nan)
    for t in range(n, len(close)):
        ref[t] = 100 * (close[t - n : t] <= close[t]).sum() / n
    np.testing.assert_array_equal(ind.percentile_rank(close, n), ref)


def test_linreg_is_least_squares_per_window(close: np.ndarray) -> None:
    n = 14
    value = np.full(len(close), np.nan)
    slope = np.full(len(close), np.nan)
    intercept = np.full(len(close), np.nan)
    spread = np.full(len(close), np.nan)
    q = np.arange(n, dtype=float)
    for t in range(n - 1, len(close)):
        y = close[t - n + 1 : t + 1]
        b, a = np.polyfit(q, y, 1)
        slope[t], intercept[t], value[t] = b, a, a + b * (n - 1)
        spread[t] = np.sqrt(np.mean((y - (a + b * q)) ** 2))
    fit = ind.linreg(close, n)
    np.testing.assert_allclose(fit.value, value, rtol=1e-11, equal_nan=True)
    np.testing.assert_allclose(fit.slope, slope, rtol=1e-8, atol=1e-11, equal_nan=True)
    np.testing.assert_allclose(fit.intercept, intercept, rtol=1e-11, equal_nan=True)
    ch = ind.linreg_channel(close, n, 2.0)
    np.testing.assert_allclose(ch.middle, value, rtol=1e-11, equal_nan=True)
    np.testing.assert_allclose(
        ch.upper - ch.middle, 2 * spread, rtol=1e-7, atol=1e-11, equal_nan=True
    )
    np.testing.assert_allclose(
        ch.middle - ch.lower, 2 * spread, rtol=1e-7, atol=1e-11, equal_nan=True
    )


def test_linreg_on_a_straight_line_is_exact() -> None:
    x = 1000.0 + 0.25 * np.arange(200)
    fit = ind.linreg(x, 20)
    np.testing.assert_allclose(fit.slope[19:], 0.25, rtol=1e-10)
    np.testing.assert_allclose(fit.value[19:], x[19:], rtol=1e-14)
    np.testing.assert_allclose(fit.intercept[19:], x[:-19], rtol=1e-14)
    assert np.nanmax(ind.linreg_channel(x, 20).upper - fit.value) < 1e-9


def test_rank_below_counts_strictly_lower_values_in_a_window_that_includes_today():
    x = np.array([3.0, 1.0, 2.0, 2.0, 5.0, np.nan, 4.0])
    out = ind.rank_below(x, 3)
    # window [3,1,2] -> below 2: {1} -> 33.3; [1,2,2] -> below 2: {1}; [2,2,5] -> {2,2}
    np.testing.assert_allclose(out[:5], [np.nan, np.nan, 100 / 3, 100 / 3, 200 / 3])
    assert np.isnan(out[5:]).all()  # a NaN inside the window gives NaN
