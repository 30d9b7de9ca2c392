"""`ava backtest --sizing` with the overlay modes: a run that states its sizing, a strategy's
default sizing, and a value refused naming the field (exit code 2)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ava_backtest.cli.app import app

runner = CliRunner()


def _notes(args: list[str]) -> list[str]:
    r = runner.invoke(app, ["backtest", *args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["notes"]


def test_an_overlay_mode_runs_and_says_so():
    notes = _notes(["sma_crossover", "-s", "GOOG,AAPL", "--sizing", "kelly"])
    assert any(n.startswith("sizing=kelly (the run's): multiplier=0.5") for n in notes), notes
    notes = _notes(["tv_kelly_criterion_position_sizing", "-s", "GOOG", "-p", "min_trades=5"])
    assert any("kelly (the strategy's default sizing)" in n for n in notes), notes


def test_a_value_for_an_overlay_mode_is_refused_naming_the_field():
    r = runner.invoke(app, ["backtest", "sma_crossover", "-s", "GOOG", "--sizing", "kelly",
                            "--size", "0.1"])  # fmt: skip
    assert r.exit_code == 2
    assert "sizing.value" in r.stderr and "sizing.kelly" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
