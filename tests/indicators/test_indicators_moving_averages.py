"""Moving averages against hand computations (TA-Lib agreement is in test_indicators_talib.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import ava_backtest.indicators as ind
from ava_backtest.data.sample_store import read_sample

SYMBOL = "AAPL"  # the package's shipped copy of the real sample


@pytest.fixture(scope="module")
def close() -> np.ndarray:
    df = read_sample("US", SYMBOL)
    return df["adj_close"].to_numpy()


def _original_sma(x: np.ndarray, n: int) -> np.ndarray:
    """The SMA kernel as first shipped (column by column, Kahan sum, restart after a gap),
    written out in plain Python: the row-major kernel must reproduce it bit for bit."""
    rows, cols = x.shape
    out = np.empty_like(x)
    for j in range(cols):
        s = comp = 0.0
        count = 0
        for i in range(rows):
            v = x[i, j]
            if np.isnan(v):
                s = comp = 0.0
                count = 0
                out[i, j] = np.nan
                continue
            y = v - comp
            t = s + y
            comp = (t - s) - y
            s = t
            count += 1
            if count > n:
                y = -x[i - n, j] - comp
                t = s + y
                comp = (t - s) - y
                s = t
            out[i, j] = s / n if count >= n else np.nan
    return out


def _ema_ref(x: np.ndarray, n: int, alpha: float, seed: str) -> np.ndarray:
    out = np.full(len(x), np.nan)
    start = int(np.argmax(~np.isnan(x)))
    if seed == "first":
        y = x[start]
        out[start] = y
        first_out = start
    else:
        first_out = start + n - 1
        y = float(np.mean(x[start : first_out + 1]))
        out[first_out] = y
    for t in range(first_out + 1, len(x)):
        y = y + alpha * (x[t] - y)
        out[t] = y
    return out


def _wma_ref(x: np.ndarray, n: int) -> np.ndarray:
    w = np.arange(1, n + 1, dtype=float)
    out = np.full(len(x), np.nan)
    for t in range(n - 1, len(x)):
        out[t] = np.dot(x[t - n + 1 : t + 1], w) / w.sum()
    return out


def test_sma_reproduces_the_original_kernel_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    x = 100 + np.cumsum(rng.normal(size=(600, 4)), axis=0)
    x[:37, 1] = np.nan
    x[:599, 2] = np.nan
    x[200:203, 3] = np.nan  # an interior gap: the window restarts after it
    for n in (1, 2, 5, 20, 250):
        np.testing.assert_array_equal(ind.sma(x, n), _original_sma(x, n))
        np.testing.assert_array_equal(ind.sma(x[:, 0], n), _original_sma(x[:, :1], n)[:, 0])


def test_sma_matches_pandas_rolling_mean_to_a_few_ulp(close: np.ndarray) -> None:
    """Both are compensated running sums, rounded differently: they agree to 2 ulp for the
    usual windows and to 8 ulp for very short ones, and both stay within 4 ulp of the correctly
    rounded window mean."""
    for n, ulps in ((3, 8), (20, 2), (200, 2)):
        ours = ind.sma(close, n)
        theirs = pd.Series(close).rolling(n).mean().to_numpy()
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
        ok = ~np.isnan(ours)
        assert (np.abs(ours[ok] - theirs[ok]) <= ulps * np.spacing(theirs[ok])).all()
        exact = np.array(
            [math.fsum(close[t - n + 1 : t + 1]) / n for t in range(n - 1, len(close))]
        )
        assert (np.abs(ours[n - 1 :] - exact) <= 4 * np.spacing(exact)).all()


def test_ema_by_hand() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    # alpha = 2 / (3 + 1) = 0.5; seeded with mean(1, 2, 3) = 2 at bar 2
    np.testing.assert_array_equal(ind.ema(x, 3), [np.nan, np.nan, 2.0, 3.0, 4.0, 5.0])
    # seeded with the first value: 1, 1.5, 2.25, 3.125, 4.0625, 5.03125
    np.testing.assert_array_equal(ind.ema(x, 3, "first"), [1.0, 1.5, 2.25, 3.125, 4.0625, 5.03125])


def test_ema_seedings_against_references(close: np.ndarray) -> None:
    for n in (2, 12, 50):
        alpha = 2.0 / (n + 1)
        np.testing.assert_allclose(
            ind.ema(close, n), _ema_ref(close, n, alpha, "sma"), rtol=1e-13, equal_nan=True
        )
        pandas = pd.Series(close).ewm(span=n, adjust=False).mean().to_numpy()
        np.testing.assert_allclose(ind.ema(close, n, "first"), pandas, rtol=1e-13)
        # the two seedings forget their start geometrically
        gap = np.abs(ind.ema(close, n) - ind.ema(close, n, "first"))
        assert gap[-1] < 1e-9 * close[-1]


def test_rma_is_wilders_average(close: np.ndarray) -> None:
    n = 14
    ref = np.full(len(close), np.nan)
    ref[n - 1] = close[:n].mean()
    for t in range(n, len(close)):
        ref[t] = (ref[t - 1] * (n - 1) + close[t]) / n
    np.testing.assert_allclose(ind.rma(close, n), ref, rtol=1e-13, equal_nan=True)
    pandas = pd.Series(close).ewm(alpha=1 / n, adjust=False).mean().to_numpy()
    np.testing.assert_allclose(ind.rma(close, n, "first"), pandas, rtol=1e-13)


def test_ewm_seed_window_and_offset() -> None:
    x = np.array([2.0, 4.0, 6.0, 8.0, 10.0])
    # seeded at bar 3 with mean(4, 6, 8) = 6, then 6 + 0.25 (10 - 6) = 7
    np.testing.assert_array_equal(ind.ewm(x, 0.25, 3, 3), [np.nan, np.nan, np.nan, 6.0, 7.0])


def test_wma_by_hand(close: np.ndarray) -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    # weights 1, 2, 3 (newest heaviest) over 6: (1 + 4 + 9) / 6 and (2 + 6 + 12) / 6
    np.testing.assert_allclose(ind.wma(x, 3), [np.nan, np.nan, 14 / 6, 20 / 6], rtol=1e-15)
    for n in (2, 9, 30):
        np.testing.assert_allclose(
            ind.wma(close, n), _wma_ref(close, n), rtol=1e-12, equal_nan=True
        )


def test_hma_is_its_definition(close: np.ndarray) -> None:
    for n in (9, 16, 21):
        inner = 2 * _wma_ref(close, n // 2) - _wma_ref(close, n)
        ref = np.full(len(close), np.nan)
        m = int(np.sqrt(n))
        ref[n - 1 :] = _wma_ref(inner[n - 1 :], m)
        np.testing.assert_allclose(ind.hma(close, n), ref, rtol=1e-11, equal_nan=True)
        assert np.isnan(ind.hma(close, n)[: n + m - 2]).all()


def test_dema_tema_are_chained_emas(close: np.ndarray) -> None:
    n = 10
    s = pd.Series(close)
    e1 = s.ewm(span=n, adjust=False).mean()
    e2 = e1.ewm(span=n, adjust=False).mean()
    e3 = e2.ewm(span=n, adjust=False).mean()
    np.testing.assert_allclose(ind.dema(close, n, "first"), (2 * e1 - e2).to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        ind.tema(close, n, "first"), (3 * e1 - 3 * e2 + e3).to_numpy(), rtol=1e-12
    )
