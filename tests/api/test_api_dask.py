"""An API started with AVA_DASK_ADDRESS (settings.dask_address) runs studies and screens on that
Dask cluster (a real two-process LocalCluster): the same trials, best and rows as locally, and
the screen says where it ran."""

from __future__ import annotations

import time

import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.optimize import StudySpec, run_study, search_space
from ava_backtest.runs.screens import run_screen
from ava_backtest.strategies.registry import get_strategy
from tests.api.conftest import make_client


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))


def _wait(client, path: str, timeout: float = 240.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = client.get(path).json()
        if row["status"] not in ("queued", "running"):
            return row
        time.sleep(0.2)
    raise AssertionError(f"{path} still {row['status']}")


def test_studies_and_screens_run_on_the_cluster_with_the_local_numbers(sqlite_url, dask_address):
    grid = {
        "strategy_name": "sma_crossover", "symbols": ["GOOG"], "costs": {"model": "none"},
        "param_ranges": {"fast_period": {"low": 10, "high": 30, "step": 10},
                         "slow_period": {"low": 40, "high": 80, "step": 20}},
        "sampler": "grid", "blocks": 8,
    }  # fmt: skip
    screen = {"strategy_name": "sma_crossover", "universe": "us_sample",
              "start_date": "2004-01-01", "end_date": "2012-12-31"}  # fmt: skip
    with make_client(sqlite_url, dask_address=dask_address) as client:
        study = client.post("/api/v2/optimizations", json=grid).json()
        sc = client.post("/api/v2/screens", json=screen).json()
        done = _wait(client, f"/api/v2/optimizations/{study['id']}")
        trials = client.get(f"/api/v2/optimizations/{study['id']}/trials?limit=100").json()
        sdone = _wait(client, f"/api/v2/screens/{sc['id']}")
        rows = client.get(f"/api/v2/screens/{sc['id']}/rows?sort=symbol").json()["items"]
    assert done["status"] == "completed", done
    space = search_space(get_strategy("sma_crossover"), grid["param_ranges"])
    local = run_study(
        StudySpec(RunConfig.model_validate({k: grid[k] for k in ("strategy_name", "symbols",
                                                                  "costs")}),
                  space, sampler="grid", n_trials=9, blocks=8)
    )  # fmt: skip
    assert [t["params"] for t in trials["items"]] == [t.params for t in local.trials]
    assert [t["values"] for t in trials["items"]] == [t.values for t in local.trials]
    assert done["best_params"] == local.best.params and done["best_value"] == local.best.values[0]

    assert sdone["status"] == "completed" and sdone["runner"] == f"dask {dask_address}", sdone
    here = {r["symbol"]: r for r in run_screen(RunConfig.model_validate(screen)).rows}
    assert len(rows) == 6
    for r in rows:
        assert r["metrics"]["sharpe"] == here[r["symbol"]]["metrics"]["sharpe"]
        assert r["metrics"]["final_equity"] == here[r["symbol"]]["metrics"]["final_equity"]
