"""Write docs/strategies/README.md from the strategy registry (run after adding a strategy).

.venv/bin/python tools/gen_strategy_catalogue.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ava_backtest.strategies.registry import all_strategies
from ava_backtest.strategies.spec import spec_for

DOC = Path(__file__).resolve().parents[1] / "docs" / "strategies" / "README.md"


def _param(name: str, p: Any, spec: dict[str, Any] | None) -> str:
    """`name`=default [min..max], with a dagger on bounds that are Ava's, not the catalogue's."""
    given = next((q for q in (spec or {}).get("params", []) if q["name"] == name), None)
    if p.kind not in ("int", "float"):
        return f"`{name}`={p.default}"

    def bound(value: float | None, key: str) -> str:
        if value is None:
            return ""
        ours = given is None or given.get(key) is None
        return f"{value:g}{'†' if ours else ''}"

    return f"`{name}`={p.default} [{bound(p.minimum, 'min')}..{bound(p.maximum, 'max')}]"


def render() -> str:
    lines = [
        "# Strategy catalogue",
        "",
        "Generated from the registry by `tools/gen_strategy_catalogue.py`; a test keeps it current.",
        "Every strategy here passes the registry suite (`tests/strategies/test_registry_suite.py`):",
        "its catalogue entry, its parameter checks, the look-ahead check on its signals and display",
        "series (`ava strategies check NAME`), and a run with its defaults that trades.",
        "How to add one: [ADDING_STRATEGIES.md](ADDING_STRATEGIES.md).",
        "",
        "† a bound the original catalogue did not give: Ava's own, chosen around the default so that",
        "optimisation has a space to search.",
        "",
        "| name | category | style | direction | parameters (default [min..max]) | data needs | display | description |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, cls in all_strategies().items():
        if not cls.__module__.startswith("ava_backtest.strategies.builtin"):
            continue
        spec = spec_for(name)
        params = ", ".join(_param(n, p, spec) for n, p in cls.parameters.items()) or "—"
        needs = ", ".join(("ohlcv", *cls.requires))
        shown = ", ".join(d["label"] for d in cls.describe()["display"]) or "—"
        desc = " ".join(cls.description.split()).replace("|", "\\|")
        lines.append(
            f"| `{name}` | {cls.category} | {cls.style} | {cls.direction} | {params} | {needs} "
            f"| {shown} | {desc} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    DOC.write_text(render())
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
