"""GET /api/v2/backtests/{id}/indicators: the strategy's own display series, on the prices it
traded on, so the chart never shows a crossover the strategy did not trade (issue 9, defect 2)."""

from __future__ import annotations

import numpy as np
from test_api_backtests import _wait

from ava_backtest.domain.config import RunConfig
from ava_backtest.indicators import sma
from ava_backtest.runs.execute import build_strategy, load_run_panel

BODY = {
    "strategy_name": "sma_crossover",
    "params": {"fast_period": 10, "slow_period": 30},
    "symbols": ["AAPL"],
    "start_date": "2004-06-01",
    "end_date": "2006-06-30",
}


def test_series_are_the_strategys_own_on_adjusted_prices_and_every_entry_is_a_served_crossover(
    sqlite_client,
):
    c = sqlite_client
    run = _wait(c, c.post("/api/v2/backtests", json=BODY).json()["id"])
    assert run["status"] == "completed"
    r = c.get(f"/api/v2/backtests/{run['id']}/indicators", params={"symbol": "aapl"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["symbol"] == "AAPL" and out["prices"] == "adjusted"
    fast, slow = (out["series"][0], out["series"][1])
    assert (fast["name"], fast["label"], slow["label"]) == ("fast", "SMA 10", "SMA 30")

    # The values are the SMAs of the adjusted closes the run used (warm-up included).
    cfg = RunConfig.model_validate(BODY)
    panel, info = load_run_panel(cfg, build_strategy(cfg))
    want = sma(panel.bars.close[:, 0], 10)[info.first_index :]
    got = np.array([np.nan if v is None else v for v in fast["values"]])
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
    assert len(out["dates"]) == len(fast["values"]) == len(out["factor"])

    # Across the 2:1 split of 2005-02-28 the as-traded close halves but the served series do
    # not jump; every entry fills the bar after a served fast-over-slow cross.
    f = np.array([np.nan if v is None else v for v in fast["values"]])
    s = np.array([np.nan if v is None else v for v in slow["values"]])
    split = out["dates"].index("2005-02-28")
    assert abs(f[split] / f[split - 1] - 1) < 0.05
    trades = c.get(f"/api/v2/backtests/{run['id']}/trades", params={"limit": 100}).json()["items"]
    assert len(trades) >= 3
    for t in trades:
        i = out["dates"].index(t["entry_time"][:10]) - 1  # the signal bar
        assert f[i - 1] <= s[i - 1] and f[i] > s[i], t["entry_time"]


def test_bad_symbol_and_unknown_run_are_clear_errors(sqlite_client):
    c = sqlite_client
    run = _wait(c, c.post("/api/v2/backtests", json=BODY).json()["id"])
    r = c.get(f"/api/v2/backtests/{run['id']}/indicators", params={"symbol": "MSFT"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"]["field"] == "symbol" and "AAPL" in err["message"]
    r = c.get(f"/api/v2/backtests/{run['id']}/indicators")
    assert r.status_code == 422 and "symbol" in r.text
    r = c.get("/api/v2/backtests/nope/indicators", params={"symbol": "AAPL"})
    assert r.status_code == 404
