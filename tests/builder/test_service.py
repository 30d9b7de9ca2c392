"""Save = write the file, register it without a restart, prove it causal; the README example
trades exactly like the built-in ema_crossover(20, 50)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ava_backtest.builder import preview, save
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import all_strategies, get_strategy

README = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"


def _trades(name: str, params: dict[str, int] | None = None):
    cfg = RunConfig(strategy_name=name, universe="us_sample", params=params or {})
    return run_backtest(cfg).trades.select(
        "symbol",
        "direction",
        "entry_time",
        "exit_time",
        "entry_price",
        "exit_price",
        "qty",
        "exit_reason",
    )


def test_readme_example_trades_exactly_like_ema_crossover_20_50(strategy_dir: Path):
    built = save(README, "my_strategy", "trend")
    assert Path(built.path) == strategy_dir / "my_strategy.py"
    assert get_strategy("my_strategy").category == "trend"
    ours = _trades("my_strategy")
    theirs = _trades("ema_crossover", {"fast_period": 20, "slow_period": 50})
    assert ours.height > 50
    assert ours.equals(theirs)


def test_saved_file_imports_only_the_kit_and_passes_the_lookahead_check(strategy_dir: Path):
    built = save(
        "Buy when RSI(14) falls below 30 and close is above the 200-day SMA; sell when RSI "
        "rises above 70; stop loss at 2 ATR; exit after 10 bars",
        "rsi_dip_builder",
    )
    tree = ast.parse(Path(built.path).read_text())
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [(type(n).__name__, getattr(n, "module", None)) for n in imports] == [
        ("ImportFrom", "ava_backtest.strategies")
    ]
    assert any(c.startswith("look-ahead check: signals on") for c in built.checks)
    reasons = set(_trades("rsi_dip_builder")["exit_reason"])
    assert {"stop_loss", "max_hold"} <= reasons  # the declared stop and time stop end trades


def test_a_builtin_name_or_an_existing_file_is_refused(strategy_dir: Path):
    with pytest.raises(ConfigError, match="built-in") as e:
        save(README, "ema_crossover")
    assert e.value.field == "name"
    save(README, "twice_saved")
    with pytest.raises(ConfigError, match="exists"):
        save(README, "twice_saved")
    save(README.replace("20", "10"), "twice_saved", overwrite=True)
    assert get_strategy("twice_saved")().params["ema_fast_period"] == 10


def test_bad_names_are_refused_naming_the_field():
    for name in ("My Strategy", "1abc", "x", "a-b"):
        with pytest.raises(ConfigError) as e:
            preview(README, name)
        assert e.value.field == "name"
    with pytest.raises(ConfigError) as e:
        preview(README, "ok_name", "Trend Following!")
    assert e.value.field == "category"


def test_preview_registers_nothing():
    before = set(all_strategies())
    built = preview(README, "preview_only")
    assert "class PreviewOnly(Strategy)" in built.code
    assert set(all_strategies()) == before
