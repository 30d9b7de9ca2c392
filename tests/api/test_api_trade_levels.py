"""GET /api/v2/backtests/{id}/trades/{n}/levels: a stored trade's stop/target per bar of its life,
ending at the price the engine exited at."""

from __future__ import annotations

import pytest
from test_api_backtests import _wait

BODY = {
    "strategy_name": "tv_flawless_victory",
    "symbols": ["AAPL", "MSFT"],
    "start_date": "2010-01-04",
    "end_date": "2014-12-31",
}


def test_levels_of_stored_trades_end_at_their_exit_and_errors_name_the_field(sqlite_client):
    c = sqlite_client
    run = _wait(c, c.post("/api/v2/backtests", json=BODY).json()["id"], timeout=300)
    assert run["status"] == "completed", run
    trades = c.get(f"/api/v2/backtests/{run['id']}/trades", params={"limit": 5000}).json()["items"]
    exits = [t for t in trades if t["exit_reason"] in ("stop_loss", "take_profit")]
    assert len(exits) >= 3
    checked = 0
    for t in exits[:6]:
        r = c.get(f"/api/v2/backtests/{run['id']}/trades/{t['seq']}/levels")
        assert r.status_code == 200, r.text
        out = r.json()
        assert (out["seq"], out["symbol"], out["exit_reason"]) == (
            t["seq"],
            t["symbol"],
            t["exit_reason"],
        )
        assert out["prices"] == "as_traded"
        assert out["stop"] is not None and out["target"] is not None
        series = out["stop"] if t["exit_reason"] == "stop_loss" else out["target"]
        assert series[0]["time"] == t["entry_time"][: len(series[0]["time"])]
        assert series[-1]["time"] == t["exit_time"][: len(series[-1]["time"])]
        level = series[-1]["value"]
        # at the level, or at a worse open that gapped through it
        if t["exit_reason"] == "stop_loss":
            assert t["exit_price"] <= level + 1e-9
        else:
            assert t["exit_price"] >= level - 1e-9
        checked += t["exit_price"] == pytest.approx(level, rel=1e-9)
    assert checked >= 1

    r = c.get(f"/api/v2/backtests/{run['id']}/trades/{len(trades) + 5}/levels")
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "n"
    r = c.get("/api/v2/backtests/nope/trades/0/levels")
    assert r.status_code == 404
    r = c.get(f"/api/v2/backtests/{run['id']}/trades/-1/levels")
    assert r.status_code == 422
