"""GET /api/v2/backtests/{id}/equity-views: computed from the run's own stored curve (the worst
drawdown is the run's max drawdown; the histogram counts every bar return; the rolling window is
the one asked for), and bad query values are named 422s."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_api_backtests import _wait

BODY = {
    "strategy_name": "sma_crossover",
    "params": {"fast_period": 10, "slow_period": 30},
    "symbols": ["AAPL", "MSFT"],
    "start_date": "2005-01-01",
    "end_date": "2008-12-31",
}


def test_views_come_from_the_runs_curve(sqlite_client):
    c = sqlite_client
    run = _wait(c, c.post("/api/v2/backtests", json=BODY).json()["id"], timeout=180)
    assert run["status"] == "completed", run
    r = c.get(f"/api/v2/backtests/{run['id']}/equity-views", params={"window": 21, "top": 3})
    assert r.status_code == 200, r.text
    out = r.json()
    points = c.get(f"/api/v2/backtests/{run['id']}/equity-curve").json()["points"]
    eq = pd.Series([p["equity"] for p in points])
    assert len(out["dates"]) == len(points) and out["window"] == 21
    assert len(out["drawdowns"]) == 3
    assert out["drawdowns"][0]["depth"] == pytest.approx(run["metrics"]["max_drawdown"], rel=1e-9)
    assert out["histogram"]["n"] == len(points) - 1 == sum(out["histogram"]["counts"])
    vol = eq.pct_change().rolling(21).std() * np.sqrt(out["periods_per_year"])
    got = np.array([np.nan if v is None else v for v in out["rolling"]["volatility"]])
    np.testing.assert_allclose(got, vol.to_numpy(), rtol=1e-9, equal_nan=True)
    assert "beta" in out["rolling"]  # the run has a benchmark (GSPC)
    assert out["exposure"] == [p["exposure"] for p in points]

    bad = c.get(f"/api/v2/backtests/{run['id']}/equity-views", params={"window": 1})
    assert bad.status_code == 422 and "window" in bad.text
    assert c.get("/api/v2/backtests/nope/equity-views").status_code == 404
