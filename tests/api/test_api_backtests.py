"""A backtest through HTTP and the WebSocket, on SQLite and the real PostgreSQL."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest

BODY = {
    "strategy_name": "sma_crossover",
    "params": {"fast_period": 10, "slow_period": 30},
    "universe": "us_sample",
    "start_date": "2005-01-03",
    "end_date": "2012-12-31",
    "initial_capital": 100000,
    "market": "US",
}


def _wait(client, run_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")


def test_full_backtest_over_http_matches_the_library(client):
    r = client.post("/api/v2/backtests", json=BODY)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["status"] in ("queued", "running", "completed")
    events = []
    with client.websocket_connect(f"/ws/backtests/{run['id']}") as ws:
        while True:
            e = ws.receive_json()
            events.append(e)
            if e["type"] in ("completed", "failed", "cancelled", "interrupted"):
                break
    assert events[0]["type"] == "state"
    assert events[-1]["type"] == "completed", events[-1]
    progress = [e["percent"] for e in events if e["type"] == "progress"]
    if events[0]["status"] in ("queued", "running"):
        assert progress and progress[-1] == 100 and progress == sorted(progress)
    assert events[-1]["metrics"]["trade_count"] > 0

    done = _wait(client, run["id"])
    lib = run_backtest(RunConfig.model_validate(BODY))
    assert done["n_trades"] == lib.trades.height
    assert done["metrics"]["sharpe"] == pytest.approx(lib.metrics["sharpe"], rel=1e-12)

    trades = client.get(f"/api/v2/backtests/{run['id']}/trades", params={"limit": 5000}).json()
    assert trades["total"] == lib.trades.height == len(trades["items"])
    np.testing.assert_array_equal(
        [t["exit_price"] for t in trades["items"]], lib.trades["exit_price"].to_numpy()
    )
    np.testing.assert_array_equal([t["qty"] for t in trades["items"]], lib.trades["qty"].to_numpy())

    curve = client.get(f"/api/v2/backtests/{run['id']}/equity-curve").json()["points"]
    np.testing.assert_allclose([p["equity"] for p in curve], lib.equity, rtol=1e-12)
    assert curve[0]["date"].startswith("2005-01-03")

    page = client.get(
        f"/api/v2/backtests/{run['id']}/trades",
        params={"limit": 7, "offset": 3, "sort": "-pnl_net"},
    ).json()
    assert page["total"] == lib.trades.height and len(page["items"]) == 7
    pnl = [t["pnl_net"] for t in page["items"]]
    assert pnl == sorted(pnl, reverse=True)


def test_a_late_subscriber_gets_the_state_then_the_outcome(client):
    run = client.post("/api/v2/backtests", json=BODY).json()
    _wait(client, run["id"])
    with client.websocket_connect(f"/api/v2/ws/backtests/{run['id']}") as ws:
        first, second = ws.receive_json(), ws.receive_json()
    assert first["type"] == "state" and first["status"] == "completed" and first["percent"] == 100
    assert second["type"] == "completed"


@pytest.mark.parametrize(
    ("patch", "status", "field"),
    [
        ({"strategy_name": "nope"}, 422, "strategy_name"),
        ({"universe": "nope"}, 422, "universe"),
        ({"universe": None, "symbols": ["AAPL", "NOPE"]}, 422, "symbols"),
        ({"params": {"fast_period": 1}}, 422, "params.fast_period"),
        ({"start_date": "2030-01-01", "end_date": "2031-01-01"}, 422, "symbols"),
        ({"initial_capital": -5}, 422, "initial_capital"),
        ({"fill": "sometime"}, 422, "fill"),
        ({"start_date": "2012-01-01", "end_date": "2010-01-01"}, 422, ""),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field_and_creates_nothing(
    sqlite_client, patch, status, field
):
    before = sqlite_client.get("/api/v2/backtests").json()["total"]
    r = sqlite_client.post("/api/v2/backtests", json={**BODY, **patch})
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}
    assert field in err["message"]
    assert sqlite_client.get("/api/v2/backtests").json()["total"] == before


def test_unknown_run_is_404_in_the_error_shape(sqlite_client):
    for path in ("", "/trades", "/equity-curve"):
        r = sqlite_client.get(f"/api/v2/backtests/deadbeef{path}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_list_has_true_totals_filters_and_delete(sqlite_client):
    ids = [
        sqlite_client.post(
            "/api/v2/backtests", json={**BODY, "universe": None, "symbols": ["GOOG"]}
        ).json()["id"]
        for _ in range(4)
    ]
    for i in ids:
        _wait(sqlite_client, i)
    page = sqlite_client.get("/api/v2/backtests", params={"limit": 2}).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    assert sqlite_client.get("/api/v2/backtests", params={"status": "failed"}).json()["total"] == 0
    assert (
        sqlite_client.get("/api/v2/backtests", params={"strategy": "sma_crossover"}).json()["total"]
        == 4
    )
    assert sqlite_client.delete(f"/api/v2/backtests/{ids[0]}").json()["deleted"] is True
    assert sqlite_client.get(f"/api/v2/backtests/{ids[0]}").status_code == 404
    assert sqlite_client.get("/api/v2/backtests").json()["total"] == 3


def test_runs_survive_a_restart(sqlite_url, make_client):
    with make_client(sqlite_url) as c:
        run = c.post("/api/v2/backtests", json=BODY).json()
        done = _wait(c, run["id"])
    with make_client(sqlite_url) as c:
        again = c.get(f"/api/v2/backtests/{run['id']}").json()
        assert again["status"] == "completed"
        assert again["metrics"] == done["metrics"]
        assert c.get(f"/api/v2/backtests/{run['id']}/trades").json()["total"] == done["n_trades"]


def test_cancel_records_the_run_as_cancelled(sqlite_url, make_client):
    slow = {
        **BODY,
        "universe": "in_sample_synthetic",
        "market": "IN",
        "start_date": "2005-01-03",
        "end_date": "2024-12-31",
    }
    with make_client(sqlite_url, workers=1) as c:
        first = c.post("/api/v2/backtests", json=slow).json()
        queued = c.post("/api/v2/backtests", json=slow).json()
        r = c.post(f"/api/v2/backtests/{queued['id']}/cancel")
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        assert c.post(f"/api/v2/backtests/{queued['id']}/cancel").status_code == 409
        assert _wait(c, first["id"])["status"] == "completed"
