"""The catalogue Ava implements, as package data: the original platform's strategy entries
(``builtin.yaml``, ``custom-1..3.yaml``; read README.md here), so the registry-wide checks and
``ava strategies report`` work from any install, with nothing outside the package."""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import yaml

FILES = ("builtin.yaml", "custom-1.yaml", "custom-2.yaml", "custom-3.yaml")
"""In precedence order: a name in builtin.yaml and a custom file is the builtin.yaml design."""


@functools.cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Every spec entry by name, each with ``source`` (its file) added."""
    out: dict[str, dict[str, Any]] = {}
    for fname in FILES:
        text = resources.files(__name__).joinpath(fname).read_text(encoding="utf-8")
        for entry in yaml.safe_load(text):
            out.setdefault(entry["name"], {**entry, "source": fname})
    return out


def spec_for(name: str) -> dict[str, Any] | None:
    return catalogue().get(name)


_FORMULA = re.compile(r"^[\w\s+\-*/(),]+")


def warmup_formula(entry: dict[str, Any]) -> str | None:
    """The spec's warm-up as a Python expression of the parameters, or None when the entry states
    it in words (``max over j=...``). Trailing remarks (``(= 27)``, ``; also ...``) are dropped."""
    text = str(entry["warmup_bars"]).split(";")[0].split("(=")[0].split("  (")[0].strip()
    text = re.sub(r"^(\d+)\s+\(.*\)$", r"\1", text)  # "22 (hard-coded 20 + 2)" -> "22"
    m = _FORMULA.match(text)
    if m is None or m.group(0).strip() != text:
        return None
    return text


def spec_warmup(entry: dict[str, Any], params: dict[str, Any]) -> int | None:
    """The spec's warm-up for ``params``, or None when it cannot be evaluated."""
    formula = warmup_formula(entry)
    if formula is None:
        return None
    try:
        value = eval(formula, {"__builtins__": {}, "max": max, "min": min}, dict(params))
    except (NameError, SyntaxError, TypeError):
        return None
    return int(value)
