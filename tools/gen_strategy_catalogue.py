"""Write docs/strategies/README.md: the catalogue with every implemented strategy's results on the
sample (same as `make catalogue` / `ava strategies report --write docs/strategies/README.md`).

.venv/bin/python tools/gen_strategy_catalogue.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from ava_backtest.runs.catalogue import catalogue_rows, render_catalogue

DOC = Path(__file__).resolve().parents[1] / "docs" / "strategies" / "README.md"


def render() -> str:
    return render_catalogue(catalogue_rows())


def main() -> int:
    DOC.write_text(render())
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
