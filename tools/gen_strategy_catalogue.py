"""Write docs/strategies.md from the strategy registry (run after adding a strategy).

.venv/bin/python tools/gen_strategy_catalogue.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from ava_backtest.strategies.registry import all_strategies

DOC = Path(__file__).resolve().parents[1] / "docs" / "strategies.md"


def _param(name: str, p: object) -> str:
    lo = "" if p.minimum is None else f"{p.minimum:g}"
    hi = "" if p.maximum is None else f"{p.maximum:g}"
    bounds = f" [{lo}..{hi}]" if lo or hi else ""
    return f"`{name}`={p.default}{bounds}"


def render() -> str:
    lines = [
        "# Strategy catalogue",
        "",
        "Generated from the registry by `tools/gen_strategy_catalogue.py`; a test keeps it current.",
        "Every strategy here passes the look-ahead check (`ava strategies check NAME`).",
        "",
        "| name | category | style | direction | parameters (default [min..max]) | data needs | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, cls in all_strategies().items():
        if cls.__module__.startswith("ava_user_strategies"):
            continue
        params = ", ".join(_param(n, p) for n, p in cls.parameters.items()) or "—"
        needs = ", ".join(("ohlcv", *cls.requires))
        desc = " ".join(cls.description.split()).replace("|", "\\|")
        lines.append(
            f"| `{name}` | {cls.category} | {cls.style} | {cls.direction} | {params} | {needs} | {desc} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    DOC.write_text(render())
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
