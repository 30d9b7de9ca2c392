"""docs/strategies/README.md is the catalogue, rendered again here (every implemented strategy run
with its defaults on the sample): a new strategy, or a change that moves a result, without
`make catalogue` fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ava_backtest.strategies.spec import catalogue

TOOL = Path(__file__).resolve().parents[2] / "tools" / "gen_strategy_catalogue.py"


def test_catalogue_doc_is_current_and_lists_every_catalogue_name():
    spec = importlib.util.spec_from_file_location("gen_strategy_catalogue", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    page = mod.render()
    assert mod.DOC.read_text() == page, "run: make catalogue"
    for name in catalogue():
        assert f"| {name} |" in page or f"| `{name}` |" in page, name
