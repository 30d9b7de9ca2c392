"""Shared by the built-in strategy tests: the catalogue entry a strategy implements, the check
that the registry matches it, and loading a run's bars the way a run does."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import load_run_panel, with_required_data
from ava_backtest.strategies.registry import get_strategy

SPEC = Path(
    os.environ.get(
        "AVA_STRATEGY_SPEC",
        str(
            Path(__file__).resolve().parents[3] / "shared" / "spec" / "strategies" / "builtin.yaml"
        ),
    )
)


def spec_entry(name: str) -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"strategy catalogue not found at {SPEC} (set AVA_STRATEGY_SPEC)")
    return next(e for e in yaml.safe_load(SPEC.read_text()) if e["name"] == name)


def assert_matches_catalogue(name: str) -> None:
    """Name, version, category, direction, timeframe, parameters (order, type, default, bounds)
    and warm-up formula as the catalogue gives them."""
    spec = spec_entry(name)
    cls = get_strategy(name)
    assert (cls.name, cls.version, cls.category) == (name, spec["version"], spec["category"])
    assert cls.direction == spec["direction"] and cls.timeframe == spec["timeframe"]
    assert list(cls.parameters) == [p["name"] for p in spec["params"]]
    for p in spec["params"]:
        param = cls.parameters[p["name"]]
        assert param.kind == {"integer": "int", "number": "float"}[p["type"]], p["name"]
        assert (param.default, param.minimum, param.maximum) == (p["default"], p["min"], p["max"])
    s = cls()
    assert s.warmup() == eval(str(spec["warmup_bars"]), {"max": max}, dict(s.params))


def load_for(cfg: RunConfig) -> tuple[Any, Any, Any, Any]:
    """(strategy, panel, bars with required data, load info) exactly as run_backtest builds them."""
    strategy = get_strategy(cfg.strategy_name)(**cfg.params)
    panel, info = load_run_panel(cfg, strategy)
    return strategy, panel, with_required_data(strategy, panel, cfg.market), info


ARRAYS = ("long_entry", "long_exit", "short_entry", "short_exit", "size", "priority")


def walk_one_position(entry: np.ndarray, exit_: np.ndarray, n: int) -> list[tuple[int, int]]:
    """(entry signal bar, exit signal bar) pairs of a one-position book filled at the next open."""
    out, t = [], 0
    while len(out) < n:
        e = np.flatnonzero(entry[t:])
        if e.size == 0:
            break
        e = t + e[0]
        x = np.flatnonzero(exit_[e + 1 :])
        if x.size == 0:
            break
        x = e + 1 + x[0]
        out.append((e, x))
        t = x + 1
    return out


def assert_prefix_invariant(strategy: Any, bars: Any, full: Any, prefixes: tuple[int, ...]) -> None:
    """Signals on bars[0..k) equal the full-history signals before k, for every k given."""
    for k in prefixes:
        part = strategy.signals(bars.prefix(k))
        for name in ARRAYS:
            a, b = getattr(full, name), getattr(part, name)
            assert (a is None) == (b is None), name
            if a is not None:
                np.testing.assert_array_equal(a[:k], b, err_msg=f"{name} at prefix {k}")
