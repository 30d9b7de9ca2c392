"""The compiled per-curve statistics against plain numpy, on the awkward inputs: ties, runs of
zero returns, tiny samples, ruined curves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ava_backtest.analytics.curve_stats import SLOTS, TAIL_CUTOFF, curve_stats

DAYS = (np.datetime64("2020-01-01") + np.arange(400)).astype("datetime64[ns]")
S = {k: i for i, k in enumerate(SLOTS)}


def _stats(eq: np.ndarray, capital: float | None = None) -> np.ndarray:
    cap = np.array([eq[0] if capital is None else capital])
    return curve_stats(eq[:, None], cap, DAYS[: eq.size], None, None, 252.0, 0.0)[0]


def _curve(r: np.ndarray) -> np.ndarray:
    return 100.0 * np.concatenate([[1.0], np.cumprod(1.0 + r)])


def _tails(r: np.ndarray) -> tuple[float, float, float]:
    lo, hi = np.percentile(r, [100 * TAIL_CUTOFF, 100 * (1 - TAIL_CUTOFF)])
    k = int((r.size - 1) * TAIL_CUTOFF)
    return float(lo), float(hi), float(np.sort(r)[: k + 1].mean())


@pytest.mark.parametrize("n", [2, 3, 7, 20, 21, 41, 250, 399])
@pytest.mark.parametrize("kind", ["normal", "mostly_zero", "few_levels"])
def test_tails_equal_numpys_percentiles_and_the_mean_of_the_worst(n, kind):
    rng = np.random.default_rng(n)
    r = rng.normal(0.0005, 0.02, n)
    if kind == "mostly_zero":
        r[rng.random(n) < 0.8] = 0.0
    if kind == "few_levels":  # many exact ties: the selection must still find the order stats
        r = rng.choice([-0.02, -0.01, 0.0, 0.01], n)
    eq = _curve(r)
    got = _stats(eq)
    r = eq[1:] / eq[:-1] - 1.0
    lo, hi, cvar = _tails(r)
    assert got[S["value_at_risk"]] == pytest.approx(lo, rel=1e-12, abs=1e-15)
    assert got[S["cvar"]] == pytest.approx(cvar, rel=1e-12, abs=1e-15)
    if lo != 0:
        assert got[S["tail_ratio"]] == pytest.approx(abs(hi) / abs(lo), rel=1e-12)
    else:
        assert np.isnan(got[S["tail_ratio"]])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(-0.5, 0.5, allow_nan=False).map(lambda x: round(x, 3)), min_size=2, max_size=120
    )
)
def test_moments_and_ratios_equal_numpy(values):
    r = np.array(values)
    eq = _curve(r)
    got = _stats(eq)
    r = eq[1:] / eq[:-1] - 1.0
    sd = np.std(r, ddof=1)
    assert got[S["annual_volatility"]] == pytest.approx(sd * np.sqrt(252), rel=1e-9, abs=1e-15)
    if np.ptp(r) > 0:
        assert got[S["sharpe"]] == pytest.approx(r.mean() / sd * np.sqrt(252), rel=1e-9)
    else:
        assert np.isnan(got[S["sharpe"]])
    peak = np.maximum.accumulate(eq)
    dd = eq / peak - 1.0
    assert got[S["max_drawdown"]] == pytest.approx(dd.min(), rel=1e-12, abs=1e-15)
    assert got[S["ulcer_index"]] == pytest.approx(np.sqrt(np.mean(dd**2)), rel=1e-9, abs=1e-15)
    assert got[S["final_equity"]] == eq[-1]


def test_a_ruined_curve_stops_its_returns_at_minus_100_percent():
    eq = np.array([100.0, 110.0, 90.0, -5.0, -8.0])
    got = _stats(eq)
    r = np.array([0.1, 90.0 / 110.0 - 1.0, -1.0])  # the third return is the loss of everything
    assert got[S["annual_volatility"]] == pytest.approx(np.std(r, ddof=1) * np.sqrt(252))
    assert got[S["total_return"]] == pytest.approx(-1.08)  # levels use the whole curve
    assert np.isnan(got[S["stability"]])  # wiped out: no log growth to fit
    assert got[S["cagr"]] == -1.0
