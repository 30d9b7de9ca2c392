"""/api/v2/walk-forwards on SQLite and the real PostgreSQL, with real worker processes: an
analysis over HTTP with its per-window WebSocket events, windows, list totals and paging, bad
input refused with a named 4xx, cancel, a crashed worker recorded as failed, delete."""

from __future__ import annotations

import os
import signal
import time

import pytest

from ava_backtest.markets import get_market
from tests.api.conftest import make_client

BODY = {
    "strategy_name": "sma_crossover",
    "symbols": ["GOOG"],
    "start_date": "2006-01-01",
    "end_date": "2011-12-31",
    "costs": {"model": "none"},
    "param_ranges": {"fast_period": {"choices": [10, 20]}, "slow_period": {"choices": [50, 100]}},
    "is_sessions": 500,
    "oos_sessions": 250,
}
TERMINAL = ("completed", "failed", "cancelled", "interrupted")


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))


def _wait(client, wf_id: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = client.get(f"/api/v2/walk-forwards/{wf_id}").json()
        if row["status"] not in ("queued", "running"):
            return row
        time.sleep(0.1)
    raise AssertionError(f"walk-forward {wf_id} still {row['status']}")


def test_a_walk_forward_over_http_with_window_events(client):
    created = client.post("/api/v2/walk-forwards", json=BODY)
    assert created.status_code == 201, created.text
    wf = created.json()
    assert wf["status"] in ("queued", "running") and wf["mode"] == "rolling"
    n = wf["n_windows"]
    sessions = len(get_market("US").sessions("2006-01-01", "2011-12-31"))  # GOOG trades on all
    assert n == (sessions - 750) // 250 + 1
    # The planned windows are stored at once, with their dates.
    planned = client.get(f"/api/v2/walk-forwards/{wf['id']}/windows").json()
    assert planned["total"] == n and planned["items"][0]["is_start"] == "2006-01-03"
    with client.websocket_connect(f"/ws/walk-forwards/{wf['id']}") as ws:
        events = [ws.receive_json()]
        while events[-1]["type"] not in TERMINAL:
            events.append(ws.receive_json())
    assert events[0]["type"] == "state" and events[-1]["type"] == "completed", events[-1]
    progress = [e for e in events if e["type"] == "progress"]
    if events[0]["status"] == "queued":  # subscribed before the first window: saw them all
        kinds = sorted((e["window"]["kind"], e["window"]["index"]) for e in progress)
        assert [k for k in kinds if k[0] == "window"] == [("window", i) for i in range(n)]
    for e in progress:
        assert e["n_windows"] == n + 1 and e["walk_forward_id"] == wf["id"]
        assert e["window"]["params"] is not None
    done = _wait(client, wf["id"])
    assert done["status"] == "completed" and done["windows_done"] == n
    result = done["result"]
    assert {"oos_equity", "is_equity", "trades", "oos_metrics", "efficiency", "drift",
            "overfitting", "plan"} <= set(result)  # fmt: skip
    assert result["oos_equity"][0]["date"] == planned["items"][0]["oos_start"]
    assert done["oos_return"] == pytest.approx(result["oos_metrics"]["total_return"])
    assert len(result["drift"]["fast_period"]) == n
    windows = client.get(f"/api/v2/walk-forwards/{wf['id']}/windows").json()["items"]
    assert [w["status"] for w in windows] == ["completed"] * n
    assert [w["params"]["fast_period"] for w in windows] == result["drift"]["fast_period"]
    assert all(w["oos_metrics"] and w["is_metrics"] for w in windows)
    assert client.post(f"/api/v2/walk-forwards/{wf['id']}/cancel").status_code == 409
    # List: true totals and pages; delete.
    second = client.post("/api/v2/walk-forwards", json={**BODY, "hindsight": False}).json()
    page = client.get("/api/v2/walk-forwards?limit=1").json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["id"] == second["id"]  # newest first
    assert client.get("/api/v2/walk-forwards?limit=1&offset=1").json()["items"][0]["id"] == wf["id"]
    assert client.get("/api/v2/walk-forwards?status=completed").json()["total"] >= 1
    _wait(client, second["id"])
    assert client.delete(f"/api/v2/walk-forwards/{wf['id']}").json()["deleted"] is True
    assert client.get(f"/api/v2/walk-forwards/{wf['id']}").status_code == 404
    assert client.get("/api/v2/walk-forwards").json()["total"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"is_sessions": 5000}, "is_sessions"),  # windows longer than the data
        ({"oos_sessions": 0}, "oos_sessions"),  # zero-length out of sample
        ({"step": 0}, "step"),
        ({"step": 100}, "step"),  # shorter than the out-of-sample span: overlapping segments
        ({"folds": 0, "is_sessions": None, "oos_sessions": None}, "folds"),
        ({"mode": "sideways"}, "mode"),
        ({"gap": -1}, "gap"),
        ({"objective": {"metric": "nope"}}, "objective.metric"),
        ({"param_ranges": {"fast_period": {"low": 1, "high": 50}}}, "param_ranges.fast_period"),
        ({"sampler": "nsga2"}, "sampler"),
        ({"symbols": ["NOSUCHSYM"]}, "symbols"),
        ({"strategy_name": "no_such_strategy"}, "strategy_name"),
        ({"carry_over": True, "step": 300}, "carry_over"),
    ],
)  # fmt: skip
def test_bad_input_is_a_named_4xx_and_nothing_is_stored(sqlite_url, change, field):
    with make_client(sqlite_url) as client:
        r = client.post("/api/v2/walk-forwards", json={**BODY, **change})
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        fields = [f["field"] for f in (err["details"] or {}).get("fields", [])]
        named = (err["details"] or {}).get("field")
        assert field == named or field in fields or any(f.startswith(field) for f in fields), err
        assert client.get("/api/v2/walk-forwards").json()["total"] == 0


def test_unknown_walk_forward_is_404_everywhere(sqlite_client):
    for method, path in (
        ("get", "/api/v2/walk-forwards/nope"),
        ("get", "/api/v2/walk-forwards/nope/windows"),
        ("post", "/api/v2/walk-forwards/nope/cancel"),
        ("delete", "/api/v2/walk-forwards/nope"),
    ):
        r = getattr(sqlite_client, method)(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (path, r.text)


SLOW = {**BODY, "symbols": ["AAPL", "MSFT", "GOOG", "AMZN"], "start_date": "2001-01-01",
        "param_ranges": None, "is_sessions": 400, "oos_sessions": 200}  # fmt: skip


def test_cancel_keeps_the_finished_windows(client):
    wf = client.post("/api/v2/walk-forwards", json=SLOW).json()
    with client.websocket_connect(f"/ws/walk-forwards/{wf['id']}") as ws:
        e = ws.receive_json()
        while e["type"] != "progress":
            assert e["type"] in ("state", "log"), e
            e = ws.receive_json()
        assert client.post(f"/api/v2/walk-forwards/{wf['id']}/cancel").status_code == 200
        while e["type"] not in TERMINAL:
            e = ws.receive_json()
    assert e["type"] == "cancelled"
    row = _wait(client, wf["id"])
    assert row["status"] == "cancelled" and row["result"] is None
    windows = client.get(f"/api/v2/walk-forwards/{wf['id']}/windows").json()["items"]
    optimised = [w for w in windows if w["status"] == "optimised"]
    assert 0 < len(optimised) < wf["n_windows"] and all(w["params"] for w in optimised)


def test_a_walk_forward_whose_worker_dies_is_recorded_failed(sqlite_client):
    client = sqlite_client
    wf = client.post("/api/v2/walk-forwards", json=SLOW).json()
    pid = None
    with client.websocket_connect(f"/ws/walk-forwards/{wf['id']}") as ws:
        while True:
            e = ws.receive_json()
            if e["type"] == "log" and e.get("pid"):
                pid = e["pid"]
            if e["type"] == "progress" and pid is not None:
                break
        os.kill(pid, signal.SIGKILL)
        while e["type"] not in TERMINAL:
            e = ws.receive_json()
    assert e["type"] == "failed" and e["code"] == "worker_died", e
    row = _wait(client, wf["id"])
    assert row["status"] == "failed" and row["error_code"] == "worker_died"
