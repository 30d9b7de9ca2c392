"""/api/v2/optimizations on SQLite and the real PostgreSQL, with real worker processes: a study
over HTTP and its WebSocket events, paging with true totals, sorting, export, the best trial as a
backtest, bad input refused with a named 4xx, cancel and resume."""

from __future__ import annotations

import io
import time

import polars as pl
import pytest

from tests.api.conftest import make_client

GRID = {
    "strategy_name": "sma_crossover",
    "symbols": ["GOOG"],
    "costs": {"model": "none"},
    "param_ranges": {
        "fast_period": {"low": 10, "high": 30, "step": 10},
        "slow_period": {"low": 40, "high": 80, "step": 20},
    },
    "objectives": [{"metric": "sharpe", "direction": "maximize"}],
    "sampler": "grid",
    "n_trials": 100,
    "batch": 4,
    "blocks": 8,
}


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    # The return matrices go to $AVA_HOME/data/studies; workers inherit the environment.
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))


def _wait(client, study_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = client.get(f"/api/v2/optimizations/{study_id}").json()
        if row["status"] not in ("queued", "running"):
            return row
        time.sleep(0.1)
    raise AssertionError(f"study {study_id} still {row['status']}")


def _wait_run(client, run_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = client.get(f"/api/v2/backtests/{run_id}").json()
        if row["status"] not in ("queued", "running"):
            return row
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {row['status']}")


def test_a_study_over_http_with_events_paging_export_and_the_best_run(client):
    body = {**GRID, "sampler": "tpe", "n_trials": 12, "seed": 3}
    created = client.post("/api/v2/optimizations", json=body)
    assert created.status_code == 201, created.text
    study = created.json()
    assert study["status"] in ("queued", "running") and study["n_trials"] == 12
    with client.websocket_connect(f"/ws/optimizations/{study['id']}") as ws:
        events = [ws.receive_json()]
        while events[-1]["type"] not in ("completed", "failed", "cancelled", "interrupted"):
            events.append(ws.receive_json())
    assert events[0]["type"] == "state"
    assert events[-1]["type"] == "completed", events[-1]
    progress = [e for e in events if e["type"] == "progress"]
    if events[0]["status"] == "queued":  # subscribed before the first trial: it saw them all
        assert sorted(e["trial"]["number"] for e in progress) == list(range(12))
    for e in progress:
        assert {"number", "params", "state", "values", "metrics"} <= set(e["trial"])
        assert e["n_trials"] == 12 and e["run_id"] == study["id"]
    done = _wait(client, study["id"])
    assert done["status"] == "completed" and done["trials_done"] == 12
    of = done["overfitting"]
    for key in ("pbo", "dsr", "psr", "min_track_record", "stability", "score", "explanation"):
        assert key in of
    assert 0.0 <= of["score"] <= 1.0

    # Paging with true totals; sorting by the objective and by any metric.
    page = client.get(f"/api/v2/optimizations/{study['id']}/trials?limit=5&offset=10").json()
    assert page["total"] == 12 and [t["number"] for t in page["items"]] == [10, 11]
    best = client.get(f"/api/v2/optimizations/{study['id']}/trials?sort=-value&limit=1").json()
    assert best["items"][0]["values"][0] == done["best_value"]
    assert best["items"][0]["params"] == done["best_params"]
    by_cagr = client.get(f"/api/v2/optimizations/{study['id']}/trials?sort=metric:cagr").json()
    cagrs = [t["metrics"]["cagr"] for t in by_cagr["items"]]
    assert cagrs == sorted(cagrs) and by_cagr["total"] == 12
    bad = client.get(f"/api/v2/optimizations/{study['id']}/trials?sort=nope")
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "sort"

    imp = client.get(f"/api/v2/optimizations/{study['id']}/importance").json()
    assert set(imp["importances"]) == {"fast_period", "slow_period"} and imp["trials"] >= 2
    assert sum(imp["importances"].values()) == pytest.approx(1.0)
    no = client.get(f"/api/v2/optimizations/{study['id']}/importance?objective=1")
    assert no.status_code == 422 and no.json()["error"]["details"]["field"] == "objective"

    # Export: the trials table and the return matrix, Parquet and CSV, the same numbers.
    base = f"/api/v2/optimizations/{study['id']}/export"
    trials = pl.read_parquet(io.BytesIO(client.get(f"{base}?what=trials").content))
    assert trials.height == 12 and "param_fast_period" in trials.columns
    assert "objective_sharpe" in trials.columns and "cagr" in trials.columns
    csv = pl.read_csv(io.BytesIO(client.get(f"{base}?what=trials&format=csv").content))
    assert csv["number"].to_list() == trials["number"].to_list()
    returns = pl.read_parquet(io.BytesIO(client.get(f"{base}?what=returns").content))
    complete = trials.filter(pl.col("state") == "complete").height
    assert returns.columns[0] == "date" and returns.width == 1 + complete
    rcsv = client.get(f"{base}?what=returns&format=csv")
    assert rcsv.headers["content-type"].startswith("text/csv")

    # The best trial as a normal backtest gives the trial's own metrics.
    run = client.post(f"/api/v2/optimizations/{study['id']}/best-run")
    assert run.status_code == 201, run.text
    assert run.json()["params"] | done["best_params"] == run.json()["params"]
    finished = _wait_run(client, run.json()["id"])
    assert finished["status"] == "completed"
    assert finished["metrics"]["sharpe"] == pytest.approx(done["best_value"], rel=1e-12)

    listed = client.get("/api/v2/optimizations?status=completed&limit=1").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == study["id"]
    gone = client.delete(f"/api/v2/optimizations/{study['id']}")
    assert gone.json() == {"id": study["id"], "deleted": True}
    assert client.get(f"/api/v2/optimizations/{study['id']}").status_code == 404


def test_list_has_true_totals_and_pages(client):
    ids = []
    for fast in (10, 20, 30):
        body = {**GRID, "param_ranges": {"fast_period": {"choices": [fast]}}}
        r = client.post("/api/v2/optimizations", json=body)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    for i in ids:
        assert _wait(client, i)["status"] == "completed"
    page = client.get("/api/v2/optimizations?limit=2&offset=0&sort=created_at").json()
    assert page["total"] == 3 and [x["id"] for x in page["items"]] == ids[:2]
    rest = client.get("/api/v2/optimizations?limit=2&offset=2&sort=created_at").json()
    assert rest["total"] == 3 and [x["id"] for x in rest["items"]] == ids[2:]
    none = client.get("/api/v2/optimizations?strategy=ema_crossover").json()
    assert none["total"] == 0 and none["items"] == []


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"objectives": [{"metric": "nope"}]}, 422, "objectives.0.metric"),
        ({"param_ranges": {"fast_period": {"low": 1, "high": 50}}}, 422, "param_ranges.fast_period"),
        ({"param_ranges": {"bogus": {"low": 1, "high": 2}}}, 422, "param_ranges.bogus"),
        ({"n_trials": 0}, 422, "n_trials"),
        ({"sampler": "anneal"}, 422, "sampler"),
        ({"blocks": 7}, 422, "blocks"),
        ({"symbols": ["NOSUCHSYM"]}, 422, "symbols"),
        ({"strategy_name": "no_such_strategy"}, 422, "strategy_name"),
        ({"start_date": "2015-01-01", "holdout_start": "2010-01-01"}, 422, "holdout_start"),
        (
            {"sampler": "grid", "param_ranges": {"fast_period": {"low": 5, "high": 100},
                                                 "slow_period": {"low": 10, "high": 300}}},
            422, "param_ranges",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_a_named_4xx_and_nothing_is_stored(sqlite_url, change, status, field):
    with make_client(sqlite_url, grid_limit=1000) as client:
        r = client.post("/api/v2/optimizations", json={**GRID, **change})
        assert r.status_code == status, r.text
        err = r.json()["error"]
        fields = [f["field"] for f in (err["details"] or {}).get("fields", [])]
        named = (err["details"] or {}).get("field")
        assert field == named or field in fields or any(f.startswith(field) for f in fields), err
        assert client.get("/api/v2/optimizations").json()["total"] == 0


def test_unknown_study_is_404_everywhere(sqlite_client):
    for method, path in (
        ("get", "/api/v2/optimizations/nope"),
        ("get", "/api/v2/optimizations/nope/trials"),
        ("post", "/api/v2/optimizations/nope/cancel"),
        ("post", "/api/v2/optimizations/nope/best-run"),
        ("get", "/api/v2/optimizations/nope/export"),
        ("delete", "/api/v2/optimizations/nope"),
    ):
        r = getattr(sqlite_client, method)(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (path, r.text)


def test_cancel_stops_between_batches_and_resume_completes_every_trial(client):
    body = {
        **GRID, "sampler": "random", "n_trials": 60, "batch": 2, "seed": 1,
        "symbols": ["AAPL", "MSFT", "GOOG", "AMZN"], "param_ranges": None,
    }  # fmt: skip
    study = client.post("/api/v2/optimizations", json=body).json()
    with client.websocket_connect(f"/ws/optimizations/{study['id']}") as ws:
        while True:
            e = ws.receive_json()
            if e["type"] == "progress":
                break
            assert e["type"] in ("state", "log"), e
        cancelled = client.post(f"/api/v2/optimizations/{study['id']}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        while e["type"] not in ("completed", "failed", "cancelled", "interrupted"):
            e = ws.receive_json()
    assert e["type"] == "cancelled"
    row = _wait(client, study["id"])
    assert row["status"] == "cancelled"
    stored = client.get(f"/api/v2/optimizations/{study['id']}/trials?limit=100").json()
    assert 0 < stored["total"] < 60
    again = client.post(f"/api/v2/optimizations/{study['id']}/cancel")
    assert again.status_code == 409

    resumed = client.post(f"/api/v2/optimizations/{study['id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] in ("queued", "running")
    done = _wait(client, study["id"])
    assert done["status"] == "completed", done
    trials = client.get(f"/api/v2/optimizations/{study['id']}/trials?limit=100").json()
    assert trials["total"] == 60
    assert [t["number"] for t in trials["items"]] == list(range(60))
    assert done["trials_done"] == 60
    # Trials stored before the cancel were kept as they were.
    before = {t["number"]: t["params"] for t in stored["items"]}
    after = {t["number"]: t["params"] for t in trials["items"]}
    assert all(after[n] == p for n, p in before.items())
    assert client.post(f"/api/v2/optimizations/{study['id']}/resume").status_code == 409


def test_a_study_left_by_a_stopped_server_is_interrupted_and_resumes_elsewhere(db_url):
    body = {
        **GRID, "sampler": "tpe", "n_trials": 40, "batch": 2, "seed": 2,
        "symbols": ["AAPL", "MSFT", "GOOG", "AMZN"], "param_ranges": None,
    }  # fmt: skip
    with make_client(db_url) as first:
        study = first.post("/api/v2/optimizations", json=body).json()
        with first.websocket_connect(f"/ws/optimizations/{study['id']}") as ws:
            while ws.receive_json()["type"] != "progress":
                pass
    # The first server stopped under the study: recorded interrupted, its trials kept.
    with make_client(db_url) as second:
        row = second.get(f"/api/v2/optimizations/{study['id']}").json()
        assert row["status"] == "interrupted" and row["error_code"] == "interrupted"
        kept = second.get(f"/api/v2/optimizations/{study['id']}/trials").json()["total"]
        assert 0 < kept < 40
        assert second.post(f"/api/v2/optimizations/{study['id']}/resume").status_code == 200
        done = _wait(second, study["id"])
        assert done["status"] == "completed" and done["trials_done"] == 40
        trials = second.get(f"/api/v2/optimizations/{study['id']}/trials?limit=100").json()
        assert [t["number"] for t in trials["items"]] == list(range(40))


def test_a_study_whose_worker_is_killed_fails_named_and_resumes(sqlite_client):
    import os
    import signal

    client = sqlite_client
    body = {
        **GRID, "sampler": "random", "n_trials": 40, "batch": 2, "seed": 4,
        "symbols": ["AAPL", "MSFT", "GOOG", "AMZN"], "param_ranges": None,
    }  # fmt: skip
    study = client.post("/api/v2/optimizations", json=body).json()
    pid = None
    with client.websocket_connect(f"/ws/optimizations/{study['id']}") as ws:
        while True:
            e = ws.receive_json()
            if e["type"] == "log" and e.get("pid"):
                pid = e["pid"]
            if e["type"] == "progress" and pid is not None:
                break
        os.kill(pid, signal.SIGKILL)
        while e["type"] not in ("completed", "failed", "cancelled", "interrupted"):
            e = ws.receive_json()
    assert e["type"] == "failed" and e["code"] == "worker_died", e
    row = _wait(client, study["id"])
    assert row["status"] == "failed" and row["error_code"] == "worker_died"
    assert client.post(f"/api/v2/optimizations/{study['id']}/resume").status_code == 200
    done = _wait(client, study["id"])
    assert done["status"] == "completed" and done["trials_done"] == 40
    trials = client.get(f"/api/v2/optimizations/{study['id']}/trials?limit=100").json()
    assert [t["number"] for t in trials["items"]] == list(range(40))
