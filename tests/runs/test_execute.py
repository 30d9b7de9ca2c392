"""A backtest end to end through ``run_backtest``: data, warm-up, costs, labels, reproducibility."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ava_backtest.analytics.sweep import sweep
from ava_backtest.data.panel import load_panel_with_info
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError, DataError, NotFoundError, ParameterError
from ava_backtest.engine.backtest import EngineSettings
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import get_strategy


def _cfg(**kw) -> RunConfig:
    base = {"strategy_name": "sma_crossover", "params": {"fast_period": 10, "slow_period": 30}}
    return RunConfig.model_validate({**base, **kw})


def test_same_inputs_give_bit_identical_results():
    a = run_backtest(_cfg(universe="us_sample"))
    b = run_backtest(_cfg(universe="us_sample"))
    assert a.trades.equals(b.trades)
    assert np.array_equal(a.equity, b.equity)
    assert a.data_fingerprint == b.data_fingerprint and len(a.data_fingerprint) >= 8
    assert a.metrics == b.metrics


def test_warmup_loads_history_but_trading_starts_at_start_date():
    r = run_backtest(_cfg(symbols=["AAPL"], start_date="2005-01-03", end_date="2008-12-31"))
    assert str(r.dates[0])[:10] == "2005-01-03"
    assert r.effective_start == dt.date(2005, 1, 3)
    assert r.trades["entry_time"].min() >= dt.datetime(2005, 1, 3)
    # With the warm-up loaded, a cross on the very first sessions can already be traded: the
    # signals match those of the full history from the start date on.
    full = run_backtest(_cfg(symbols=["AAPL"]))
    first_full = full.trades.filter(full.trades["entry_time"] >= dt.datetime(2005, 1, 3))[
        "entry_time"
    ][0]
    assert r.trades["entry_time"][0] == first_full


def test_costs_are_charged_and_itemised_per_market():
    us = run_backtest(_cfg(symbols=["MSFT"]))
    assert us.trades["fees"].sum() > 0
    # total_fees covers closed trades; the fills also hold the open position's entry fee.
    assert us.metrics["total_fees"] == pytest.approx(us.trades["fees"].sum())
    open_fees = us.fills["fees"].sum() - us.trades["fees"].sum()
    assert 0 <= open_fees < 100
    free = run_backtest(_cfg(symbols=["MSFT"], costs={"model": "none"}))
    assert free.fills["fees"].sum() == 0
    assert free.equity[-1] > us.equity[-1]


def test_synthetic_india_universe_is_labelled_and_costed_in_inr():
    r = run_backtest(
        _cfg(
            market="IN",
            universe="in_sample_synthetic",
            start_date="2015-01-01",
            end_date="2018-12-31",
        )
    )
    assert r.synthetic is True
    assert r.currency == "INR"
    assert any("synthetic" in n for n in r.notes)
    assert r.to_dict()["synthetic"] is True
    assert r.trades.height > 50


def test_splits_do_not_look_like_crashes_and_positions_follow_them():
    """AAPL splits 2:1 on 2005-02-28; held through it, quantity doubles and equity is continuous."""
    r = run_backtest(
        _cfg(
            symbols=["AAPL"],
            start_date="2004-06-01",
            end_date="2005-06-30",
            costs={"model": "none"},
        )
    )
    split_day = np.flatnonzero(r.dates == np.datetime64("2005-02-28"))[0]
    held = r.trades.filter((r.trades["entry_bar"] < split_day) & (r.trades["exit_bar"] > split_day))
    assert held.height == 1, "sma(10, 30) holds AAPL through its 2005 split"
    # Entry price is restated per post-split share, so the trade's P&L is the real one.
    trade = held.row(0, named=True)
    assert trade["exit_price"] / trade["entry_price"] < 1.6
    day_change = r.equity[split_day] / r.equity[split_day - 1] - 1
    assert abs(day_change) < 0.1


def test_bad_config_errors_name_the_field():
    with pytest.raises(NotFoundError) as e:
        run_backtest(_cfg(universe="nope"))
    assert e.value.field == "universe"
    with pytest.raises(ParameterError) as e:
        run_backtest(_cfg(symbols=["AAPL"], params={"fast_period": 500}))
    assert e.value.field == "params.fast_period"
    with pytest.raises(DataError):
        run_backtest(_cfg(symbols=["AAPL"], start_date="2020-01-01"))
    with pytest.raises(ConfigError) as e:
        run_backtest(_cfg(market="IN", universe="us_sample"))
    assert e.value.field == "market"


def test_sweep_gives_exactly_what_single_runs_give():
    panel, _ = load_panel_with_info("US", ["GOOG"], None, None)
    grid = [{"fast_period": f, "slow_period": s} for f in (5, 10, 20) for s in (30, 50)]
    settings = EngineSettings(initial_cash=100_000)
    params, res = sweep(get_strategy("sma_crossover"), grid, panel, settings)
    assert params == grid
    for j, p in enumerate(grid):
        single = run_backtest(_cfg(symbols=["GOOG"], params=p, costs={"model": "none"}))
        np.testing.assert_array_equal(res.equity[:, j], single.equity)
        mine = res.trades.filter(res.trades["account"] == j)
        np.testing.assert_array_equal(
            mine["exit_price"].to_numpy(), single.trades["exit_price"].to_numpy()
        )
