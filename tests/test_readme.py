"""The README's code runs as printed."""

from __future__ import annotations

import re
from pathlib import Path

from ava_backtest.strategies import registry

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_mentions_the_two_commands_near_the_top():
    head = README.read_text()[:1500]
    assert "make run" in head and "make test" in head


def test_readme_library_and_strategy_examples_run():
    library, strategy = _python_blocks()[:2]
    ns: dict = {}
    exec(compile(library, "README library example", "exec"), ns)
    assert ns["result"].metrics["sharpe"] is not None
    exec(compile(strategy, "README strategy example", "exec"), ns)
    try:
        from ava_backtest.domain.config import RunConfig
        from ava_backtest.runs.execute import run_backtest

        r = run_backtest(RunConfig(strategy_name="my_ema_cross", symbols=["MSFT"]))
        assert r.trades.height > 10
    finally:
        registry.reload_plugins()  # forget the example strategy
