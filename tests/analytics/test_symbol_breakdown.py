"""The per-symbol breakdown equals a pandas group-by of the same trades, and its totals are the
column sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from ava_backtest.analytics.symbol_breakdown import breakdown_totals, symbol_breakdown


def _trades(n: int = 200, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "symbol": rng.choice(["AAPL", "MSFT", "IBM", "GOOG"], n),
            "pnl_net": rng.normal(10, 300, n),
            "pnl_gross": rng.normal(15, 300, n),
            "fees": rng.uniform(0, 5, n),
            "dividends": np.where(rng.random(n) < 0.2, rng.uniform(0, 20, n), 0.0),
            "bars_held": rng.integers(1, 40, n),
        }
    )


def test_equals_a_pandas_group_by():
    trades = _trades()
    got = symbol_breakdown(trades, sessions=2520, initial_capital=100_000.0).to_pandas()
    df = trades.to_pandas()
    g = df.groupby("symbol")
    want = pd.DataFrame(
        {
            "trades": g.size(),
            "winners": g["pnl_net"].apply(lambda s: int((s > 0).sum())),
            "pnl_net": g["pnl_net"].sum(),
            "fees": g["fees"].sum(),
            "dividends": g["dividends"].sum(),
            "bars_held": g["bars_held"].sum(),
        }
    ).reset_index()
    assert got["symbol"].tolist() == want["symbol"].tolist() == ["AAPL", "GOOG", "IBM", "MSFT"]
    np.testing.assert_array_equal(got["trades"], want["trades"])
    np.testing.assert_array_equal(got["winners"], want["winners"])
    for c in ("pnl_net", "fees", "dividends"):
        np.testing.assert_allclose(got[c], want[c], rtol=1e-12)
    np.testing.assert_allclose(got["win_rate"], want["winners"] / want["trades"])
    np.testing.assert_allclose(got["return_contribution"], want["pnl_net"] / 100_000.0)
    np.testing.assert_allclose(got["exposure"], want["bars_held"] / 2520)


def test_totals_are_the_column_sums():
    trades = _trades()
    table = symbol_breakdown(trades, sessions=500, initial_capital=50_000.0)
    tot = breakdown_totals(table, sessions=500, initial_capital=50_000.0)
    assert tot["trades"] == trades.height
    assert tot["winners"] == int((trades["pnl_net"] > 0).sum())
    assert tot["pnl_net"] == pytest.approx(float(trades["pnl_net"].sum()), rel=1e-12)
    assert tot["fees"] == pytest.approx(float(trades["fees"].sum()), rel=1e-12)
    assert tot["return_contribution"] == pytest.approx(float(trades["pnl_net"].sum()) / 50_000.0)
    assert tot["exposure"] == pytest.approx(int(trades["bars_held"].sum()) / 500)


def test_no_trades_and_bad_inputs():
    empty = _trades().head(0)
    table = symbol_breakdown(empty, sessions=10, initial_capital=1.0)
    assert table.height == 0
    tot = breakdown_totals(table, sessions=10, initial_capital=1.0)
    assert tot["trades"] == 0 and tot["win_rate"] is None and tot["pnl_net"] == 0.0
    with pytest.raises(ValueError, match="sessions"):
        symbol_breakdown(empty, sessions=0, initial_capital=1.0)
    with pytest.raises(ValueError, match="initial_capital"):
        symbol_breakdown(empty, sessions=1, initial_capital=0.0)
    with pytest.raises(ValueError, match="fees"):
        symbol_breakdown(empty.drop("fees"), sessions=1, initial_capital=1.0)
