"""docs/strategies/README.md is the registry, regenerated: adding a strategy without the doc fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "tools" / "gen_strategy_catalogue.py"


def test_catalogue_doc_is_current():
    spec = importlib.util.spec_from_file_location("gen_strategy_catalogue", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.DOC.read_text() == mod.render(), (
        "run: .venv/bin/python tools/gen_strategy_catalogue.py"
    )
