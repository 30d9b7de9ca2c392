"""The sizing overlays over HTTP: each option validated with a 4xx naming its field, and a run
that uses one states it in its notes (docs/sizing.md)."""

from __future__ import annotations

import json
import time

import pytest

BODY = {
    "strategy_name": "sma_crossover",
    "params": {"fast_period": 10, "slow_period": 30},
    "universe": "us_sample",
    "start_date": "2005-01-03",
    "end_date": "2012-12-31",
    "market": "US",
}


def _named_fields(err: dict) -> list[str]:
    details = err["details"] or {}
    if "fields" in details:
        return [f["field"] for f in details["fields"]]
    return [details["field"]] if details.get("field") else []


@pytest.mark.parametrize(
    ("sizing", "field"),
    [
        ({"mode": "kelly", "kelly": {"cap": 1.5}}, "sizing.kelly.cap"),
        ({"mode": "kelly", "kelly": {"multiplier": 0}}, "sizing.kelly.multiplier"),
        ({"mode": "kelly", "kelly": {"min_trades": 0}}, "sizing.kelly.min_trades"),
        ({"mode": "kelly", "kelly": {"surprise": 1}}, "sizing.kelly.surprise"),
        ({"mode": "kelly", "value": 0.1}, "sizing.value"),
        ({"mode": "fraction", "value": 0.1, "kelly": {}}, "sizing.kelly"),
        (
            {"mode": "monte_carlo", "monte_carlo": {"max_drawdown": 1.0}},
            "sizing.monte_carlo.max_drawdown",
        ),
        (
            {"mode": "monte_carlo", "monte_carlo": {"fractions": [0.1, 1.5]}},
            "sizing.monte_carlo.fractions",
        ),
        (
            {"mode": "monte_carlo", "monte_carlo": {"fractions": []}},
            "sizing.monte_carlo.fractions",
        ),
        (
            {"mode": "monte_carlo", "monte_carlo": {"resamples": 5}},
            "sizing.monte_carlo.resamples",
        ),
        (
            {"mode": "monte_carlo", "monte_carlo": {"percentile": 100}},
            "sizing.monte_carlo.percentile",
        ),
        ({"mode": "kelly", "monte_carlo": {}}, "sizing.monte_carlo"),
        ({"mode": "risk_parity", "risk_parity": {"window": 2}}, "sizing.risk_parity.window"),
        (
            {"mode": "risk_parity", "risk_parity": {"method": "hrp"}},
            "sizing.risk_parity.method",
        ),
        (
            {"mode": "risk_parity", "risk_parity": {"rebalance_bars": 0}},
            "sizing.risk_parity.rebalance_bars",
        ),
        ({"mode": "half_kelly"}, "sizing.mode"),
    ],
)
def test_bad_sizing_options_are_a_4xx_naming_the_field(sqlite_client, sizing, field):
    before = sqlite_client.get("/api/v2/backtests").json()["total"]
    r = sqlite_client.post(
        "/api/v2/backtests",
        content=json.dumps({**BODY, "sizing": sizing}),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert _named_fields(err) == [field], err
    assert sqlite_client.get("/api/v2/backtests").json()["total"] == before


def _wait(client, run_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish")


def test_a_run_with_an_overlay_and_a_strategys_default_sizing_state_it(sqlite_client):
    body = {**BODY, "sizing": {"mode": "kelly", "kelly": {"min_trades": 10}}}
    r = sqlite_client.post("/api/v2/backtests", json=body)
    assert r.status_code == 201, r.text
    run = _wait(sqlite_client, r.json()["id"])
    assert run["status"] == "completed", run
    assert run["config"]["sizing"]["kelly"]["min_trades"] == 10
    assert any(n.startswith("sizing=kelly (the run's): ") for n in run["notes"]), run["notes"]
    body = {**BODY, "strategy_name": "tv_risk_parity_allocation", "params": {}}
    run = _wait(sqlite_client, sqlite_client.post("/api/v2/backtests", json=body).json()["id"])
    assert run["status"] == "completed", run
    assert any(
        n.startswith("sizing=risk_parity (the strategy's default sizing)") for n in run["notes"]
    ), run["notes"]
    assert run["metrics"]["trade_count"] > 0
