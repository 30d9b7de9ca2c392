"""`ava walkforward`: the defaults (5 rolling folds, the default grid), the report, the whole
result as JSON equal to the library's, and bad input as a one-line error with exit code 2."""

from __future__ import annotations

import itertools
import json

import pytest
from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.cluster import LocalRunner
from ava_backtest.runs.walkforward import make_spec, run_walkforward

runner = CliRunner()
BASE = ["walkforward", "sma_crossover", "-s", "GOOG", "--no-costs", "--start", "2006-01-01",
        "--end", "2012-12-31"]  # fmt: skip


def test_defaults_are_five_rolling_folds_over_the_default_grid_as_json():
    r = runner.invoke(app, [*BASE, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {"windows", "oos_equity", "oos_metrics", "efficiency", "drift", "overfitting",
            "is_equity", "trades", "plan"} <= set(doc)  # fmt: skip
    assert doc["plan"]["mode"] == "rolling" and doc["plan"]["n_windows"] == 5
    assert doc["space"]["fast_period"]["choices"] == [5, 29, 52, 76, 100]
    # The out-of-sample spans tile the end of the data.
    w = doc["windows"]
    assert all(b["oos_start"] > a["oos_end"] for a, b in itertools.pairwise(w))
    assert doc["oos_equity"][-1]["date"] == w[-1]["oos_end"]
    # The same as the library gives.
    cfg = RunConfig(strategy_name="sma_crossover", symbols=["GOOG"], costs={"model": "none"},
                    start_date="2006-01-01", end_date="2012-12-31")  # fmt: skip
    lib = run_walkforward(make_spec(cfg, min_trades=1), runner=LocalRunner())
    assert [x["params"] for x in w] == [x.params for x in lib.windows]
    assert doc["oos_equity"][-1]["equity"] == pytest.approx(float(lib.equity[-1]), rel=1e-12)
    assert doc["efficiency"] == pytest.approx(lib.efficiency)


def test_report_shows_each_window_and_the_efficiency():
    r = runner.invoke(app, [*BASE, "--is", "500", "--oos", "250", "-r", "fast_period=10,20",
                            "-r", "slow_period=50,100", "--mode", "anchored", "--no-hindsight"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "anchored windows, 500 in-sample + 0 gap + 250 out-of-sample sessions" in r.output
    assert "walk-forward efficiency" in r.output and "Out-of-sample overfitting" in r.output
    assert "fast_period=" in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--is", "5000", "--oos", "100"], "is_sessions: windows longer than the data"),
        (["--is", "500", "--oos", "0"], "oos_sessions"),
        (["--is", "500", "--oos", "100", "--step", "0"], "step"),
        (["--mode", "sideways"], "mode"),
        (["-r", "fast_period=1:50"], "param_ranges.fast_period"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args, message):
    r = runner.invoke(app, [*BASE, *args])
    assert r.exit_code == 2, r.output
    assert message in r.output and len(r.output.strip().splitlines()) == 1, r.output
