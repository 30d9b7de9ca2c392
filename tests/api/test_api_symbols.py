"""GET /api/v2/backtests/{id}/symbols: the per-symbol table of a finished run sums to the run's
own totals (trade count, fees, P&L with what is still open at the end)."""

from __future__ import annotations

import pytest
from test_api_backtests import _wait

BODY = {
    "strategy_name": "sma_crossover",
    "params": {"fast_period": 10, "slow_period": 30},
    "symbols": ["AAPL", "MSFT", "IBM"],
    "start_date": "2006-01-01",
    "end_date": "2009-12-31",
}


def test_the_table_sums_to_the_runs_totals(sqlite_client):
    c = sqlite_client
    run = _wait(c, c.post("/api/v2/backtests", json=BODY).json()["id"], timeout=180)
    assert run["status"] == "completed", run
    r = c.get(f"/api/v2/backtests/{run['id']}/symbols")
    assert r.status_code == 200, r.text
    out = r.json()
    items, tot, m = out["items"], out["totals"], run["metrics"]
    assert [i["symbol"] for i in items] == ["AAPL", "IBM", "MSFT"]
    trades = c.get(f"/api/v2/backtests/{run['id']}/trades", params={"limit": 5000}).json()
    assert sum(i["trades"] for i in items) == tot["trades"] == m["trade_count"] == trades["total"]
    assert sum(i["fees"] for i in items) == pytest.approx(tot["fees"], rel=1e-12)
    assert tot["fees"] == pytest.approx(m["total_fees"], rel=1e-9)
    assert sum(i["pnl_net"] for i in items) == pytest.approx(tot["pnl_net"], rel=1e-12)
    assert tot["pnl_net"] == pytest.approx(sum(t["pnl_net"] for t in trades["items"]), rel=1e-12)
    # closed trades + what is still open = the run's P&L
    assert out["run_pnl"] == pytest.approx(run["final_equity"] - 100_000.0, rel=1e-12)
    assert tot["pnl_net"] + out["not_in_closed_trades"] == pytest.approx(out["run_pnl"], rel=1e-9)
    assert sum(i["return_contribution"] for i in items) == pytest.approx(
        tot["pnl_net"] / 100_000.0, rel=1e-12
    )
    for i in items:
        mine = [t for t in trades["items"] if t["symbol"] == i["symbol"]]
        assert i["winners"] == sum(t["pnl_net"] > 0 for t in mine)
        assert 0 < i["exposure"] <= 1
        assert i["exposure"] == pytest.approx(sum(t["bars_held"] for t in mine) / out["sessions"])


def test_unknown_run_is_404(sqlite_client):
    assert sqlite_client.get("/api/v2/backtests/nope/symbols").status_code == 404
