"""The fast paths of a side-by-side sweep change no number: a grid larger than one chunk (two
chunk widths, each reusing its tiled price blocks) gives every trial exactly its single run, with
market costs; the tiled blocks are made once per width and the kernel leaves them untouched."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.analytics.sweep import simulate_side_by_side, tile
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineSettings
from ava_backtest.runs import optimize
from ava_backtest.runs.events import client_event
from ava_backtest.runs.execute import run_backtest
from ava_backtest.runs.optimize import StudySpec, _Evaluator, run_study, search_space
from ava_backtest.strategies.registry import get_strategy

SMA = get_strategy("sma_crossover")
AAPL = RunConfig(strategy_name="sma_crossover", symbols=["AAPL"], start_date="2004-06-01")


def _plain(metrics: dict) -> dict:
    return client_event({"m": metrics})["m"]


def test_a_grid_over_two_chunk_widths_equals_the_single_runs(monkeypatch):
    monkeypatch.setattr(optimize, "GRID_BATCH", 256)  # 600 points: chunks of 256, 256 and 88
    space = search_space(SMA, {"fast_period": {"low": 5, "high": 34},
                               "slow_period": {"low": 40, "high": 59}})  # fmt: skip
    result = run_study(StudySpec(AAPL, space, sampler="grid", n_trials=10_000))
    assert len(result.trials) == 600
    complete = [t for t in result.trials if t.state == "complete"]
    assert len(complete) > 500
    # First and last of each chunk, and a few inside.
    for number in (0, 1, 255, 256, 300, 511, 512, 550, 599):
        t = result.trials[number]
        single = run_backtest(AAPL.model_copy(update={"params": t.params}))
        mine, theirs = _plain(t.metrics), _plain(single.metrics)
        shared = mine.keys() & theirs.keys()
        assert len(shared) > 20
        assert {k: mine[k] for k in shared} == {k: theirs[k] for k in shared}, t.params


def test_tiled_blocks_are_made_once_per_width_and_left_untouched():
    evaluator = _Evaluator(AAPL, None)
    grid = [{"fast_period": f, "slow_period": 50} for f in range(5, 25)]
    first = evaluator.evaluate(grid)
    run_panel = next(iter(evaluator._panels.values()))[3]
    (wide,) = evaluator._wide.values()
    before = wide.trade_close.copy()
    assert wide.trade_close.flags.c_contiguous and wide.trade_close.shape[1] == len(grid)
    again = evaluator.evaluate(grid)
    assert list(evaluator._wide.values()) == [wide]  # reused, not rebuilt
    np.testing.assert_array_equal(wide.trade_close, before)  # the kernel never writes it
    np.testing.assert_array_equal(wide.trade_close[:, 7], run_panel.trade_close[:, 0])
    for a, b in zip(first, again, strict=True):
        assert not isinstance(a, str) and not isinstance(b, str)
        assert _plain(a[0]) == _plain(b[0])
        np.testing.assert_array_equal(a[1], b[1])
    # Shipped to a Dask worker: the panels go along, the tiles are rebuilt there.
    import pickle

    assert pickle.loads(pickle.dumps(evaluator))._wide == {}


def test_a_wide_panel_of_the_wrong_width_is_refused():
    evaluator = _Evaluator(AAPL, None)
    evaluator.evaluate([{"fast_period": 10, "slow_period": 50}])
    run_panel = next(iter(evaluator._panels.values()))[3]
    parts = [Signals.empty((run_panel.bars.n_bars, 1)) for _ in range(2)]
    settings = EngineSettings(initial_cash=1000.0)
    with pytest.raises(ValueError, match="wide panel has shape"):
        simulate_side_by_side(
            run_panel, parts, settings, ("a", "b"), wide=tile(run_panel, 3, materialize=True)
        )
