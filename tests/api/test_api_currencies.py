"""Runs in different currencies are never ranked by raw equity: the runs list sorts by return
across currencies, and by final equity only within one currency."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

TERMINAL = ("completed", "failed", "cancelled", "interrupted")
SHORT = {"start_date": "2010-01-04", "end_date": "2012-12-31"}
# Capitals chosen so raw equities interleave the currencies: $10M > ₹1M > $10K.
RUNS = {
    "us_big": {
        "strategy_name": "sma_crossover",
        "symbols": ["GOOG"],
        "initial_capital": 10_000_000,
        **SHORT,
    },
    "in_mid": {
        "strategy_name": "sma_crossover",
        "market": "IN",
        "symbols": ["INSYN01"],
        "initial_capital": 1_000_000,
        **SHORT,
    },
    "us_small": {
        "strategy_name": "ema_crossover",
        "symbols": ["MSFT"],
        "initial_capital": 10_000,
        **SHORT,
    },
}


def _wait(client: TestClient, run_id: str, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} not finished after {timeout} s")


def test_the_runs_list_never_ranks_dollars_against_rupees(make_client, db_url):
    with make_client(db_url, workers=2) as c:
        ids = {}
        for name, body in RUNS.items():
            r = c.post("/api/v2/backtests", json=body)
            assert r.status_code == 201, r.text
            ids[name] = r.json()["id"]
        done = {name: _wait(c, run_id) for name, run_id in ids.items()}
        assert all(run["status"] == "completed" for run in done.values()), done
        assert {run["currency"] for run in done.values()} == {"USD", "INR"}

        def listed(sort: str) -> list[dict[str, Any]]:
            r = c.get("/api/v2/backtests", params={"sort": sort})
            assert r.status_code == 200, r.text
            return r.json()["items"]

        # By return: every currency together, ranked by the one number they share.
        returns = {run["id"]: run["metrics"]["total_return"] for run in done.values()}
        for sort, reverse in (("total_return", False), ("-total_return", True)):
            items = listed(sort)
            ranked = [r["id"] for r in items]
            assert ranked == sorted(returns, key=returns.__getitem__, reverse=reverse), sort

        # By final equity: within one currency only; the currencies never interleave.
        for sort in ("final_equity", "-final_equity"):
            items = [r for r in listed(sort) if r["final_equity"] is not None]
            currencies = [r["currency"] for r in items]
            blocks = [cur for i, cur in enumerate(currencies) if i == 0 or cur != currencies[i - 1]]
            assert len(blocks) == len(set(blocks)) == 2, (sort, currencies)
            for cur in blocks:
                equities = [r["final_equity"] for r in items if r["currency"] == cur]
                assert equities == sorted(equities, reverse=sort.startswith("-")), (sort, cur)
