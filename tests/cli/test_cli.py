"""The `ava` command: reports, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ava_backtest.cli.app import app

runner = CliRunner()


def test_backtest_prints_a_report_for_us_sample():
    r = runner.invoke(app, ["backtest", "sma_crossover", "--universe", "us_sample"])
    assert r.exit_code == 0, r.output
    assert "Sharpe ratio" in r.output and "Max drawdown" in r.output
    assert "trades" in r.output


def test_backtest_json_is_the_full_result():
    r = runner.invoke(
        app,
        ["backtest", "sma_crossover", "-s", "GOOG", "-p", "fast_period=10", "-p", "slow_period=30",
         "--no-costs", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["params"] == {"fast_period": 10, "slow_period": 30}
    assert len(doc["trades"]) > 20
    assert doc["metrics"]["trade_count"] == len(doc["trades"])
    assert doc["equity_curve"][-1]["equity"] == pytest.approx(doc["metrics"]["final_equity"])
    assert doc["synthetic"] is False


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["nope", "--universe", "us_sample"], "unknown strategy 'nope'"),
        (["sma_crossover", "--symbols", "FOO"], "unknown symbol 'FOO'"),
        (
            ["sma_crossover", "--universe", "nope"],
            "unknown universe 'nope'; available: djia, in_sample_synthetic",
        ),
        (
            ["sma_crossover", "-s", "AAPL", "--start", "2010-01-01", "--end", "2005-01-01"],
            "after end_date",
        ),
        (["sma_crossover", "-s", "AAPL", "--start", "2030-01-01"], "2000-03-01 .. 2013-03-01"),
        (["sma_crossover", "-s", "AAPL", "--capital", "-5"], "initial_capital"),
        (
            ["sma_crossover", "-s", "AAPL", "-p", "fast_period=1"],
            "params.fast_period: 1 is below the minimum 5",
        ),
        (
            ["sma_crossover", "-s", "AAPL", "-p", "fast_period=60", "-p", "slow_period=50"],
            "must be less than",
        ),
        (["sma_crossover", "-s", "AAPL", "-p", "nope=3"], "unknown parameter 'nope'"),
        (["sma_crossover", "-s", "AAPL", "--fill", "sometime"], "fill"),
        (["sma_crossover"], "give --universe"),
    ],
)
def test_bad_input_is_one_line_error_with_exit_code_2(args, needle):
    r = runner.invoke(app, ["backtest", *args])
    assert r.exit_code == 2
    assert needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output


def test_strategies_list_and_show():
    r = runner.invoke(app, ["strategies", "list"])
    assert r.exit_code == 0 and "sma_crossover" in r.output
    r = runner.invoke(app, ["strategies", "show", "sma_crossover"])
    assert r.exit_code == 0 and "fast_period" in r.output and "warm-up" in r.output
    r = runner.invoke(app, ["strategies", "show", "nope"])
    assert r.exit_code == 2


PEEKING_PLUGIN = """
import numpy as np
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies import Strategy, register

@register
class Tomorrow(Strategy):
    name = "tomorrow"

    def signals(self, bars):
        s = Signals.empty(bars.close.shape)
        s.long_entry = np.roll(bars.close, -1, axis=0) > bars.close
        return s
"""


def test_strategies_check_passes_causal_and_fails_peeking_strategies(tmp_path, monkeypatch):
    from ava_backtest.strategies import registry

    r = runner.invoke(app, ["strategies", "check", "sma_crossover", "--symbols", "AAPL,MSFT"])
    assert r.exit_code == 0 and "ok sma_crossover" in r.output
    (tmp_path / "tomorrow.py").write_text(PEEKING_PLUGIN)
    monkeypatch.setenv("AVA_STRATEGY_DIRS", str(tmp_path))
    registry.reload_plugins()
    try:
        r = runner.invoke(app, ["strategies", "check", "tomorrow", "--symbols", "AAPL"])
        assert r.exit_code == 1
        assert "LOOK-AHEAD" in r.output and "long_entry differs at bar" in r.output
    finally:
        monkeypatch.delenv("AVA_STRATEGY_DIRS")
        registry.reload_plugins()


def test_data_commands_list_universes_and_symbols():
    r = runner.invoke(app, ["data", "universes"])
    assert r.exit_code == 0 and "us_sample" in r.output and "synthetic" in r.output
    r = runner.invoke(app, ["data", "symbols", "--market", "US"])
    assert r.exit_code == 0 and "2004-08-19" in r.output  # GOOG's first bar
    r = runner.invoke(app, ["data", "symbols", "--market", "XX"])
    assert r.exit_code == 2


def test_indian_symbols_run_without_a_default_benchmark_and_say_so():
    r = runner.invoke(
        app, ["backtest", "sma_crossover", "--market", "IN", "-s", "INSYN01", "--json"]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["currency"] == "INR" and doc["synthetic"] is True
    assert any("no benchmark" in n for n in doc["notes"])


def test_benchmark_is_a_choice_and_its_window_is_printed():
    # NVDA 2020-2024 is after the default GSPC ends: a note, not an error; --benchmark none: neither.
    args = ["backtest", "sma_crossover", "-s", "NVDA", "--start", "2020-01-01", "--json"]
    default = json.loads(runner.invoke(app, args).stdout)
    assert any(n.startswith("no benchmark: the default GSPC") for n in default["notes"])
    none = runner.invoke(app, [*args, "--benchmark", "none"])
    assert none.exit_code == 0, none.output
    assert not any("GSPC" in n for n in json.loads(none.stdout)["notes"])
    named = runner.invoke(app, [*args, "--benchmark", "GSPC"])
    assert named.exit_code == 2 and "benchmark" in named.output
    # AMZN (1997..2020) against GSPC (1999..2018): the report says which bars the figures cover.
    report = runner.invoke(app, ["backtest", "sma_crossover", "-s", "AMZN"])
    assert report.exit_code == 0, report.output
    assert "Benchmark return) cover 1999-01-04 → 2018-12-31" in report.output


def test_backtest_on_a_custom_universe_the_api_created(tmp_path, monkeypatch):
    """The CLI resolves universes as the API does: built-in, then the custom universes in the
    API's database (here the default SQLite file under AVA_HOME)."""
    from ava_backtest.store.db import database_url, make_engine, migrate
    from ava_backtest.store.repository import RunStore

    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    monkeypatch.delenv("AVA_DATABASE_URL", raising=False)
    engine = make_engine(database_url())
    migrate(engine)
    RunStore(engine).create_universe("pair", "US", ["IBM", "GOOG"])
    engine.dispose()

    r = runner.invoke(app, ["backtest", "sma_crossover", "--universe", "pair", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["symbols"] == ["IBM", "GOOG"] and doc["config"]["universe"] == "pair"
    assert {t["symbol"] for t in doc["trades"]} == {"IBM", "GOOG"}
    wrong = runner.invoke(
        app, ["backtest", "sma_crossover", "--universe", "pair", "--market", "IN"]
    )
    assert wrong.exit_code == 2 and "belongs to market US" in wrong.output
