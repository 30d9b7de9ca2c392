"""/api/v2/analytics on real runs: correlation and the combined portfolio equal pandas computed
here from the runs' own equity curves; every refusal is a named 422."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from ava_backtest.domain.config import RunConfig
from ava_backtest.store.db import database_url, make_engine
from ava_backtest.store.repository import RunStore

TERMINAL = ("completed", "failed", "cancelled", "interrupted")
RUNS = {
    "goog": {"strategy_name": "sma_crossover", "symbols": ["GOOG"], "start_date": "2008-01-02",
             "end_date": "2012-12-31", "initial_capital": 100_000},
    "msft": {"strategy_name": "ema_crossover", "symbols": ["MSFT"], "start_date": "2009-06-01",
             "end_date": "2013-12-31", "initial_capital": 50_000},
    "aapl": {"strategy_name": "sma_crossover", "symbols": ["AAPL"], "params": {"fast_period": 10,
             "slow_period": 30}, "start_date": "2007-01-03", "end_date": "2012-06-29",
             "initial_capital": 100_000},
}  # fmt: skip


def _wait(client: TestClient, run_id: str, timeout: float = 300.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} not finished after {timeout} s")


def _create(client: TestClient, bodies: dict[str, dict[str, Any]]) -> dict[str, str]:
    ids = {}
    for name, body in bodies.items():
        r = client.post("/api/v2/backtests", json=body)
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    for name, run_id in ids.items():
        assert _wait(client, run_id)["status"] == "completed", name
    return ids


def _equity(client: TestClient, run_id: str) -> pd.Series:
    points = client.get(f"/api/v2/backtests/{run_id}/equity-curve").json()["points"]
    frame = pd.DataFrame(points)
    return pd.Series(frame["equity"].to_numpy(), pd.to_datetime(frame["date"]))


def test_correlation_and_portfolio_equal_pandas(make_client, db_url):
    with make_client(db_url, workers=2) as c:
        ids = _create(c, RUNS)
        order = ["goog", "msft", "aapl"]
        q = [("backtest_ids", ids[k]) for k in order]
        r = c.get("/api/v2/analytics/correlation", params=q)
        assert r.status_code == 200, r.text
        got = r.json()
        eq = {k: _equity(c, ids[k]) for k in order}
        rets = pd.concat({k: s.pct_change().dropna() for k, s in eq.items()}, axis=1)
        want = rets.corr()
        present = rets.notna().astype(int)
        np.testing.assert_allclose(np.array(got["matrix"], float), want.to_numpy(), rtol=1e-10)
        assert got["overlap"] == (present.T @ present).to_numpy().tolist()
        assert got["market"] == "US" and got["ids"] == [ids[k] for k in order]
        assert got["labels"][0].startswith("sma_crossover GOOG · ")
        assert 0 < got["overlap"][0][1] < got["overlap"][0][0]  # MSFT starts later

        # Weights 2:1:1, rebalanced each month; capital the sum of the runs' (250,000).
        q_p = [*q, ("weights", 2), ("weights", 1), ("weights", 1), ("rebalance", "monthly")]
        r = c.get("/api/v2/analytics/portfolio", params=q_p)
        assert r.status_code == 200, r.text
        p = r.json()
        joined = pd.concat(eq, axis=1, join="inner")
        w = np.array([0.5, 0.25, 0.25])
        month = pd.Series(joined.index.to_period("M"), joined.index)
        last = (month != month.shift(-1)).to_numpy()
        values, totals = w * 250_000.0, [250_000.0]
        for i in range(1, len(joined)):
            values = values * (joined.iloc[i] / joined.iloc[i - 1]).to_numpy()
            totals.append(values.sum())
            if last[i] and i < len(joined) - 1:
                values = w * values.sum()
        combined = pd.Series(totals, joined.index)
        np.testing.assert_allclose([x["equity"] for x in p["equity_curve"]], combined, rtol=1e-10)
        assert p["equity_curve"][0]["date"] == joined.index[0].date().isoformat()
        assert p["weights"] == {ids["goog"]: 0.5, ids["msft"]: 0.25, ids["aapl"]: 0.25}
        daily = combined.pct_change().dropna()
        assert p["metrics"]["sharpe"] == pytest.approx(
            daily.mean() / daily.std() * math.sqrt(252), rel=1e-9
        )
        assert p["combined_return_pct"] == pytest.approx(
            (combined.iloc[-1] / 250_000 - 1) * 100, rel=1e-10
        )
        vols = joined.pct_change().dropna().std()
        assert p["diversification_ratio"] == pytest.approx((w * vols).sum() / daily.std(), rel=1e-9)
        assert p["currency"] == "USD" and p["rebalance"] == "monthly" and p["weighting"] == "given"
        assert set(p["metrics"]) >= {"cagr", "sortino", "max_drawdown", "ulcer_index", "stability"}

        r = c.get(
            "/api/v2/analytics/portfolio",
            params=[*q, ("weighting", "inverse_volatility"), ("vol_window", 250)],
        )
        assert r.status_code == 200, r.text
        inv = r.json()
        sigma = joined.pct_change().iloc[1:251].std()
        iw = (1 / sigma) / (1 / sigma).sum()
        np.testing.assert_allclose(inv["weight_list"], iw.to_numpy(), rtol=1e-10)
        assert inv["start"] == joined.index[250].date().isoformat()


def test_refusals_are_named(make_client, sqlite_url):
    with make_client(sqlite_url, workers=2) as c:
        ids = _create(
            c,
            {
                "goog": {**RUNS["goog"], "end_date": "2009-12-31"},
                "msft": {**RUNS["msft"], "start_date": "2011-01-03", "end_date": "2011-12-30"},
                "aapl": {**RUNS["aapl"], "start_date": "2009-01-02", "end_date": "2010-06-30"},
                "india": {"strategy_name": "sma_crossover", "market": "IN",
                          "symbols": ["INSYN01"], "start_date": "2009-01-01",
                          "end_date": "2010-12-31", "initial_capital": 1_000_000},
            },
        )  # fmt: skip
        store = RunStore(make_engine(database_url(sqlite_url)))
        queued = store.create_run(
            RunConfig(strategy_name="sma_crossover", symbols=["GOOG"]),
            params={},
            code_version="test",
        )

        def refused(path: str, params: list[tuple[str, Any]], code: str, field: str) -> str:
            r = c.get(f"/api/v2/analytics/{path}", params=params)
            assert r.status_code == 422, r.text
            err = r.json()["error"]
            assert err["code"] == code and err["details"]["field"] == field, err
            return err["message"]

        both = [("backtest_ids", ids["goog"]), ("backtest_ids", ids["aapl"])]
        for path in ("correlation", "portfolio"):
            msg = refused(path, [both[0], ("backtest_ids", "nope")], "unknown_runs", "backtest_ids")
            assert "'nope'" in msg
            refused(path, both[:1], "too_few_runs", "backtest_ids")
            msg = refused(path, [*both, ("backtest_ids", queued)], "runs_not_completed",
                          "backtest_ids")  # fmt: skip
            assert f"{queued} is " in msg
            refused(path, [both[0], both[0]], "duplicate_runs", "backtest_ids")
        msg = refused("portfolio", [*both, ("weights", 1)], "invalid_config", "weights")
        assert "1 weights for 2 runs" in msg
        refused("portfolio", [*both, ("weights", 1), ("weights", -1)], "invalid_config", "weights")
        r = c.get("/api/v2/analytics/portfolio", params=[*both, ("weights", "x"), ("weights", 1)])
        assert r.status_code == 422 and "weights" in r.json()["error"]["message"]
        msg = refused("portfolio", [*both, ("backtest_ids", ids["india"])], "currency_mismatch",
                      "backtest_ids")  # fmt: skip
        assert "INR" in msg and "USD" in msg
        msg = refused("portfolio", [both[0], ("backtest_ids", ids["msft"])], "data_error",
                      "backtest_ids")  # fmt: skip
        assert "share 0 dates" in msg
        msg = refused("correlation", [both[0], ("backtest_ids", ids["msft"])], "no_overlap",
                      "backtest_ids")  # fmt: skip
        for path in ("correlation", "portfolio"):
            msg = refused(path, [*both, ("backtest_ids", ids["india"]), ("market", "US")],
                          "market_mismatch", "backtest_ids")  # fmt: skip
            assert f"{ids['india']} (IN)" in msg
        # Across currencies, correlation is measured (each in its own currency) and says so.
        r = c.get("/api/v2/analytics/correlation",
                  params=[*both, ("backtest_ids", ids["india"])])  # fmt: skip
        assert r.status_code == 200 and r.json()["market"] is None
        assert "INR and USD" in r.json()["notes"][0]
        # Comma-separated ids are accepted too (the original's clients sent both forms).
        r = c.get("/api/v2/analytics/portfolio",
                  params={"backtest_ids": f"{ids['goog']},{ids['aapl']}", "rebalance": "never"})  # fmt: skip
        assert r.status_code == 200 and r.json()["rebalances"] == 0
