"""For the rule tests of built-in strategies: loading a run's bars the way a run does, and the
book of a one-position strategy walked from its written-out rule. Everything every strategy must
pass (spec, parameters, causality, smoke run) is in test_registry_suite.py instead."""

from __future__ import annotations

from typing import Any

import numpy as np

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import load_run_panel, with_required_data
from ava_backtest.strategies.registry import get_strategy


def load_for(cfg: RunConfig) -> tuple[Any, Any, Any, Any]:
    """(strategy, panel, bars with required data, load info) exactly as run_backtest builds them."""
    strategy = get_strategy(cfg.strategy_name)(**cfg.params)
    panel, info = load_run_panel(cfg, strategy)
    return strategy, panel, with_required_data(strategy, panel, cfg.market), info


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
