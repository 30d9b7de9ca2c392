"""The equity views against pandas: rolling Sharpe, volatility and beta equal pandas' rolling
statistics; the drawdown table equals a per-bar walk written out plainly; the histogram counts
every defined return."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ava_backtest.analytics.equity_views import (
    bar_returns,
    drawdown_periods,
    return_histogram,
    rolling_stats,
)


def _curve(n: int = 600, seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    b = rng.normal(0.0003, 0.01, n)
    r = 0.8 * b + rng.normal(0.0002, 0.008, n)
    eq = 100_000 * np.cumprod(1 + r)
    dates = np.arange("2020-01-01", n, dtype="datetime64[D]")[:n]
    return dates, eq, 100 * np.cumprod(1 + b)


def test_rolling_stats_equal_pandas():
    _, eq, bench = _curve()
    r, b = bar_returns(eq), bar_returns(bench)
    got = rolling_stats(r, 63, 252, benchmark_returns=b, risk_free_rate=0.02)
    s, sb = pd.Series(r), pd.Series(b)
    vol = s.rolling(63).std() * np.sqrt(252)
    sharpe = (s - (1.02 ** (1 / 252) - 1)).rolling(63).mean() / s.rolling(63).std() * np.sqrt(252)
    beta = s.rolling(63).cov(sb) / sb.rolling(63).var()
    np.testing.assert_allclose(got["volatility"], vol, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(got["sharpe"], sharpe, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(got["beta"], beta, rtol=1e-9, equal_nan=True)
    assert np.isnan(got["sharpe"][:63]).all() and np.isfinite(got["sharpe"][63:]).all()
    assert 0.5 < np.nanmean(got["beta"]) < 1.1  # built with beta 0.8


def test_rolling_without_benchmark_and_bad_window():
    r = bar_returns(_curve()[1])
    got = rolling_stats(r, 21, 252)
    assert np.isnan(got["beta"]).all()
    assert rolling_stats(r[:10], 21, 252)["sharpe"].shape == (10,)
    with pytest.raises(ValueError, match="window"):
        rolling_stats(r, 1, 252)


def _plain_drawdowns(dates, eq):
    """The same table by walking the curve bar by bar."""
    out, peak, start, trough, low = [], eq[0], 0, 0, 0.0
    for i in range(1, len(eq)):
        if eq[i] >= peak:
            if low < 0:
                out.append((dates[start], dates[trough], dates[i], low, i - start, trough - start))
            peak, start, trough, low = eq[i], i, i, 0.0
        elif eq[i] / peak - 1 < low:
            low, trough = eq[i] / peak - 1, i
    if low < 0:
        out.append((dates[start], dates[trough], None, low, len(eq) - 1 - start, trough - start))
    return sorted(out, key=lambda x: x[3])


def test_drawdown_table_equals_a_plain_walk():
    dates, eq, _ = _curve(900, seed=11)
    got = drawdown_periods(dates, eq, top=8)
    want = _plain_drawdowns(dates, eq)[:8]
    assert len(got) == 8
    for g, w in zip(got, want, strict=True):
        assert (g["start"], g["trough"]) == (str(w[0]), str(w[1]))
        assert g["recovery"] == (None if w[2] is None else str(w[2]))
        assert g["depth"] == pytest.approx(w[3], rel=1e-12)
        assert (g["length"], g["to_trough"]) == (w[4], w[5])
    depths = [g["depth"] for g in got]
    assert depths == sorted(depths)
    # the run's max drawdown is the first row's depth
    assert got[0]["depth"] == pytest.approx(float((eq / np.maximum.accumulate(eq) - 1).min()))


def test_unrecovered_and_flat_curves():
    d = np.arange("2021-01-01", 6, dtype="datetime64[D]")
    got = drawdown_periods(d, np.array([1.0, 2.0, 1.5, 1.0, 1.2, 1.9]))
    assert got == [
        {"start": "2021-01-02", "trough": "2021-01-04", "recovery": None, "depth": -0.5,
         "length": 4, "to_trough": 2}
    ]  # fmt: skip
    assert drawdown_periods(d, np.linspace(1, 2, 6)) == []


def test_histogram_counts_every_defined_return():
    r = bar_returns(_curve()[1])
    h = return_histogram(r, 30)
    assert h["n"] == np.isfinite(r).sum() == sum(h["counts"]) and len(h["edges"]) == 31
    counts, _ = np.histogram(r[np.isfinite(r)], bins=30)
    assert h["counts"] == counts.tolist()
    assert return_histogram(np.array([np.nan]))["n"] == 0
