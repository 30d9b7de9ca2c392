"""Pine Script in, a previewed or a verified and registered strategy out (the CLI's ``--pine``,
``POST /api/v2/builder/pine`` and the save endpoint's ``pine`` input).

``preview`` transpiles and runs nothing; ``save`` sends the generated file through the builder's
one registration path (``builder.service.register``: allow-list, worker-process run with the
look-ahead check and a smoke backtest, then write + register).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ava_backtest.builder.pine.transpile import PineResult, transpile
from ava_backtest.builder.service import Built, _check_name, register


@dataclass(slots=True)
class PineBuilt:
    """The transpiler's result (parameters, notes) and the builder's record (path, checks)."""

    result: PineResult
    built: Built

    def to_dict(self) -> dict[str, Any]:
        doc = self.built.to_dict()
        doc.update(
            {
                "source": "pine",
                "title": self.result.title,
                "pine_version": self.result.pine_version,
                "direction": self.built.direction or self.result.direction,
                "parameters": [p.to_dict() for p in self.result.parameters],
                "notes": self.result.notes,
                "explained": [
                    f"Pine v{self.result.pine_version} strategy {self.result.title!r} -> "
                    f"{self.result.direction}",
                    *self.result.notes,
                ],
            }
        )
        return doc


def preview(source: str, name: str, category: str = "custom") -> PineBuilt:
    """The generated code of a Pine script; nothing is written or run."""
    _check_name(name, category)
    result = transpile(source, name, category)
    built = Built(
        name=name, category=category, rule=None, code=result.code, direction=result.direction
    )
    return PineBuilt(result, built)


def save(
    source: str,
    name: str,
    category: str = "custom",
    *,
    directory: Path | None = None,
    overwrite: bool = False,
    universe: str = "us_sample",
) -> PineBuilt:
    """Transpile, verify, write and register; refused code writes and registers nothing."""
    shown = preview(source, name, category)
    built = register(shown.built, directory=directory, overwrite=overwrite, universe=universe)
    return PineBuilt(shown.result, built)
