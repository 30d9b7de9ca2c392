"""Studies shared by processes through the database: two worker processes on one TPE study in the
real PostgreSQL complete it with no trial lost or duplicated; a study whose process died resumes
(its stranded trial recorded, never run twice); a study of a gone owner is recorded interrupted."""

from __future__ import annotations

import multiprocessing as mp

import optuna
import pytest

from ava_backtest.runs.studies import (
    OptimizationRequest,
    execute_study,
    join_study,
    optuna_storage,
    prepare_optuna,
    spec_from_request,
)
from ava_backtest.store.db import make_engine, migrate
from ava_backtest.store.studies import StudyStore, returns_path

N = 40
REQUEST = {
    "strategy_name": "sma_crossover",
    "symbols": ["AAPL", "MSFT", "GOOG", "AMZN"],
    "costs": {"model": "none"},
    "sampler": "tpe",
    "n_trials": N,
    "batch": 2,
    "seed": 11,
    "blocks": 8,
}


def _create(db_url: str, body: dict) -> tuple[StudyStore, str]:
    engine = make_engine(db_url)
    migrate(engine)
    store = StudyStore(engine)
    req = OptimizationRequest.model_validate(body)
    study_id = store.create(
        req.model_dump(mode="json"), symbols=req.symbols or [], owner=None, code_version="test"
    )
    prepare_optuna(spec_from_request(req), db_url, study_id)
    return store, study_id


def _owner(db_url: str, study_id: str, barrier, out) -> None:
    engine = make_engine(db_url)
    store = StudyStore(engine)
    spec = spec_from_request(OptimizationRequest.model_validate(store.get(study_id)["spec"]))
    ran: list[int] = []
    barrier.wait()
    result = execute_study(
        store, study_id, spec, db_url, emit=lambda rec, done, total: ran.append(rec.number)
    )
    out.put(("owner", ran, [t.number for t in result.trials]))


def _helper(db_url: str, study_id: str, barrier, out) -> None:
    barrier.wait()
    out.put(("helper", join_study(db_url, study_id)))


def test_two_worker_processes_share_one_postgresql_study(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    store, study_id = _create(pg_url, REQUEST)
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_owner, args=(pg_url, study_id, barrier, out)),
        ctx.Process(target=_helper, args=(pg_url, study_id, barrier, out)),
    ]
    for p in procs:
        p.start()
    got = dict((m[0], m[1:]) for m in (out.get(timeout=600) for _ in procs))
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    owner_ran, owner_trials = got["owner"]
    (helper_ran,) = got["helper"]
    assert len(owner_ran) > 0 and helper_ran > 0, (owner_ran, helper_ran)
    assert len(owner_ran) + helper_ran == N  # each trial run by exactly one process
    assert owner_trials == list(range(N))  # the owner's result covers the helper's trials

    # Optuna's storage: numbers 0..N-1 exactly once, every one finished.
    study = optuna.load_study(study_name=study_id, storage=optuna_storage(pg_url))
    inside = [t for t in study.get_trials(deepcopy=False) if t.number < N]
    assert sorted(t.number for t in inside) == list(range(N))
    assert all(t.state.is_finished() for t in inside)
    assert all(t.user_attrs.get("ava_state") != "surplus" for t in inside)
    # Ava's table: the same trials, once each, and the return matrix of the complete ones.
    stored = store.all_trials(study_id)
    assert [t["number"] for t in stored] == list(range(N))
    assert {t["number"]: t["params"] for t in stored} == {t.number: t.params for t in inside}
    assert returns_path(study_id).is_file()


def test_a_study_whose_process_died_resumes_without_running_a_trial_twice(sqlite_url, tmp_path,
                                                                          monkeypatch):  # fmt: skip
    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    body = {**REQUEST, "symbols": ["GOOG"], "n_trials": 12, "batch": 4}
    store, study_id = _create(sqlite_url, body)
    spec = spec_from_request(OptimizationRequest.model_validate(body))
    # A process asked for a trial and died before telling it: it stays RUNNING in the storage.
    study = optuna.load_study(study_name=study_id, storage=optuna_storage(sqlite_url))
    stranded = study.ask()
    assert stranded.number == 0
    result = execute_study(store, study_id, spec, sqlite_url)
    assert result is not None
    assert [t.number for t in result.trials] == list(range(12))
    assert result.trials[0].state == "interrupted"
    # The others ran once each (infeasible points, e.g. fast >= slow, are refused, not run).
    assert all(t.state != "interrupted" for t in result.trials[1:])
    assert all(t.state in ("complete", "infeasible") for t in result.trials[1:])
    assert [t["number"] for t in store.all_trials(study_id)] == list(range(12))


def test_studies_of_gone_owners_are_interrupted(sqlite_url):
    engine = make_engine(sqlite_url)
    migrate(engine)
    store = StudyStore(engine)
    req = OptimizationRequest.model_validate(REQUEST)
    sid = store.create(req.model_dump(mode="json"), symbols=[], owner="gone:1", code_version="t")
    assert store.mark_running(sid)
    assert store.interrupt_orphans("the server stopped") == [sid]
    row = store.get(sid)
    assert row["status"] == "interrupted" and row["error_code"] == "interrupted"
    assert store.reopen(sid, owner="new:2") and store.get(sid)["status"] == "queued"
    with pytest.raises(ValueError, match="cannot sort trials"):
        store.trials(sid, sort="params")
