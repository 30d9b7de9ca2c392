"""An API started with a Dask scheduler (settings.dask_address, i.e. AVA_DASK_ADDRESS) runs each
backtest on that cluster (a real two-process LocalCluster): progress on the WebSocket, the
library's trades and metrics stored, a cancel recorded as cancelled, a bad strategy parameter
recorded as a failed run with its message."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest
from tests.api.conftest import make_client

BODY = {
    "strategy_name": "sma_crossover",
    "params": {"fast_period": 10, "slow_period": 30},
    "universe": "us_sample",
    "start_date": "2005-01-03",
    "end_date": "2012-12-31",
    "initial_capital": 100000,
    "market": "US",
}


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))


def _wait(client, run_id: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")


def test_backtests_run_on_the_cluster_with_the_library_numbers(sqlite_url, dask_address):
    with make_client(sqlite_url, dask_address=dask_address) as client:
        executor = client.app.state.services.runs.executor
        assert executor.dask_address == dask_address
        run = client.post("/api/v2/backtests", json=BODY).json()
        events = []
        with client.websocket_connect(f"/ws/backtests/{run['id']}") as ws:
            while True:
                e = ws.receive_json()
                events.append(e)
                if e["type"] in ("completed", "failed", "cancelled", "interrupted"):
                    break
        done = _wait(client, run["id"])
        trades = client.get(f"/api/v2/backtests/{run['id']}/trades", params={"limit": 5000}).json()

        slow = client.post("/api/v2/backtests", json={**BODY, "end_date": "2024-12-31"}).json()
        cancel = client.post(f"/api/v2/backtests/{slow['id']}/cancel")
        cancelled = _wait(client, slow["id"])

        bad = client.post(
            "/api/v2/backtests", json={**BODY, "params": {"fast_period": 50, "slow_period": 20}}
        )
        failed = _wait(client, bad.json()["id"]) if bad.status_code == 201 else None

    assert events[-1]["type"] == "completed", events[-1]
    if events[0]["status"] in ("queued", "running"):
        progress = [e["percent"] for e in events if e["type"] == "progress"]
        assert progress and progress == sorted(progress) and progress[-1] == 100
    lib = run_backtest(RunConfig.model_validate(BODY))
    assert done["status"] == "completed"
    assert done["n_trades"] == lib.trades.height == trades["total"]
    assert done["metrics"]["sharpe"] == lib.metrics["sharpe"]
    assert done["metrics"]["final_equity"] == lib.metrics["final_equity"]
    np.testing.assert_array_equal(
        [t["exit_price"] for t in trades["items"]], lib.trades["exit_price"].to_numpy()
    )

    assert cancel.status_code == 200
    assert cancelled["status"] in ("cancelled", "completed")  # it may finish before the cancel
    if bad.status_code == 201:  # a check only the run itself makes: recorded failed
        assert failed is not None and failed["status"] == "failed"
        assert "fast_period" in failed["error"], failed
    else:  # checked at create time: a named 4xx
        assert 400 <= bad.status_code < 500 and "fast_period" in bad.text, bad.text
