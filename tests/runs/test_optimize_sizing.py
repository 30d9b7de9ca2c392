"""A study of a sizing-overlay strategy: trials that differ in their sizing options (parameters
of the strategy) are each exactly their single run, never the first trial's sizing for all."""

from __future__ import annotations

import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest
from ava_backtest.runs.optimize import _Evaluator


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("tv_kelly_criterion_position_sizing", [{"kelly_multiplier": m} for m in (0.1, 0.5, 1.0)]),
        ("sma_crossover", [{"fast_period": f} for f in (10, 20)]),
    ],
)
def test_trials_with_their_own_sizing_are_their_single_runs(name, params):
    config = RunConfig(
        strategy_name=name,
        symbols=["GOOG"],
        costs={"model": "none"},
        params={"min_trades": 5} if name.startswith("tv_kelly") else {},
        sizing={} if name.startswith("tv_kelly") else {"mode": "kelly", "kelly": {"min_trades": 5}},
    )
    results = _Evaluator(config, None).evaluate(params)
    returns = set()
    for p, result in zip(params, results, strict=True):
        assert not isinstance(result, str), result
        single = run_backtest(config.model_copy(update={"params": {**config.params, **p}}))
        assert result[0]["total_return"] == pytest.approx(single.metrics["total_return"], rel=1e-12)
        assert result[0]["trade_count"] == single.metrics["trade_count"]
        returns.add(round(single.metrics["total_return"], 9))
    assert len(returns) == len(params)  # the sizing (or the signal) really differs
