"""A run's defaults from its market and universe: the same for the CLI and the API."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ava_backtest.cli.app import app
from ava_backtest.data.universes import get_universe
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.defaults import default_capital, with_default_positions

runner = CliRunner()


def test_default_capital_is_the_markets():
    assert default_capital("US") == 100_000.0
    assert default_capital("in") == 1_000_000.0
    assert default_capital("XX") is None


def _config(**kw: object) -> RunConfig:
    base: dict[str, object] = {"strategy_name": "sma_crossover", "market": "IN"}
    return RunConfig.model_validate(base | kw)


def test_a_universe_of_more_than_ten_symbols_holds_ten_positions():
    universe = get_universe("in_sample_synthetic")
    assert len(universe.symbols) > 10
    config = _config(universe="in_sample_synthetic")
    assert with_default_positions(config, universe).max_positions == 10
    # a number the user gave, another sizing mode, or listed symbols keep theirs
    assert (
        with_default_positions(
            _config(universe="in_sample_synthetic", max_positions=3), universe
        ).max_positions
        == 3
    )
    fraction = _config(universe="in_sample_synthetic", sizing={"mode": "fraction", "value": 0.1})
    assert with_default_positions(fraction, universe).max_positions is None
    listed = _config(symbols=list(universe.symbols))
    assert with_default_positions(listed, universe).max_positions is None


def test_a_small_universe_keeps_one_slot_per_symbol():
    universe = get_universe("us_sample")
    config = _config(universe="us_sample", market="US")
    assert with_default_positions(config, universe).max_positions is None


def test_the_cli_uses_the_market_defaults():
    r = runner.invoke(
        app,
        ["backtest", "sma_crossover", "--universe", "in_sample_synthetic", "--market", "IN",
         "--start", "2023-01-01", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    config = json.loads(r.stdout)["config"]
    assert config["initial_capital"] == 1_000_000.0
    assert config["max_positions"] == 10
    r = runner.invoke(
        app,
        ["backtest", "sma_crossover", "--universe", "in_sample_synthetic", "--market", "IN",
         "--start", "2023-01-01", "--capital", "250000", "--max-positions", "4", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    config = json.loads(r.stdout)["config"]
    assert (config["initial_capital"], config["max_positions"]) == (250_000.0, 4)
