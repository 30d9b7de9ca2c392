"""The vectorised metrics of many columns are the 1-D metrics of each column, value for value."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.analytics.metrics import compute_metrics, compute_metrics_columns
from ava_backtest.analytics.trade_stats import (
    TradeStats,
    segment_reduce,
    trade_metrics,
    trade_metrics_columns,
)

T = 600


def _columns(rng: np.random.Generator) -> np.ndarray:
    """Equity curves of every kind a sweep produces: trending, mostly flat, never traded, ruined
    (and below zero), rounded to whole units, flat after a point."""
    cols = []
    for j in range(140):
        kind = j % 7
        steps = rng.normal(0.0004, 0.012, T)
        if kind == 1:
            steps[rng.random(T) < 0.6] = 0.0
        e = 1e5 * np.cumprod(1 + steps)
        if kind == 2:
            e[:] = 1e5
        if kind == 3:
            e[300:] = np.linspace(e[299], -5e3, T - 300)
        if kind == 4:
            e = np.round(e, 0)
        if kind == 5:
            e[400:] = e[399]
        cols.append(e)
    return np.column_stack(cols)


@pytest.mark.parametrize(
    "case", ["plain", "benchmark_and_exposure", "risk_free_and_capital", "capital_and_exposure"]
)
def test_columns_equal_the_single_column_metrics(case):
    rng = np.random.default_rng(3)
    equity = _columns(rng)
    dates = (np.datetime64("2015-01-01") + 2 * np.arange(T)).astype("datetime64[ns]")
    exposure = np.abs(rng.normal(0.5, 0.3, equity.shape))
    exposure[rng.random(equity.shape) < 0.3] = 0.0
    exposure[rng.random(T) < 0.1, 5] = np.nan
    exposure[:, 12] = np.nan
    bench = 100 * np.cumprod(1 + rng.normal(0.0003, 0.01, T))
    bench[:50] = np.nan
    bench[200] = np.nan
    kw = {
        "plain": {},
        "benchmark_and_exposure": {"benchmark": bench, "exposure": exposure},
        "risk_free_and_capital": {
            "risk_free_rate": 0.03,
            "initial_capital": 1e5,
            "benchmark": bench,
        },
        "capital_and_exposure": {"initial_capital": 2e5, "exposure": exposure},
    }[case]
    kw.setdefault("benchmark", None)
    kw.setdefault("exposure", None)
    ruined = (equity <= 0).any(axis=0)
    assert ruined.sum() == 20
    many = compute_metrics_columns(
        equity, dates, trades=None, periods_per_year=252, ruined=ruined, **kw
    )
    for j in range(equity.shape[1]):
        one = dict(kw)
        one["exposure"] = None if kw["exposure"] is None else kw["exposure"][:, j]
        ref = compute_metrics(
            equity[:, j], dates, trades=None, periods_per_year=252, ruined=bool(ruined[j]), **one
        )
        assert many[j] == ref, j
    assert many[2]["sharpe"] is None and many[0]["sharpe"] is not None  # never traded / traded


def test_trade_blocks_equal_the_single_account_trade_metrics():
    rng = np.random.default_rng(1)
    for accounts, n in ((300, 4000), (5, 3000), (40, 0), (40, 700)):
        acct = rng.integers(0, accounts, n)
        pnl = rng.normal(0, 100, n)
        pnl[rng.random(n) < 0.05] = 0.0
        ret = np.round(pnl / 1e4 * rng.random(n), 4)
        held = rng.integers(1, 50, n)
        fees = rng.random(n)
        many = trade_metrics_columns(acct, pnl, ret, held, fees, accounts + 3)
        for a in range(accounts + 3):
            m = acct == a
            assert many[a] == trade_metrics(TradeStats(pnl[m], ret[m], held[m], fees[m])), a
        assert many[accounts]["trade_count"] == 0


def test_segment_sums_meet_in_numpys_order():
    # 1-D sums of more than 8 values are pairwise: a plain running sum differs in the last bits,
    # so this is the check that segments are reduced exactly as numpy reduces each alone
    rng = np.random.default_rng(2)
    lengths = rng.integers(0, 400, 60)
    values = rng.normal(0, 1, lengths.sum()) * 10.0 ** rng.integers(-8, 8, lengths.sum())
    got = segment_reduce(values, lengths, np.sum)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    want = [values[s : s + n].sum() if n else 0.0 for s, n in zip(starts, lengths, strict=True)]
    assert got.tolist() == want
