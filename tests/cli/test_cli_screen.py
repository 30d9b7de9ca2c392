"""`ava screen`: the table, the whole result as JSON with each row the symbol's own backtest,
sorting, the same rows on a Dask LocalCluster, and bad input as one named line with exit 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest

runner = CliRunner()
BASE = ["screen", "sma_crossover", "-u", "us_sample", "--start", "2004-01-01",
        "--end", "2012-12-31", "-p", "fast_period=10"]  # fmt: skip


@pytest.fixture(scope="module")
def doc():
    r = runner.invoke(app, [*BASE, "--json", "--sort", "-cagr"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_json_rows_are_each_symbols_own_backtest_sorted(doc):
    assert doc["n_symbols"] == 6 and doc["complete"] == 6 and doc["runner"] == "local"
    cagrs = [r["metrics"]["cagr"] for r in doc["rows"]]
    assert cagrs == sorted(cagrs, reverse=True)
    ibm = next(r for r in doc["rows"] if r["symbol"] == "IBM")
    single = run_backtest(
        RunConfig(strategy_name="sma_crossover", symbols=["IBM"], params={"fast_period": 10},
                  start_date="2004-01-01", end_date="2012-12-31")
    )  # fmt: skip
    assert ibm["metrics"]["sharpe"] == single.metrics["sharpe"]
    assert ibm["metrics"]["trade_count"] == single.metrics["trade_count"]
    assert ibm["bars"] == len(single.dates)


def test_table_lists_every_symbol():
    r = runner.invoke(app, [*BASE, "--top", "3"])
    assert r.exit_code == 0, r.output
    assert "each symbol alone: 6 of 6 ran, sorted by -sharpe" in r.output
    assert "ran on local" in r.output


def test_dask_gives_the_same_rows(doc, dask_address):
    r = runner.invoke(app, [*BASE, "--json", "--sort", "-cagr", "--dask", dask_address])
    assert r.exit_code == 0, r.output
    there = json.loads(r.stdout)
    assert there["runner"] == f"dask {dask_address}"
    strip = [{k: v for k, v in row.items() if k != "duration_ms"} for row in there["rows"]]
    assert strip == [{k: v for k, v in row.items() if k != "duration_ms"} for row in doc["rows"]]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sort", "nope"], "sort: cannot sort by 'nope'"),
        (["-p", "fast_period=1"], "params.fast_period: 1 is below the minimum"),
    ],
)
def test_bad_input_is_one_named_line(extra, message):
    r = runner.invoke(app, [*BASE, *extra])
    assert r.exit_code == 2
    assert message in r.output


def test_unknown_universe_is_named():
    r = runner.invoke(app, ["screen", "sma_crossover", "-u", "nope"])
    assert r.exit_code == 2 and "universe: unknown universe 'nope'" in r.output
