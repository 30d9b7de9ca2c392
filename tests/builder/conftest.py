"""A user-strategy directory of the test's own; the registry forgets what a test saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ava_backtest.strategies.registry import reload_plugins


@pytest.fixture
def strategy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    d = tmp_path / "strategies"
    monkeypatch.setenv("AVA_STRATEGY_DIRS", str(d))
    yield d
    monkeypatch.undo()
    reload_plugins()
