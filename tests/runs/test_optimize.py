"""Studies: the space comes from the strategy's own schema, trials are what single runs give, the
same seed gives the same study, and the overfitting panel tells noise from a planted edge."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError, ParameterError
from ava_backtest.runs.execute import run_backtest
from ava_backtest.runs.optimize import StudySpec, parse_range, run_study, search_space
from ava_backtest.strategies import Bars, Int, Signals, Strategy, registry
from ava_backtest.strategies.registry import get_strategy

SMA = get_strategy("sma_crossover")
GOOG = RunConfig(strategy_name="sma_crossover", symbols=["GOOG"], costs={"model": "none"})


def test_grid_trials_are_exactly_the_single_runs():
    space = search_space(SMA, {"fast_period": {"low": 10, "high": 30, "step": 10},
                               "slow_period": {"low": 40, "high": 60, "step": 20}})  # fmt: skip
    result = run_study(StudySpec(GOOG, space, sampler="grid", n_trials=100, batch=4))
    assert [t.params for t in result.trials] == [
        {"fast_period": f, "slow_period": s} for f in (10, 20, 30) for s in (40, 60)
    ]
    for t in result.trials:
        single = run_backtest(GOOG.model_copy(update={"params": t.params}))
        assert t.metrics["sharpe"] == single.metrics["sharpe"]
        assert t.metrics["trade_count"] == single.metrics["trade_count"]
    best = max(result.trials, key=lambda t: t.values[0])
    assert result.best is not None and result.best.number == best.number
    assert result.returns.shape == (len(result.dates), 6)


def test_constraints_come_from_the_strategy_and_infeasible_points_never_run():
    space = search_space(SMA, {"fast_period": {"choices": [20, 50]},
                               "slow_period": {"choices": [30, 60]}})  # fmt: skip
    result = run_study(StudySpec(GOOG, space, sampler="grid"))
    states = {(t.params["fast_period"], t.params["slow_period"]): t.state for t in result.trials}
    assert states[(50, 30)] == "infeasible" and states[(20, 60)] == "complete"
    assert "less than" in next(t.error for t in result.trials if t.state == "infeasible")


def test_a_grids_return_matrix_holds_each_complete_trial_in_order_around_the_others():
    # infeasible and too-few-trades points between complete ones: the matrix (filled in place,
    # then closed up over the rows of the trials that did not count) is each single run's returns
    space = search_space(SMA, {"fast_period": {"choices": [50, 20, 100]},
                               "slow_period": {"choices": [30, 60, 280]}})  # fmt: skip
    result = run_study(StudySpec(GOOG, space, sampler="grid", min_trades=6))
    states = [t.state for t in result.trials]
    assert states[0] == "infeasible" and "too_few_trades" in states
    complete = [t for t in result.trials if t.state == "complete"]
    assert len(complete) >= 2
    assert result.matrix_trials == [t.number for t in complete]
    assert result.returns.shape == (len(result.dates), len(complete))
    for k, t in enumerate(complete):
        eq = run_backtest(GOOG.model_copy(update={"params": t.params})).equity
        np.testing.assert_array_equal(result.returns[1:, k], eq[1:] / eq[:-1] - 1.0)
        assert result.returns[0, k] == 0.0


def test_same_seed_same_study_and_batches_do_not_change_it():
    def study(batch: int):
        space = search_space(SMA, None)
        return run_study(StudySpec(GOOG, space, sampler="tpe", n_trials=24, batch=batch, seed=5))

    a, b = study(8), study(8)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert a.best.params == b.best.params and a.best.values == b.best.values


@pytest.mark.parametrize(
    ("ranges", "field"),
    [
        ({"fast_period": {"low": 1, "high": 50}}, "param_ranges.fast_period"),  # below its bound
        ({"fast_period": {"low": 5, "high": 500}}, "param_ranges.fast_period"),
        ({"nope": {"low": 1, "high": 2}}, "param_ranges.nope"),
        ({"fast_period": {"low": 30, "high": 10}}, "param_ranges.fast_period"),
    ],
)
def test_bad_ranges_name_the_parameter(ranges, field):
    with pytest.raises(ParameterError) as err:
        search_space(SMA, ranges)
    assert err.value.field == field


def test_bad_studies_are_refused_naming_the_field():
    space = search_space(SMA, None)
    for spec, field in (
        (StudySpec(GOOG, space, objectives=[("nope", "maximize")]), "objective"),
        (StudySpec(GOOG, space, n_trials=0), "n_trials"),
        (StudySpec(GOOG, space, sampler="grid", grid_limit=1000), "param_ranges"),
        (StudySpec(GOOG, space, sampler="anneal"), "sampler"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ConfigError) as err:
            spec.check()
        assert err.value.field == field


def test_parse_range_reads_the_cli_forms():
    assert parse_range("fast_period=5:50") == ("fast_period", {"low": 5.0, "high": 50.0})
    assert parse_range("n=5:50:5")[1]["step"] == 5.0
    assert parse_range("mode=a,b")[1] == {"choices": ["a", "b"]}
    with pytest.raises(ParameterError):
        parse_range("fast_period")


@pytest.fixture
def noise_and_oracle():
    class Noise(Strategy):
        """Random long and short entries and exits (no edge either way), seeded by ``seed``; the
        seed ``oracle`` is told tomorrow's close instead."""

        name = "test_noise_oracle"
        direction = "long_short"
        seed = Int(0, 0, 239, "random stream")
        oracle = Int(-1, -1, 239, "the seed that sees tomorrow (-1: none)")

        def signals(self, bars: Bars) -> Signals:
            rng = np.random.default_rng(self.seed)
            u = rng.random(bars.close.shape)
            x = rng.random(bars.close.shape) < 0.2
            if self.seed == self.oracle:  # a planted edge: buy before up days, sell before down
                nxt = np.roll(bars.close, -1, axis=0)
                return Signals(long_entry=nxt > bars.close * 1.01, long_exit=nxt < bars.close)
            return Signals(long_entry=u < 0.05, short_entry=u > 0.95, long_exit=x, short_exit=x)

    yield Noise
    registry.reload_plugins()


def _noise_study(strategy, first_seed: int, oracle: int):
    cfg = RunConfig(strategy_name="test_noise_oracle", symbols=["IBM"], params={"oracle": oracle},
                    costs={"model": "none"})  # fmt: skip
    space = search_space(strategy, {"seed": {"low": first_seed, "high": first_seed + 59}})
    return run_study(StudySpec(cfg, space, sampler="grid", n_trials=60, batch=60))


def test_overfitting_panel_reads_noise_as_luck(noise_and_oracle):
    # One noise matrix gives a PBO anywhere in 0.1..0.9 (its splits are not independent): the
    # mean of four independent studies is what must sit near 0.5.
    studies = [_noise_study(noise_and_oracle, k * 60, -1).overfitting for k in range(4)]
    assert all(o is not None and o.n_trials == 60 for o in studies)
    assert 0.3 < float(np.mean([o.pbo for o in studies])) < 0.7
    # The best of 60 edgeless trials reaches about what luck predicts (SR0): its DSR sits near
    # 0.5 and never claims skill.
    assert float(np.mean([o.dsr for o in studies])) < 0.7 and max(o.dsr for o in studies) < 0.95


def test_overfitting_panel_reads_a_planted_edge_as_skill(noise_and_oracle):
    result = _noise_study(noise_and_oracle, 0, 30)
    o = result.overfitting
    assert result.best.params == {"seed": 30}
    assert o.pbo < 0.05 and o.dsr > 0.95 and o.verdict in ("low", "moderate")


def test_a_hold_out_judges_the_in_sample_winner():
    cfg = RunConfig.model_validate(
        {**GOOG.model_dump(), "start_date": "2005-01-03", "end_date": "2012-12-31"}
    )
    space = search_space(SMA, {"fast_period": {"low": 10, "high": 30, "step": 10}})
    import datetime as dt

    spec = StudySpec(cfg, space, sampler="grid", holdout_start=dt.date(2011, 1, 3))
    result = run_study(spec)
    assert str(result.dates[-1])[:10] < "2011-01-03"  # optimised on the in-sample part only
    h = result.holdout
    assert h is not None and h["start"] == "2011-01-03"
    assert h["degradation"] == pytest.approx(h["out_of_sample"] / h["in_sample"])


def test_a_strategys_own_risk_rule_applies_to_each_trial():
    # tv_drawdown_circuit_breaker's breaker comes from its parameters: trials that differ in it
    # must each run with their own, exactly as their single runs do.
    cfg = RunConfig(strategy_name="tv_drawdown_circuit_breaker", symbols=["NVDA"],
                    costs={"model": "none"})  # fmt: skip
    cls = get_strategy("tv_drawdown_circuit_breaker")
    space = search_space(cls, {"max_drawdown": {"choices": [0.05, 0.3]}})
    result = run_study(StudySpec(cfg, space, sampler="grid"))
    sharpes = []
    for t in result.trials:
        single = run_backtest(cfg.model_copy(update={"params": t.params}))
        assert t.metrics["sharpe"] == single.metrics["sharpe"], t.params
        sharpes.append(t.metrics["sharpe"])
    assert sharpes[0] != sharpes[1]  # the rule really differs between the two


def test_a_grid_pauses_the_collector_and_turns_it_back_on_even_after_an_error(monkeypatch):
    import gc

    from ava_backtest.runs import optimize

    seen = []
    real = optimize._run_grid

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(optimize, "_run_grid", spy)
    space = search_space(SMA, {"fast_period": {"choices": [10]}, "slow_period": {"choices": [40]}})
    run_study(StudySpec(GOOG, space, sampler="grid"))
    assert seen == [False] and gc.isenabled()

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(optimize, "_run_grid", boom)
    with pytest.raises(RuntimeError, match="boom"):
        run_study(StudySpec(GOOG, space, sampler="grid"))
    assert gc.isenabled()
    gc.disable()
    try:
        with optimize.collector_paused():
            pass
        assert not gc.isenabled()  # an outer pause is left to its owner
    finally:
        gc.enable()
