"""ava build-strategy --pine FILE: --dry-run prints the parameters and the code (JSON with
--json); an unsupported construct is printed with file:line:col and a caret, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ava_backtest.cli.app import app

CORPUS = Path(__file__).parent / "corpus"


def test_dry_run_json_has_the_pine_parameters_and_code(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("AVA_STRATEGY_DIRS", str(tmp_path / "strategies"))
    result = CliRunner().invoke(
        app,
        [
            "build-strategy",
            "--name",
            "cli_pine_rsi",
            "--pine",
            str(CORPUS / "v5_rsi_dip.pine"),
            "--dry-run",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["source"] == "pine" and doc["title"] == "RSI dip"
    assert [p["name"] for p in doc["parameters"]] == ["rsi_len", "oversold", "exit_level"]
    assert "crossed_below(r, self.oversold, from_touch=True)" in doc["code"]
    assert not (tmp_path / "strategies").exists()


def test_unsupported_construct_exits_2_with_file_line_column(tmp_path: Path):
    script = tmp_path / "peek.pine"
    script.write_text(
        '//@version=5\nstrategy("p")\n'
        'w = request.security(syminfo.tickerid, "M", close, lookahead=barmerge.lookahead_on)\n'
        'strategy.entry("L", strategy.long, when=close > w)\n'
    )
    result = CliRunner().invoke(
        app, ["build-strategy", "--name", "cli_peek", "--pine", str(script)]
    )
    assert result.exit_code == 2
    assert (
        f"{script}:line 3:62: barmerge.lookahead_on: unsupported because it peeks" in result.output
    )
    assert "nothing was written or registered" in result.output
