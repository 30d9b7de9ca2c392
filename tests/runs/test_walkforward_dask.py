"""The same walk-forward on a real two-process Dask LocalCluster gives exactly the local result:
each window's chosen parameters and in-sample values, the stitched out-of-sample equity and
trades, the efficiency and the hindsight curve; windows stream back as they finish."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.cluster import LocalRunner, job_runner
from ava_backtest.runs.walkforward import make_spec, run_walkforward

RANGES = {"fast_period": {"low": 5, "high": 40, "step": 5},
          "slow_period": {"low": 20, "high": 120, "step": 20}}  # fmt: skip


def _same(a, b) -> None:
    assert [w.params for w in a.windows] == [w.params for w in b.windows]
    assert [w.is_value for w in a.windows] == [w.is_value for w in b.windows]
    assert [w.oos_metrics for w in a.windows] == [w.oos_metrics for w in b.windows]
    np.testing.assert_array_equal(a.dates, b.dates)
    np.testing.assert_array_equal(a.equity, b.equity)
    assert a.trades.equals(b.trades)
    assert a.oos_metrics == b.oos_metrics
    assert a.efficiency == b.efficiency and a.efficiency_sharpe == b.efficiency_sharpe
    assert a.overfitting == b.overfitting
    assert a.hindsight == b.hindsight


def test_walk_forward_on_dask_equals_local(dask_address):
    cfg = RunConfig(strategy_name="sma_crossover", symbols=["GOOG"], costs={"model": "none"})
    spec = make_spec(cfg, RANGES, folds=6)
    seen: list[tuple[str, int]] = []
    remote = run_walkforward(spec, runner=job_runner(dask_address),
                             on_window=lambda o, d, n: seen.append((o.kind, o.index)))  # fmt: skip
    local = run_walkforward(spec, runner=LocalRunner())
    _same(remote, local)
    assert remote.runner.startswith("dask ") and local.runner == "local"
    assert sorted(seen) == [("hindsight", 6)] + [("window", i) for i in range(6)]


def test_carry_over_on_several_symbols_on_dask_equals_local(dask_address):
    cfg = RunConfig(strategy_name="sma_crossover", symbols=["AAPL", "MSFT"],
                    start_date="2005-01-01", end_date="2012-12-31")  # fmt: skip
    spec = make_spec(cfg, RANGES, is_sessions=500, oos_sessions=250, carry_over=True)
    _same(run_walkforward(spec, runner=job_runner(dask_address)),
          run_walkforward(spec, runner=LocalRunner()))  # fmt: skip
