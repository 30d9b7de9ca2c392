"""`ava strategies report` compares the registry with the catalogue spec shipped in the package."""

from __future__ import annotations

from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.strategies.registry import all_strategies
from ava_backtest.strategies.spec import catalogue

runner = CliRunner()


def test_report_counts_the_implemented_catalogue_entries():
    r = runner.invoke(app, ["strategies", "report"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    implemented = sum(1 for name in catalogue() if name in all_strategies())
    assert f"{implemented} of {len(catalogue())} catalogue strategies implemented" in r.output
    assert len(catalogue()) == 124


def test_report_missing_lists_only_what_is_left_to_build():
    r = runner.invoke(app, ["strategies", "report", "--missing"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert "vwap_reversion" in r.output and "not implemented" in r.output
    assert "sma_crossover" not in r.output
