"""`ava analytics correlation|portfolio` on runs stored in the database the settings name: the
API's numbers, a table or JSON, and bad input as one line with exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.analytics import correlation_report, portfolio_report
from ava_backtest.runs.execute import run_backtest
from ava_backtest.store.db import database_url, make_engine, migrate
from ava_backtest.store.repository import RunStore

runner = CliRunner()


@pytest.fixture
def stored(tmp_path, monkeypatch) -> tuple[RunStore, list[str]]:
    url = f"sqlite:///{tmp_path / 'ava.db'}"
    monkeypatch.setenv("AVA_DATABASE_URL", url)
    engine = make_engine(database_url(url))
    migrate(engine)
    store = RunStore(engine)
    ids = []
    for strategy, symbol in (("sma_crossover", "GOOG"), ("ema_crossover", "MSFT")):
        config = RunConfig(
            strategy_name=strategy, symbols=[symbol], start_date="2008-01-02",
            end_date="2011-12-30",
        )  # fmt: skip
        result = run_backtest(config)
        run_id = store.create_run(config, params=result.params, code_version="test")
        assert store.save_result(run_id, result)
        ids.append(run_id)
    return store, ids


def test_correlation_and_portfolio_print_the_reports_numbers(stored):
    store, ids = stored
    r = runner.invoke(app, ["analytics", "correlation", *ids, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == correlation_report(store, ids)
    r = runner.invoke(app, ["analytics", "correlation", *ids])
    assert r.exit_code == 0, r.output
    coef = correlation_report(store, ids)["matrix"][0][1]
    assert f"{coef:,.3f}" in r.output and "sma_crossover GOOG" in r.output

    args = ["analytics", "portfolio", *ids, "--weights", "3,1", "--rebalance", "quarterly"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    want = portfolio_report(store, ids, weights=[3, 1], rebalance="quarterly")
    assert doc == want
    assert doc["weight_list"] == [0.75, 0.25]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "Diversification ratio" in r.output
    assert f"{want['diversification_ratio']:,.3f}" in r.output
    assert "75.00%" in r.output


def test_bad_input_is_one_line_and_exit_code_2(stored):
    _, ids = stored
    r = runner.invoke(app, ["analytics", "portfolio", *ids, "--weights", "1"])
    assert r.exit_code == 2
    assert "weights: 1 weights for 2 runs" in r.output
    r = runner.invoke(app, ["analytics", "correlation", ids[0], "nope"])
    assert r.exit_code == 2 and "no backtest with id 'nope'" in r.output
    r = runner.invoke(app, ["analytics", "portfolio", *ids, "--weights", "a,b"])
    assert r.exit_code == 2 and "weights: expected numbers" in r.output
