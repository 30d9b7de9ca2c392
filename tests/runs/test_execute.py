"""A backtest end to end through ``run_backtest``: data, warm-up, costs, labels, reproducibility."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ava_backtest.analytics.sweep import sweep
from ava_backtest.data import get_symbol
from ava_backtest.data.panel import load_panel_with_info, reference_close
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import (
    AvaError,
    ConfigError,
    DataError,
    NotFoundError,
    ParameterError,
)
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineSettings
from ava_backtest.runs.execute import run_backtest, validate_run
from ava_backtest.strategies import Float, Strategy, register, registry
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
    with pytest.raises(DataError) as e:
        run_backtest(_cfg(symbols=["AAPL"], start_date="2020-01-01"))
    assert e.value.field == "start_date"  # the dates are at fault, not the symbol
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


# Benchmark: an explicit choice ("none", a symbol, or the default), rebased where both exist, and
# every benchmark-relative figure with its window.

GSPC = get_symbol("US", "GSPC")


@pytest.mark.parametrize("start", ["2019-01-01", "2020-01-01"])
def test_a_default_benchmark_without_data_in_the_run_is_a_note_never_an_error(start):
    # GSPC ends 2018-12-31. From 2019 the warm-up still reaches into 2018 (benchmark bars in the
    # warm-up only); from 2020 not even that (no benchmark bar loaded at all).
    assert GSPC.last < dt.date.fromisoformat(start)
    r = run_backtest(_cfg(symbols=["NVDA"], start_date=start, end_date="2024-12-31"))
    assert r.benchmark is None and r.to_dict()["equity_curve"][0].get("benchmark") is None
    assert [n for n in r.notes if "GSPC" in n] == [
        n for n in r.notes if n.startswith("no benchmark: the default GSPC")
    ]
    assert len([n for n in r.notes if "GSPC" in n]) == 1
    assert r.metrics["benchmark_return"] is None and r.metrics["beta"] is None
    assert r.metrics["benchmark_start"] is None and r.metrics["benchmark_end"] is None
    assert r.trades.height > 0


def test_benchmark_none_runs_without_one_and_a_named_one_must_cover_the_run():
    free = run_backtest(_cfg(symbols=["AAPL"], benchmark="none"))
    assert free.benchmark is None
    assert not any("benchmark" in n for n in free.notes)
    assert free.metrics["beta"] is None and free.metrics["benchmark_start"] is None
    with_default = run_backtest(_cfg(symbols=["AAPL"]))
    np.testing.assert_array_equal(free.equity, with_default.equity)
    assert with_default.metrics["beta"] is not None

    for start in ("2019-01-01", "2020-01-01"):
        with pytest.raises(DataError) as e:
            run_backtest(_cfg(symbols=["NVDA"], start_date=start, benchmark="GSPC"))
        assert e.value.field == "benchmark"
    with pytest.raises(NotFoundError) as e:
        run_backtest(_cfg(symbols=["AAPL"], benchmark="NOPE"))
    assert e.value.field == "benchmark"


def test_benchmark_curve_starts_on_the_strategy_equity_where_both_first_exist():
    # AMZN from 1997, GSPC from 1999: by GSPC's first bar the strategy has moved off its capital.
    r = run_backtest(_cfg(symbols=["AMZN"], end_date="2005-12-30"))
    assert r.benchmark is not None
    k = int(np.flatnonzero(np.isfinite(r.benchmark))[0])
    assert r.dates[k] == np.datetime64(GSPC.first) and k > 0
    assert np.isnan(r.benchmark[:k]).all()
    assert abs(r.equity[k] / r.config.initial_capital - 1) > 0.05  # else the test proves nothing
    assert r.benchmark[k] == pytest.approx(r.equity[k], rel=1e-12)
    gspc = reference_close("US", "GSPC", r.dates)
    np.testing.assert_allclose(r.benchmark[k:] / r.benchmark[k], gspc[k:] / gspc[k], rtol=1e-12)


def test_benchmark_metrics_state_the_window_they_cover():
    # AMZN runs 1997-05 .. 2020-07, GSPC 1999-01 .. 2018-12: the figures cover GSPC's part only.
    r = run_backtest(_cfg(symbols=["AMZN"]))
    assert r.benchmark is not None
    have = np.flatnonzero(np.isfinite(r.benchmark))
    assert r.metrics["benchmark_start"] == GSPC.first.isoformat()
    assert r.metrics["benchmark_end"] == GSPC.last.isoformat()
    assert r.metrics["benchmark_bars"] == have.size < len(r.dates)
    window = f"cover {GSPC.first} .. {GSPC.last} ({have.size} of {len(r.dates)} bars)"
    assert any(window in n for n in r.notes), r.notes
    # benchmark_return is GSPC's own return over exactly that window.
    gspc = reference_close("US", "GSPC", r.dates)
    assert r.metrics["benchmark_return"] == pytest.approx(gspc[have[-1]] / gspc[have[0]] - 1)
    assert r.to_dict()["metrics"]["benchmark_start"] == GSPC.first.isoformat()


# Silent substitutions and request-time errors: refused naming the field, before any trading.


@pytest.fixture
def stop_strategy():
    @register
    class FixedStop(Strategy):
        name = "test_fixed_stop"
        parameters = {"stop": Float(0.05, 0.0, 0.5, "stop distance as a fraction; 0 = none")}

        def signals(self, bars):
            s = Signals.empty(bars.close.shape)
            s.long_entry[0] = True  # enter at the second open, hold to the end
            if self.stop > 0:
                s.stop_loss = np.full(bars.close.shape, self.stop)
            return s

    yield FixedStop
    registry.reload_plugins()


def test_risk_sizing_without_a_stop_is_refused_not_run_as_equal_slots(stop_strategy):
    with pytest.raises(ConfigError) as e:
        run_backtest(_cfg(symbols=["AAPL"], sizing={"mode": "risk", "value": 0.01}))
    assert e.value.field == "sizing.mode" and "stop" in e.value.message
    cfg = {"strategy_name": "test_fixed_stop", "symbols": ["AAPL"], "costs": {"model": "none"}}
    with pytest.raises(ConfigError) as e:
        validate_run(
            RunConfig.model_validate(
                {**cfg, "params": {"stop": 0.0}, "sizing": {"mode": "risk", "value": 0.01}}
            )
        )
    assert e.value.field == "sizing.mode"
    # With a stop, risk sizing risks value x equity over the stop distance: 1% / 5% = 20%.
    r = run_backtest(RunConfig.model_validate({**cfg, "sizing": {"mode": "risk", "value": 0.01}}))
    first = r.fills.row(0, named=True)
    assert first["qty"] * first["price"] / r.config.initial_capital == pytest.approx(0.2, abs=0.01)


def test_request_time_errors_are_refused_before_the_data_is_used():
    for patch, field in [
        ({"costs": {"exchange": "LSE"}}, "costs.exchange"),
        ({"sizing": {"mode": "target_weight"}}, "sizing.mode"),
        ({"sizing": {"mode": "risk", "value": 0.01}}, "sizing.mode"),
        ({"start_date": "2030-01-01"}, "start_date"),
        ({"end_date": "1990-01-01"}, "end_date"),
    ]:
        cfg = _cfg(symbols=["AAPL", "MSFT"], **patch)
        for check in (validate_run, run_backtest):
            with pytest.raises(AvaError) as e:
                check(cfg)
            assert e.value.field == field, (patch, check.__name__, str(e.value))
    assert isinstance(validate_run(_cfg(symbols=["AAPL"])), Strategy)


def test_dates_past_the_timestamp_range_are_refused_by_the_loader_too():
    # 9999-01-01 as nanoseconds wraps to 1815: the whole history would run.
    for start, end, field in [
        (dt.date(9999, 1, 1), None, "start_date"),
        (None, "9999-12-31", "end_date"),
    ]:
        with pytest.raises(ConfigError) as e:
            load_panel_with_info("US", ["AAPL"], start, end)
        assert e.value.field == field


def test_a_strategy_that_needs_a_benchmark_is_refused_at_create_when_told_none():
    assert "benchmark" in get_strategy("dual_momentum").requires
    cfg = RunConfig(strategy_name="dual_momentum", universe="us_sample", benchmark="none")
    for check in (validate_run, run_backtest):
        with pytest.raises(DataError) as e:
            check(cfg)
        assert e.value.field == "benchmark"


def test_risk_sizing_says_how_many_entries_had_no_stop(stop_strategy):
    @register
    class GappyStop(Strategy):
        name = "test_gappy_stop"

        def signals(self, bars):
            s = Signals.empty(bars.close.shape)
            s.long_entry[::20] = True
            s.long_exit[10::20] = True
            stop = np.full(bars.close.shape, 0.05)
            stop[::40] = np.nan  # every other entry has no stop
            s.stop_loss = stop
            return s

    risk = {"mode": "risk", "value": 0.01}
    r = run_backtest(RunConfig(strategy_name="test_gappy_stop", symbols=["AAPL"], sizing=risk))
    n = len(r.dates)
    entries, unstopped = len(range(0, n, 20)), len(range(0, n, 40))
    assert [x for x in r.notes if x.startswith("sizing=risk")] == [
        f"sizing=risk: {unstopped} of {entries} entry signals carry no stop; an entry without one "
        "is sized with all the buying power left"
    ]
    full = run_backtest(RunConfig(strategy_name="test_fixed_stop", symbols=["AAPL"], sizing=risk))
    assert not any(x.startswith("sizing=risk") for x in full.notes)
