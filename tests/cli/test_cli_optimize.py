"""`ava optimize`: the report, the whole result as JSON, the exported matrices, bad input as a
one-line error with exit code 2, and the same seed giving the same study."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest

runner = CliRunner()
GRID = ["optimize", "sma_crossover", "-s", "GOOG", "--no-costs", "--sampler", "grid",
        "-r", "fast_period=10:30:10", "-r", "slow_period=50:100:25", "--blocks", "8"]  # fmt: skip


def test_report_lists_the_best_trials_and_explains_the_overfitting_panel():
    r = runner.invoke(app, GRID)
    assert r.exit_code == 0, r.output
    assert "Best trials of sma_crossover (grid, seed 0): 9 of 9 complete" in r.output
    assert "Overfitting score" in r.output
    assert "PBO" in r.output and "Deflated Sharpe" in r.output
    assert "the best in-sample configuration ranks" in r.output  # the explanation, in words


def test_json_is_the_whole_result_and_the_best_is_the_single_backtest(tmp_path):
    r = runner.invoke(app, [*GRID, "--json", "--export", str(tmp_path)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert len(doc["trials"]) == 9
    best = max(doc["trials"], key=lambda t: t["values"][0])
    assert doc["best_params"] == best["params"] and doc["best_value"] == best["values"][0]
    of = doc["overfitting"]
    for key in ("pbo", "dsr", "psr", "min_track_record", "stability", "score", "explanation"):
        assert key in of, key
    assert 0 <= of["pbo"] <= 1 and 0 <= of["score"] <= 1
    single = run_backtest(
        RunConfig(strategy_name="sma_crossover", symbols=["GOOG"], costs={"model": "none"},
                  params=doc["best_params"])
    )  # fmt: skip
    assert single.metrics["sharpe"] == pytest.approx(doc["best_value"], rel=1e-12)

    trials = pl.read_parquet(tmp_path / "trials.parquet")
    assert trials.height == 9 and "param_fast_period" in trials.columns
    assert pl.read_csv(tmp_path / "trials.csv")["number"].to_list() == list(range(9))
    returns = pl.read_parquet(tmp_path / "returns.parquet")
    assert returns.columns == ["date", *(f"trial_{i}" for i in range(9))]
    assert pl.read_csv(tmp_path / "returns.csv").height == returns.height


def test_same_seed_same_study():
    args = ["optimize", "sma_crossover", "-s", "GOOG", "--no-costs", "--trials", "12",
            "--batch", "4", "--seed", "5", "--json"]  # fmt: skip
    a, b = (json.loads(runner.invoke(app, args).stdout) for _ in range(2))
    assert [t["params"] for t in a["trials"]] == [t["params"] for t in b["trials"]]
    assert a["best_params"] == b["best_params"] and a["best_value"] == b["best_value"]


def test_minimize_picks_the_smallest_objective():
    r = runner.invoke(app, [*GRID, "--objective", "ulcer_index", "--minimize", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["objectives"] == [{"metric": "ulcer_index", "direction": "minimize"}]
    assert doc["best_value"] == min(t["values"][0] for t in doc["trials"])


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["-r", "fast_period=1:50"], "outside fast_period's bounds"),
        (["--objective", "nope"], "unknown objective 'nope'"),
        (["--trials", "0"], "n_trials"),
        (["-r", "fast_period"], "write name=low:high"),
        (["--sampler", "anneal"], "sampler"),
        (["--grid-limit", "5"], "over the limit of 5"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(extra, needle):
    r = runner.invoke(app, [*GRID, *extra])
    assert r.exit_code == 2, r.output
    assert needle in r.output


def test_help_teaches_with_examples():
    r = runner.invoke(app, ["optimize", "--help"])
    assert r.exit_code == 0
    assert "Examples" in r.output and "--param-range" in r.output


def test_a_grid_runs_all_its_points_unless_trials_says_fewer():
    args = ["optimize", "sma_crossover", "-s", "GOOG", "--no-costs", "--sampler", "grid",
            "-r", "fast_period=5:60:5", "-r", "slow_period=70:200:10", "--json"]  # fmt: skip
    doc = json.loads(runner.invoke(app, args).stdout)
    assert len(doc["trials"]) == 12 * 14  # more than the samplers' default of 100
    doc = json.loads(runner.invoke(app, [*args, "--trials", "20"]).stdout)
    assert [t["number"] for t in doc["trials"]] == list(range(20))


def test_dask_runs_the_same_study_on_the_cluster(dask_address):
    here = runner.invoke(app, [*GRID, "--json"])
    there = runner.invoke(app, [*GRID, "--json", "--dask", dask_address])
    assert here.exit_code == 0 and there.exit_code == 0, there.output
    a, b = json.loads(here.stdout), json.loads(there.stdout)
    assert a["trials"] == [{**t, "duration_ms": a["trials"][i]["duration_ms"]}
                           for i, t in enumerate(b["trials"])]  # fmt: skip
    assert (a["best_params"], a["best_value"]) == (b["best_params"], b["best_value"])


def test_dask_address_unreachable_is_a_named_error(monkeypatch):
    from ava_backtest.runs import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    r = runner.invoke(app, [*GRID, "--dask", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2
    assert "dask_address: cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'" in r.output
