"""/api/v2/screens on SQLite and the real PostgreSQL, with real worker processes: a screen over
HTTP (progress polled and on the WebSocket), rows sorted and paged with true totals, a row opened
as its backtest run with the row's own metrics, cancel, delete, and bad input as a named 4xx."""

from __future__ import annotations

import time

import pytest

BODY = {
    "strategy_name": "sma_crossover",
    "universe": "us_sample",
    "params": {"fast_period": 10},
    "start_date": "2004-01-01",
    "end_date": "2012-12-31",
}


def _wait(client, screen_id: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = client.get(f"/api/v2/screens/{screen_id}").json()
        if row["status"] not in ("queued", "running"):
            return row
        time.sleep(0.1)
    raise AssertionError(f"screen {screen_id} still {row['status']}")


def _wait_run(client, run_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = client.get(f"/api/v2/backtests/{run_id}").json()
        if row["status"] not in ("queued", "running"):
            return row
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {row['status']}")


def test_a_screen_over_http_rows_sorted_and_a_row_opened_as_its_run(client):
    created = client.post("/api/v2/screens", json=BODY)
    assert created.status_code == 201, created.text
    screen = created.json()
    assert screen["n_symbols"] == 6 and screen["status"] in ("queued", "running")
    assert screen["symbols"] == ["AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"]
    with client.websocket_connect(f"/ws/screens/{screen['id']}") as ws:
        events = [ws.receive_json()]
        while events[-1]["type"] not in ("completed", "failed", "cancelled", "interrupted"):
            events.append(ws.receive_json())
    assert events[0]["type"] == "state" and events[-1]["type"] == "completed", events[-1]
    done = _wait(client, screen["id"])
    assert done["status"] == "completed" and done["symbols_done"] == 6
    assert done["progress"] == 1.0 and done["runner"] == "local"

    page = client.get(f"/api/v2/screens/{screen['id']}/rows?sort=-sharpe&limit=4").json()
    assert page["total"] == 6 and len(page["items"]) == 4
    rest = client.get(f"/api/v2/screens/{screen['id']}/rows?sort=-sharpe&limit=4&offset=4").json()
    sharpes = [r["metrics"]["sharpe"] for r in page["items"] + rest["items"]]
    assert sharpes == sorted(sharpes, reverse=True)
    by_dd = client.get(f"/api/v2/screens/{screen['id']}/rows?sort=metric:max_drawdown").json()
    dds = [r["metrics"]["max_drawdown"] for r in by_dd["items"]]
    assert dds == sorted(dds)
    by_symbol = client.get(f"/api/v2/screens/{screen['id']}/rows?sort=symbol").json()
    assert [r["symbol"] for r in by_symbol["items"]] == sorted(screen["symbols"])
    bad = client.get(f"/api/v2/screens/{screen['id']}/rows?sort=nope")
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "sort"

    # A row opened as its run: the screen's config on that symbol alone, the row's numbers.
    row = next(r for r in by_symbol["items"] if r["symbol"] == "MSFT")
    opened = client.post(f"/api/v2/screens/{screen['id']}/rows/MSFT/run")
    assert opened.status_code == 201, opened.text
    run = _wait_run(client, opened.json()["id"])
    assert run["status"] == "completed" and run["symbols"] == ["MSFT"]
    assert run["params"]["fast_period"] == 10
    for k in ("sharpe", "cagr", "max_drawdown", "total_return", "trade_count", "final_equity"):
        assert run["metrics"][k] == pytest.approx(row["metrics"][k], rel=1e-12, abs=1e-12), k
    again = client.post(f"/api/v2/screens/{screen['id']}/rows/MSFT/run")
    assert again.status_code == 200 and again.json()["id"] == opened.json()["id"]
    linked = client.get(f"/api/v2/screens/{screen['id']}/rows?sort=symbol").json()["items"]
    assert next(r for r in linked if r["symbol"] == "MSFT")["run_id"] == opened.json()["id"]
    none = client.post(f"/api/v2/screens/{screen['id']}/rows/NOPE/run")
    assert none.status_code == 404 and none.json()["error"]["details"]["field"] == "symbol"

    listed = client.get("/api/v2/screens?status=completed&limit=1").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == screen["id"]
    late = client.post(f"/api/v2/screens/{screen['id']}/cancel")
    assert late.status_code == 409
    gone = client.delete(f"/api/v2/screens/{screen['id']}")
    assert gone.json() == {"id": screen["id"], "deleted": True}
    assert client.get(f"/api/v2/screens/{screen['id']}").status_code == 404
    assert client.get(f"/api/v2/screens/{screen['id']}/rows").status_code == 404


def test_cancel_stops_between_chunks_and_keeps_the_rows(sqlite_client):
    body = {"strategy_name": "sma_crossover", "market": "IN", "universe": "in_sample_synthetic"}
    screen = sqlite_client.post("/api/v2/screens", json=body).json()
    assert screen["n_symbols"] == 50
    cancelled = sqlite_client.post(f"/api/v2/screens/{screen['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    row = _wait(sqlite_client, screen["id"])
    assert row["status"] == "cancelled"
    rows = sqlite_client.get(f"/api/v2/screens/{screen['id']}/rows").json()
    assert rows["total"] < 50


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"universe": "nope"}, "universe"),
        ({"params": {"fast_period": 1}}, "params.fast_period"),
        ({"strategy_name": "nope"}, "strategy_name"),
    ],
)
def test_bad_input_is_a_named_4xx_and_nothing_is_stored(sqlite_client, change, field):
    r = sqlite_client.post("/api/v2/screens", json={**BODY, **change})
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"]["details"]["field"] == field
    assert sqlite_client.get("/api/v2/screens").json()["total"] == 0


def test_unknown_screen_is_404(sqlite_client):
    for method, path in (("get", ""), ("get", "/rows"), ("post", "/cancel"), ("delete", "")):
        r = getattr(sqlite_client, method)(f"/api/v2/screens/nope{path}")
        assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "id"
