"""Leverage through the API: a levered run completes (margin calls, ruin), never an internal error."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

# SMA crossover on AAPL from 2000: at 10x the first trade (June 2000) loses more than the equity
# within a month (the run used to end in internal_error "equity must be finite and > 0").
LEVERED = {
    "strategy_name": "sma_crossover",
    "params": {"fast_period": 10, "slow_period": 30},
    "symbols": ["AAPL"],
    "start_date": "2000-03-01",
    "end_date": "2004-12-31",
    "leverage": 10,
}


def _finish(client: TestClient, body: dict) -> dict:
    r = client.post("/api/v2/backtests", json=body)
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish")


def _exit_reasons(client: TestClient, run_id: str) -> list[str]:
    items = client.get(f"/api/v2/backtests/{run_id}/trades", params={"limit": 5000}).json()
    return [t["exit_reason"] for t in items["items"]]


def test_leverage_10_completes_with_margin_calls(client):
    run = _finish(client, LEVERED)
    assert run["status"] == "completed", run
    assert run["metrics"]["ruined"] is False
    reasons = _exit_reasons(client, run["id"])
    assert "margin_call" in reasons
    assert any(
        n.startswith("margin calls:") and "below 0.05 x gross exposure" in n for n in run["notes"]
    )


def test_a_run_levered_to_ruin_completes_ruined_and_stops_trading(client):
    # Without a maintenance margin, the first trade's losses pass the equity (July 2000).
    run = _finish(client, {**LEVERED, "maintenance_margin": 0})
    assert run["status"] == "completed", run
    assert run["metrics"]["ruined"] is True
    assert run["metrics"]["final_equity"] is not None
    assert any(n.startswith("ruined: true") for n in run["notes"])
    assert _exit_reasons(client, run["id"]) == ["margin_call"]  # and no trade after it
    curve = client.get(f"/api/v2/backtests/{run['id']}/equity-curve").json()["points"]
    assert min(p["equity"] for p in curve) <= 0


def test_a_maintenance_margin_at_the_initial_margin_is_refused_at_create(client):
    r = client.post("/api/v2/backtests", json={**LEVERED, "maintenance_margin": 0.1})
    assert r.status_code == 422, r.text
    fields = r.json()["error"]["details"]["fields"]
    assert [f["field"] for f in fields] == ["maintenance_margin"]
    assert "initial margin 1 / leverage = 0.1" in fields[0]["message"]


def test_the_metric_catalogue_describes_ruined_as_a_flag(client):
    r = client.get("/api/v2/meta/metrics")
    assert r.status_code == 200, r.text
    ruined = [m for m in r.json() if m["key"] == "ruined"]
    assert [(m["unit"], m["group"], m["higher_is_better"]) for m in ruined] == [
        ("flag", "risk", False)
    ]


def test_a_bad_drawdown_breaker_is_refused_at_create_naming_the_field(client):
    body = {**LEVERED, "leverage": 1, "risk_rules": {"max_drawdown": 0.2, "flatten": True}}
    bad = {**body, "risk_rules": {**body["risk_rules"], "resume_on_recovery": 0.1}}
    r = client.post("/api/v2/backtests", json=bad)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["message"].startswith("risk_rules.resume_on_recovery:"), r.text
    r = client.post("/api/v2/backtests", json={**body, "risk_rules": {"max_drawdown": 2}})
    assert r.status_code == 422 and "risk_rules.max_drawdown" in r.text, r.text


def test_a_drawdown_breaker_switched_on_in_the_request_closes_and_blocks(client):
    body = {
        **LEVERED,
        "leverage": 1,
        "risk_rules": {"max_drawdown": 0.1, "flatten": True, "resume_after_bars": 40},
    }
    run = _finish(client, body)
    assert run["status"] == "completed", run
    assert "circuit_breaker" in _exit_reasons(client, run["id"])
    assert any(n.startswith("circuit breaker at a 0.1 drawdown") for n in run["notes"])
