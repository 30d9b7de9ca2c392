"""User strategy files are discovered at start and on reload; a broken one is reported, not fatal."""

from __future__ import annotations

import textwrap

import pytest

from ava_backtest.domain.errors import NotFoundError
from ava_backtest.strategies import registry

GOOD = textwrap.dedent(
    """
    from ava_backtest.domain.signals import Signals
    from ava_backtest.strategies import Int, Strategy, register

    @register
    class MyBreakout(Strategy):
        name = "my_breakout"
        parameters = {"n": Int(20, 2, 200, "lookback")}

        def signals(self, bars):
            s = Signals.empty(bars.close.shape)
            return s
    """
)


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_STRATEGY_DIRS", str(tmp_path))
    yield tmp_path
    monkeypatch.delenv("AVA_STRATEGY_DIRS")
    registry.reload_plugins()


def test_reload_discovers_new_files_and_reports_broken_ones(plugin_dir):
    registry.reload_plugins()
    with pytest.raises(NotFoundError):
        registry.get_strategy("my_breakout")
    (plugin_dir / "breakout.py").write_text(GOOD)
    (plugin_dir / "broken.py").write_text("import numpy as np\ndef broken(:\n")
    (plugin_dir / "raises.py").write_text("raise RuntimeError('missing API key')\n")
    report = registry.reload_plugins()
    assert registry.get_strategy("my_breakout").parameters["n"].default == 20
    assert report.strategies == ["my_breakout"]
    errors = {e["file"].rsplit("/", 1)[-1]: e["error"] for e in report.errors}
    assert set(errors) == {"broken.py", "raises.py"}
    assert errors["broken.py"].startswith("SyntaxError")
    assert "missing API key" in errors["raises.py"]
    # The built-ins are untouched by a plugin failing.
    assert registry.get_strategy("sma_crossover").name == "sma_crossover"


def test_removing_a_file_removes_its_strategy_on_reload(plugin_dir):
    f = plugin_dir / "breakout.py"
    f.write_text(GOOD)
    registry.reload_plugins()
    assert "my_breakout" in registry.all_strategies()
    f.unlink()
    registry.reload_plugins()
    assert "my_breakout" not in registry.all_strategies()


def test_a_plugin_shadowing_a_builtin_is_undone_on_reload(plugin_dir):
    (plugin_dir / "shadow.py").write_text(GOOD.replace('"my_breakout"', '"sma_crossover"'))
    registry.reload_plugins()
    assert registry.get_strategy("sma_crossover").__name__ == "MyBreakout"
    (plugin_dir / "shadow.py").unlink()
    registry.reload_plugins()
    assert registry.get_strategy("sma_crossover").__name__ == "SmaCrossover"
