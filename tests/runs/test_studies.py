"""The study request and what the service derives from stored trials."""

from __future__ import annotations

import random

import pytest

from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs.studies import OptimizationRequest, param_importance, spec_from_request

BODY = {"strategy_name": "sma_crossover", "symbols": ["GOOG"], "sampler": "random"}


def _trials(value) -> list[dict]:
    rng = random.Random(3)
    out = []
    for n in range(80):
        p = {"fast_period": rng.randint(5, 100), "slow_period": rng.randint(10, 300)}
        out.append({"number": n, "params": p, "state": "complete", "values": [value(p)]})
    return out


def test_importance_finds_the_parameter_the_objective_depends_on():
    only_fast = param_importance(BODY, _trials(lambda p: -((p["fast_period"] - 40) ** 2)))
    assert list(only_fast) == ["fast_period", "slow_period"] and only_fast["fast_period"] > 0.8
    only_slow = param_importance(BODY, _trials(lambda p: float(p["slow_period"])))
    assert only_slow["slow_period"] > 0.8
    assert sum(only_slow.values()) == pytest.approx(1.0)


def test_importance_needs_complete_trials_and_a_real_objective():
    with pytest.raises(ConfigError) as err:
        param_importance(BODY, _trials(lambda p: 1.0)[:1])
    assert err.value.field == "trials"
    with pytest.raises(ConfigError) as err:
        param_importance(BODY, _trials(lambda p: 1.0), objective=1)
    assert err.value.field == "objective"


def test_trial_count_defaults_to_100_or_the_whole_grid():
    assert spec_from_request(OptimizationRequest.model_validate(BODY)).n_trials == 100
    grid = {**BODY, "sampler": "grid",
            "param_ranges": {"fast_period": {"low": 5, "high": 50, "step": 5}}}  # fmt: skip
    assert spec_from_request(OptimizationRequest.model_validate(grid)).n_trials == 10
