"""Sweeps: each distinct indicator window is computed once, and the result is what single runs give."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.analytics.sweep import sweep
from ava_backtest.data.panel import load_panel_with_info
from ava_backtest.domain.config import RunConfig
from ava_backtest.engine.backtest import EngineSettings
from ava_backtest.indicators import sma
from ava_backtest.indicators.cache import indicator_cache
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import get_strategy


@pytest.fixture(scope="module")
def goog():
    panel, _ = load_panel_with_info("US", ["GOOG"], None, None)
    return panel


@pytest.mark.parametrize("offered", [True, False])
def test_a_100_combination_sweep_computes_each_sma_window_once(goog, offered, monkeypatch):
    fasts, slows = range(5, 55, 5), range(60, 160, 10)
    grid = [{"fast_period": f, "slow_period": s} for f in fasts for s in slows]
    assert len(grid) == 100
    cls = get_strategy("sma_crossover")
    if not offered:  # each combination's own signals, as for a class without sweep_signals
        monkeypatch.setattr(cls, "sweep_signals", classmethod(lambda c, bars, strategies: None))
    with indicator_cache() as cache:
        _, res = sweep(cls, grid, goog, EngineSettings())
    # 10 fast + 10 slow windows, not 200 computations: sweep_signals asks for each window once,
    # the combinations' own signals ask 200 times and every other request is a hit.
    assert cache.computed("sma") == 20
    assert (cache.misses, cache.hits) == ((20, 0) if offered else (20, 180))
    assert res.equity.shape[1] == 100


def test_outside_a_scope_nothing_is_cached_and_inside_callers_get_copies(goog):
    close = goog.bars.close
    with indicator_cache() as cache:
        a = sma(close, 10)
        a[:] = 0.0  # a caller editing its result in place ...
        b = sma(close, 10)
    assert cache.hits == 1
    assert not np.array_equal(a, b)  # ... does not change what the next caller gets
    np.testing.assert_array_equal(b, sma(close, 10))


def test_a_sweep_keeps_the_strategys_time_stop(goog):
    grid = [{"rsi_period": n, "max_hold_days": 5} for n in (10, 14)]
    _, res = sweep(get_strategy("rsi_mean_reversion"), grid, goog, EngineSettings())
    assert "max_hold" in set(res.trades["exit_reason"].to_list())
    for j, p in enumerate(grid):
        cfg = RunConfig(
            strategy_name="rsi_mean_reversion", symbols=["GOOG"], params=p, costs={"model": "none"}
        )
        np.testing.assert_array_equal(res.equity[:, j], run_backtest(cfg).equity)


def test_a_sweep_over_different_time_stops_is_refused_not_dropped(goog):
    grid = [{"max_hold_days": 5}, {"max_hold_days": 10}]
    with pytest.raises(ValueError, match="different time stops"):
        sweep(get_strategy("rsi_mean_reversion"), grid, goog, EngineSettings())
