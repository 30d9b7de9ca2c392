"""A grid batch's metrics, measured for every account at once, are what each account's own
``portfolio_metrics`` gives: every key, every value."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.analytics.sweep import simulate_side_by_side
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import _slice_signals, engine_settings, portfolio_metrics
from ava_backtest.runs.optimize import _Evaluator, measure_accounts
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

SMA = get_strategy("sma_crossover")


@pytest.mark.parametrize(
    "config",
    [
        RunConfig(strategy_name="sma_crossover", symbols=["GOOG"]),  # costs, SPY benchmark
        RunConfig(strategy_name="sma_crossover", symbols=["GOOG"], costs={"model": "none"},
                  risk_free_rate=0.03, leverage=3.0, sizing={"mode": "fraction", "value": 1.0}),
        RunConfig(strategy_name="sma_crossover", market="IN", symbols=["INSYN01"]),
    ],
)  # fmt: skip
def test_every_account_measures_as_it_would_alone(config):
    ev = _Evaluator(config, None)
    strategies = [SMA(fast_period=f, slow_period=s) for f in (5, 9, 20, 40) for s in (45, 100, 250)]
    _, info, bars, run_panel = ev._panel(strategies[0])
    parts = [_slice_signals(compute_signals(s, bars), info.first_index) for s in strategies]
    settings = engine_settings(config, 1, False)
    res = simulate_side_by_side(run_panel, parts, settings, tuple(map(str, range(len(parts)))))
    measured = measure_accounts(res, run_panel, config)
    by_account = res.trades.partition_by("account", as_dict=True)
    traded = 0
    for j, (metrics, returns) in enumerate(measured):
        trades = by_account.get((j,), res.trades.clear())
        ref, equity, *_ = portfolio_metrics(res, trades, run_panel, config, [j])
        assert metrics == ref, j
        assert returns[1:].tolist() == (equity[1:] / equity[:-1] - 1.0).tolist()
        traded += ref["trade_count"] > 0
    assert traded >= 10


@pytest.mark.parametrize("directions", [("maximize",), ("maximize", "minimize")])
def test_pareto_front_is_the_undominated_trials(directions):
    from ava_backtest.runs.optimize import StudySpec, TrialRecord, _best, search_space

    rng = np.random.default_rng(5)
    config = RunConfig(strategy_name="sma_crossover", symbols=["GOOG"])
    objectives = [(m, d) for m, d in zip(("sharpe", "max_drawdown"), directions, strict=False)]
    spec = StudySpec(config, search_space(SMA, None), objectives=objectives)  # type: ignore[arg-type]
    values = np.round(rng.normal(0, 1, (1300, len(directions))), 1)  # many ties
    trials = [TrialRecord(i, {}, "complete", v.tolist(), {}, 0.0) for i, v in enumerate(values)]
    _, front = _best(spec, trials)
    signed = values * [1.0 if d == "maximize" else -1.0 for d in directions]
    want = [
        i for i, v in enumerate(signed) if not any((w >= v).all() and (w > v).any() for w in signed)
    ]
    assert front == want and len(want) >= 1


@pytest.mark.parametrize("name", ["sma_crossover", "ema_crossover"])
def test_a_grid_from_sweep_signals_equals_the_grid_from_each_trials_signals(name, monkeypatch):
    # with a start date (warm-up groups) and costs: every trial's metrics and returns are the
    # same whether the class's sweep_signals gives the grid's signals or each trial's own do
    import datetime as dt

    from ava_backtest.runs.optimize import StudySpec, run_study, search_space

    cls = get_strategy(name)
    config = RunConfig(
        strategy_name=name, symbols=["MSFT"], start_date=dt.date(2006, 1, 1),
        end_date=dt.date(2012, 12, 31),
    )  # fmt: skip
    ranges = {
        "fast_period": {"low": 5, "high": 30, "step": 5},
        "slow_period": {"low": 35, "high": 95, "step": 6},
    }
    spec = StudySpec(config, search_space(cls, ranges), sampler="grid", n_trials=1000)
    offered = run_study(spec)
    monkeypatch.setattr(cls, "sweep_signals", classmethod(lambda c, bars, strategies: None))
    alone = run_study(spec)
    assert len(offered.trials) == len(alone.trials) >= 60
    for a, b in zip(offered.trials, alone.trials, strict=True):
        assert (a.params, a.state, a.metrics) == (b.params, b.state, b.metrics)
    np.testing.assert_array_equal(offered.returns, alone.returns)
    assert sum(t.metrics.get("trade_count", 0) > 0 for t in offered.trials) >= 30


def test_column_blocks_simulated_in_threads_give_the_one_call_study(monkeypatch):
    # the accounts of a chunk simulated as column blocks in threads (uneven blocks here) and
    # measured block by block: every trial's metrics and returns as from one kernel call
    from ava_backtest.runs import optimize
    from ava_backtest.runs.optimize import StudySpec, run_study, search_space

    config = RunConfig(strategy_name="sma_crossover", symbols=["GOOG"])  # costs, SPY benchmark
    ranges = {
        "fast_period": {"low": 5, "high": 40, "step": 5},
        "slow_period": {"low": 45, "high": 200, "step": 5},
    }
    spec = StudySpec(config, search_space(SMA, ranges), sampler="grid", n_trials=1000)
    monkeypatch.setattr(optimize, "_column_blocks", lambda n: [(0, n)])
    one = run_study(spec)

    def three(n):
        return [(0, n // 5), (n // 5, n // 2), (n // 2, n)]

    monkeypatch.setattr(optimize, "_column_blocks", three)
    threaded = run_study(spec)
    assert len(one.trials) == len(threaded.trials) >= 200
    for a, b in zip(one.trials, threaded.trials, strict=True):
        assert (a.params, a.state, a.metrics) == (b.params, b.state, b.metrics)
    np.testing.assert_array_equal(one.returns, threaded.returns)


def test_column_blocks_one_per_numba_thread_and_none_under_the_minimum(monkeypatch):
    from ava_backtest.runs import optimize

    monkeypatch.setattr(optimize.nb, "get_num_threads", lambda: 2)
    assert optimize._column_blocks(1024) == [(0, 512), (512, 1024)]
    assert optimize._column_blocks(300) == [(0, 300)]  # two blocks would be under 256 each
    assert optimize._column_blocks(513) == [(0, 257), (257, 513)]
    monkeypatch.setattr(optimize.nb, "get_num_threads", lambda: 1)
    assert optimize._column_blocks(4096) == [(0, 4096)]
