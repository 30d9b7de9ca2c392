"""User strategies: every ``.py`` file under the directories in ``AVA_STRATEGY_DIRS`` (default
``./strategies``) is imported at start and on reload, so ``@register`` adds its classes.

A file that fails to import is reported with its path and error; it does not stop the others.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class PluginReport:
    loaded: list[str] = field(default_factory=list)  # files imported
    errors: list[dict[str, str]] = field(default_factory=list)  # {"file", "error"}
    strategies: list[str] = field(default_factory=list)  # names registered by plugins


def _module_name(path: Path) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    return f"ava_user_strategies.{path.stem}_{digest}"


def import_plugins(dirs: list[Path]) -> PluginReport:
    """Import every ``.py`` under ``dirs`` (recursively, in path order) afresh."""
    report = PluginReport()
    for root in dirs:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.py")):
            if path.name.startswith("_"):
                continue
            name = _module_name(path)
            sys.modules.pop(name, None)
            try:
                spec = importlib.util.spec_from_file_location(name, path)
                if spec is None or spec.loader is None:
                    raise ImportError("not an importable Python file")
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
            except Exception as e:  # a user's file can fail in any way; report it, go on
                sys.modules.pop(name, None)
                last = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
                where = f" (line {last.lineno})" if last and last.filename == str(path) else ""
                report.errors.append(
                    {"file": str(path), "error": f"{type(e).__name__}: {e}{where}"}
                )
                continue
            report.loaded.append(str(path))
    return report
