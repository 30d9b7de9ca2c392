"""`ava build-strategy`: the original README's flags; --dry-run writes nothing; a saved strategy is
registered, checked and backtests; an unreadable phrase is named with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.strategies.registry import reload_plugins

runner = CliRunner()
README = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"


@pytest.fixture
def strategy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    d = tmp_path / "strategies"
    monkeypatch.setenv("AVA_STRATEGY_DIRS", str(d))
    yield d
    monkeypatch.undo()
    reload_plugins()


def test_dry_run_prints_rules_parameters_and_code_and_writes_nothing(strategy_dir: Path):
    r = runner.invoke(
        app,
        ["build-strategy", "--name", "my_strategy", "--category", "trend", "--input", README,
         "--dry-run"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "long entry: ema(ema_fast_period=20) crosses above ema(ema_slow_period=50)" in r.stdout
    assert "long exit: ema(ema_fast_period=20) crosses below ema(ema_slow_period=50)" in r.stdout
    assert "class MyStrategy(Strategy):" in r.stdout
    assert "nothing written" in r.stdout
    assert not strategy_dir.exists()


def test_build_saves_registers_checks_and_the_backtest_runs(strategy_dir: Path):
    r = runner.invoke(
        app, ["build-strategy", "--name", "my_strategy", "--category", "trend", "--input", README,
              "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["path"] == str(strategy_dir / "my_strategy.py")
    assert any(c.startswith("look-ahead check") for c in doc["checks"])
    assert [p["name"] for p in doc["parameters"]] == ["ema_fast_period", "ema_slow_period"]
    b = runner.invoke(app, ["backtest", "my_strategy", "--universe", "us_sample", "--json"])
    assert b.exit_code == 0, b.output


def test_unreadable_rules_name_the_phrase_with_exit_2(strategy_dir: Path):
    r = runner.invoke(
        app,
        ["build-strategy", "--name", "x_y", "--input", "Buy when 20 EMA crosses above the moon"],
    )
    assert r.exit_code == 2
    assert "could not read 'moon' (at column 35)" in r.output
    assert "expected an indicator" in r.output
    assert not strategy_dir.exists()
