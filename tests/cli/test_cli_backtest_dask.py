"""``ava backtest --dask`` runs the backtest on a real two-process Dask LocalCluster: the same JSON
result as the run in this process, a bad symbol a named error, and an unreachable scheduler a
named error rather than a silent local run."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.runs import cluster

runner = CliRunner()
BASE = ["backtest", "sma_crossover", "-s", "GOOG", "-p", "fast_period=10", "-p", "slow_period=40"]


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))


def test_backtest_on_dask_prints_the_local_result(dask_address):
    remote = runner.invoke(app, [*BASE, "--json", "--dask", dask_address])
    assert remote.exit_code == 0, remote.output
    local = runner.invoke(app, [*BASE, "--json"])
    assert local.exit_code == 0, local.output
    a, b = json.loads(remote.stdout), json.loads(local.stdout)
    a.pop("elapsed_s", None), b.pop("elapsed_s", None)
    assert a["metrics"]["trade_count"] > 0
    assert a["metrics"] == b["metrics"]
    assert a["trades"] == b["trades"]


def test_a_failed_run_on_dask_is_a_named_error(dask_address):
    r = runner.invoke(app, ["backtest", "sma_crossover", "-s", "NOPE", "--dask", dask_address])
    assert r.exit_code == 2
    assert "NOPE" in r.output


def test_an_unreachable_scheduler_is_a_named_error(monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    r = runner.invoke(app, [*BASE, "--dask", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2
    assert "cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'" in r.output
