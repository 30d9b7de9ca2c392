"""`ava strategies report` runs the catalogue's implemented strategies and lists the rest."""

from __future__ import annotations

from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.strategies.registry import all_strategies
from ava_backtest.strategies.spec import catalogue

runner = CliRunner()


def test_report_missing_lists_only_what_is_left_to_build():
    r = runner.invoke(app, ["strategies", "report", "--missing"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    todo = [n for n in catalogue() if n not in all_strategies()]
    assert f"{len(todo)} of {len(catalogue())} catalogue strategies not implemented yet" in r.output
    assert "sma_crossover" not in r.output
    assert all(name in r.output for name in todo), todo  # today none: 124 of 124 are built


def test_report_writes_the_page_with_real_results(tmp_path):
    page = tmp_path / "catalogue.md"
    r = runner.invoke(app, ["strategies", "report", "--write", str(page)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    text = page.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `sma_crossover` |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert int(cells[3]) > 10 and cells[4].endswith("%")  # trades and CAGR of a real run
    todo = [n for n in catalogue() if n not in all_strategies()]
    assert all(f"| {name} |" in text and "not yet" in text for name in todo), todo
    assert all(f"| `{name}` |" in text for name in all_strategies() if name in catalogue())
