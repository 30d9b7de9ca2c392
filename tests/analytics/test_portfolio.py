"""Correlation and the portfolio of runs against an independent pandas computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ava_backtest.analytics.portfolio import (
    Curve,
    combine,
    correlation,
    daily_curve,
    rebalance_flags,
)
from ava_backtest.domain.errors import ConfigError, DataError


def _walk(rng: np.random.Generator, n: int, vol: float, start: float) -> np.ndarray:
    return start * np.cumprod(1.0 + rng.normal(0.0003, vol, n))


def _runs() -> dict[str, pd.Series]:
    """Three equity curves on different calendars: business days, business days with holes and a
    later start, and every calendar day (a 24x7 run); one shares a factor with another."""
    rng = np.random.default_rng(42)
    bdays = pd.bdate_range("2019-01-01", "2022-06-30")
    common = rng.normal(0, 0.01, bdays.size)
    a = pd.Series(1e5 * np.cumprod(1 + common + rng.normal(0.0002, 0.006, bdays.size)), bdays)
    keep = rng.random(bdays.size) > 0.1
    b_days = bdays[keep][bdays[keep] >= "2019-06-01"]
    b_common = pd.Series(common, bdays).loc[b_days].to_numpy()
    b = pd.Series(5e4 * np.cumprod(1 + 0.5 * b_common + rng.normal(0, 0.012, b_days.size)), b_days)
    cdays = pd.date_range("2018-07-01", "2021-12-31", freq="D")
    c = pd.Series(_walk(rng, cdays.size, 0.02, 2e5), cdays)
    return {"A": a, "B": b, "C": c}


def _curve(label: str, s: pd.Series) -> Curve:
    return daily_curve(label, s.index.to_numpy().astype("datetime64[D]"), s.to_numpy())


def test_correlation_equals_pandas_pairwise():
    runs = _runs()
    got = correlation([_curve(k, s) for k, s in runs.items()])
    # pandas: each run's returns on its own dates, then aligned; DataFrame.corr is pairwise.
    rets = pd.concat({k: s.pct_change().dropna() for k, s in runs.items()}, axis=1)
    want = rets.corr(method="pearson")
    present = rets.notna().astype(int)
    np.testing.assert_allclose(got.matrix, want.to_numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(got.overlap, (present.T @ present).to_numpy())
    assert got.labels == ["A", "B", "C"]
    assert got.matrix[0, 1] > 0.3  # the shared factor shows
    assert got.overlap[0, 1] < got.overlap[0, 0]  # B's holes and later start


def test_correlation_of_an_intraday_curve_uses_each_dates_last_bar():
    rng = np.random.default_rng(1)
    days = pd.bdate_range("2021-01-04", periods=60)
    daily = pd.Series(_walk(rng, days.size, 0.01, 1e5), days)
    stamps = np.concatenate([[d + pd.Timedelta(hours=h) for h in (10, 12, 16)] for d in days])
    intraday = np.repeat(daily.to_numpy(), 3) * np.tile([0.97, 1.02, 1.0], days.size)
    curve = daily_curve("I", np.array(stamps, dtype="datetime64[ns]"), intraday)
    np.testing.assert_allclose(curve.equity, daily.to_numpy())
    got = correlation([curve, _curve("D", daily)])
    assert got.matrix[0, 1] == pytest.approx(1.0)
    assert got.overlap[0, 1] == days.size - 1


def test_correlation_of_a_flat_run_is_undefined_not_zero():
    days = pd.bdate_range("2021-01-04", periods=30)
    flat = pd.Series(np.full(days.size, 1e5), days)
    moving = pd.Series(_walk(np.random.default_rng(3), days.size, 0.01, 1e5), days)
    got = correlation([_curve("flat", flat), _curve("moving", moving)])
    assert math.isnan(got.matrix[0, 1]) and math.isnan(got.matrix[0, 0])
    assert got.matrix[1, 1] == 1.0


def _pandas_portfolio(
    runs: dict[str, pd.Series], weights: np.ndarray, rebalance: str, capital: float, warm: int = 0
) -> tuple[pd.Series, np.ndarray]:
    """The portfolio computed the slow, obvious way: inner-joined equity, sub-accounts in
    currency, a reset to the weights at each period's last date (the shares held at the end are
    those before any reset)."""
    eq = pd.concat(runs, axis=1, join="inner").iloc[warm:]
    growth = eq / eq.shift(1)
    freq = {"weekly": "W", "monthly": "M", "quarterly": "Q"}.get(rebalance)
    if rebalance == "daily":
        period = pd.Series(np.arange(len(eq)), eq.index)
    elif freq:
        period = pd.Series(eq.index.to_period(freq), eq.index)
    else:
        period = pd.Series(0, eq.index)
    last_of_period = period != period.shift(-1)
    values = weights * capital
    totals = [capital]
    for i in range(1, len(eq)):
        values = values * growth.iloc[i].to_numpy()
        totals.append(values.sum())
        if last_of_period.iloc[i] and rebalance != "never" and i < len(eq) - 1:
            values = weights * values.sum()
    return pd.Series(totals, eq.index), values / values.sum()


@pytest.mark.parametrize("rebalance", ["daily", "weekly", "monthly", "quarterly", "never"])
def test_equal_weight_portfolio_equals_pandas(rebalance):
    runs = {k: s for k, s in _runs().items() if k in ("A", "B")}
    p = combine(
        [_curve(k, s) for k, s in runs.items()],
        weighting="equal",
        rebalance=rebalance,
        initial_capital=1e6,
        periods_per_year=252,
    )
    want, final = _pandas_portfolio(runs, np.array([0.5, 0.5]), rebalance, 1e6)
    np.testing.assert_allclose(p.equity, want.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(p.final_weights, final, rtol=1e-12)
    assert list(p.dates) == list(want.index.to_numpy().astype("datetime64[D]"))
    r = want.pct_change().dropna()
    assert p.metrics["total_return"] == pytest.approx(want.iloc[-1] / 1e6 - 1, rel=1e-12)
    assert p.metrics["sharpe"] == pytest.approx(r.mean() / r.std() * math.sqrt(252), rel=1e-10)
    assert p.metrics["max_drawdown"] == pytest.approx(
        (want / np.maximum(want.cummax(), 1e6) - 1).min(), rel=1e-12
    )
    eq = pd.concat(runs, axis=1, join="inner")
    vols = eq.pct_change().dropna().std() * math.sqrt(252)
    dr = (0.5 * vols).sum() / (r.std() * math.sqrt(252))
    assert p.diversification_ratio == pytest.approx(dr, rel=1e-10)
    assert p.diversification_ratio > 1.0  # two imperfectly correlated runs diversify


def test_given_and_inverse_volatility_weights_equal_pandas():
    runs = _runs()
    curves = [_curve(k, s) for k, s in runs.items()]
    given = combine(
        curves,
        weighting="given",
        weights=[2, 1, 1],
        rebalance="monthly",
        initial_capital=3e5,
        periods_per_year=252,
    )
    np.testing.assert_allclose(given.weights, [0.5, 0.25, 0.25])
    assert any("normalised" in n for n in given.notes)
    want, _ = _pandas_portfolio(runs, np.array([0.5, 0.25, 0.25]), "monthly", 3e5)
    np.testing.assert_allclose(given.equity, want.to_numpy(), rtol=1e-12)

    inv = combine(
        curves,
        weighting="inverse_volatility",
        rebalance="quarterly",
        initial_capital=3e5,
        periods_per_year=252,
        vol_window=40,
    )
    eq = pd.concat(runs, axis=1, join="inner")
    sigma = eq.pct_change().iloc[1:41].std()  # the 40 returns before the start, nothing after
    w = (1 / sigma) / (1 / sigma).sum()
    np.testing.assert_allclose(inv.weights, w.to_numpy(), rtol=1e-12)
    want, _ = _pandas_portfolio(runs, w.to_numpy(), "quarterly", 3e5, warm=40)
    assert inv.dates[0] == eq.index[40].to_datetime64().astype("datetime64[D]")
    np.testing.assert_allclose(inv.equity, want.to_numpy(), rtol=1e-12)
    assert inv.weights[2] < inv.weights[0]  # C is the most volatile: the smallest weight


def test_rebalance_periods_end_on_the_last_date_of_each():
    d = np.array(
        ["2024-03-28", "2024-04-01", "2024-04-05", "2024-04-08", "2024-06-28", "2024-07-01"],
        dtype="datetime64[D]",
    )
    assert rebalance_flags(d, "weekly").tolist() == [True, False, True, True, True, True]
    assert rebalance_flags(d, "monthly").tolist() == [True, False, False, True, True, True]
    assert rebalance_flags(d, "quarterly").tolist() == [True, False, False, False, True, True]
    assert not rebalance_flags(d, "never").any()


def test_bad_requests_are_named():
    runs = _runs()
    curves = [_curve(k, s) for k, s in runs.items()]
    kw = {"initial_capital": 1e5, "periods_per_year": 252}
    with pytest.raises(ConfigError) as e:
        combine(curves, weighting="given", weights=[1, 1], **kw)
    assert e.value.field == "weights" and "2 weights for 3 runs" in str(e.value)
    with pytest.raises(ConfigError, match="weights must be finite and >= 0"):
        combine(curves, weighting="given", weights=[1, -1, 1], **kw)
    with pytest.raises(ConfigError, match="at least 2 runs"):
        combine(curves[:1], **kw)
    with pytest.raises(ConfigError, match="unknown rebalance"):
        combine(curves, rebalance="hourly", **kw)
    late = pd.Series(np.linspace(1e5, 2e5, 50), pd.bdate_range("2023-01-02", periods=50))
    with pytest.raises(DataError, match="share 0 dates") as e:
        combine([curves[0], _curve("late", late)], **kw)
    assert e.value.field == "backtest_ids"
    flat = pd.Series(np.full(500, 1e5), pd.bdate_range("2020-01-01", periods=500))
    with pytest.raises(DataError, match="flat did not move"):
        combine([curves[0], _curve("flat", flat)], weighting="inverse_volatility", **kw)
