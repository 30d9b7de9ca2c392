"""The same study on a real two-process Dask LocalCluster gives exactly the local trials, best
and return matrix: a grid (its points in chunks across the workers) and a TPE study (its fixed
ask/tell batches split across them), on one symbol and on several."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.cluster import job_runner
from ava_backtest.runs.optimize import StudyResult, StudySpec, run_study, search_space
from ava_backtest.strategies.registry import get_strategy

SMA = get_strategy("sma_crossover")
GOOG = RunConfig(strategy_name="sma_crossover", symbols=["GOOG"], costs={"model": "none"})
TWO = RunConfig(strategy_name="sma_crossover", symbols=["AAPL", "MSFT"], start_date="2005-01-01")


def _same(a: StudyResult, b: StudyResult) -> None:
    assert [t.number for t in a.trials] == [t.number for t in b.trials]
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.state for t in a.trials] == [t.state for t in b.trials]
    assert [t.values for t in a.trials] == [t.values for t in b.trials]
    assert [t.metrics for t in a.trials] == [t.metrics for t in b.trials]
    assert a.best is not None and b.best is not None
    assert (a.best.number, a.best.params, a.best.values) == (
        b.best.number, b.best.params, b.best.values,
    )  # fmt: skip
    assert a.matrix_trials == b.matrix_trials
    np.testing.assert_array_equal(a.returns, b.returns)
    np.testing.assert_array_equal(a.dates, b.dates)
    assert a.pareto == b.pareto


def test_grid_study_on_dask_equals_local(dask_address):
    space = search_space(SMA, {"fast_period": {"low": 5, "high": 40, "step": 5},
                               "slow_period": {"low": 20, "high": 120, "step": 20}})  # fmt: skip
    spec = StudySpec(GOOG, space, sampler="grid", n_trials=1000)
    seen: list[int] = []
    remote = run_study(
        spec, runner=job_runner(dask_address), on_trial=lambda r, d, n: seen.append(r.number)
    )
    local = run_study(spec)
    _same(remote, local)
    assert sorted(seen) == [t.number for t in local.trials]  # every trial streamed once
    assert any(t.state == "infeasible" for t in local.trials)  # fast >= slow points


def test_tpe_study_on_dask_equals_local(dask_address):
    spec = StudySpec(GOOG, search_space(SMA, None), sampler="tpe", n_trials=40, batch=8, seed=3)
    _same(run_study(spec, runner=job_runner(dask_address)), run_study(spec))


def test_several_symbols_with_a_start_date_on_dask_equal_local(dask_address):
    spec = StudySpec(TWO, search_space(SMA, None), sampler="random", n_trials=12, batch=6, seed=1)
    _same(run_study(spec, runner=job_runner(dask_address)), run_study(spec))


def test_a_stopped_grid_on_dask_keeps_what_finished(dask_address):
    space = search_space(SMA, {"fast_period": {"low": 5, "high": 40},
                               "slow_period": {"low": 50, "high": 60}})  # fmt: skip
    seen: list[int] = []
    result = run_study(
        StudySpec(GOOG, space, sampler="grid", n_trials=1000),
        runner=job_runner(dask_address),
        on_trial=lambda r, d, n: seen.append(r.number),
        should_stop=lambda: len(seen) > 0,
    )
    total = 36 * 11
    assert 0 < len(result.trials) < total
    assert sorted(t.number for t in result.trials) == sorted(seen)
