"""The data package's core imports in one direction: panel -> universes -> user_store ->
catalogue, and none of them reaches back, not even from inside a function (they used to)."""

from __future__ import annotations

import ast
from pathlib import Path

import ava_backtest.data

PACKAGE = "ava_backtest.data"
ROOT = Path(ava_backtest.data.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    """Every ``ava_backtest.data`` module ``path`` imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith(PACKAGE + ".") and (ROOT / f"{name.split('.')[2]}.py").exists():
                found.add(name.split(".")[2])
    return found


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A path of imports from ``start`` to ``goal``, or None."""
    seen: set[str] = set()
    todo: list[list[str]] = [[start]]
    while todo:
        path = todo.pop()
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == goal:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                todo.append([*path, nxt])
    return None


def test_panel_universes_and_the_user_store_import_each_other_without_a_circle():
    graph = {p.stem: _imports(p) - {p.stem} for p in ROOT.glob("*.py") if p.stem != "__init__"}
    for module in ("panel", "universes", "user_store", "catalogue"):
        assert module in graph
        for first in sorted(graph[module]):
            back = _reaches(graph, first, module)
            assert back is None, f"{module} -> " + " -> ".join(back or [])


def test_the_path_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert _reaches(graph, "b", "a") == ["b", "c", "a"]
    assert _reaches({"a": {"b"}, "b": set()}, "b", "a") is None


def test_data_sits_below_strategies_and_everything_above_it():
    """data may use domain and markets; it never imports strategies, engine, runs, api or cli."""
    above = ("strategies", "engine", "analytics", "runs", "store", "api", "cli")
    offenders = []
    for path in sorted(ROOT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
            for name in names:
                if any(name.startswith(f"ava_backtest.{layer}") for layer in above):
                    offenders.append(f"{path.name}: {name}")
    assert not offenders, offenders
