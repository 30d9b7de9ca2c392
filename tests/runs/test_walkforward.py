"""Walk-forward analysis: window plans, a planted regime change, and the stitched record's
causality (a prefix of the data gives a prefix of the record)."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from ava_backtest.data.user_store import delete_user_bars, save_user_bars
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.markets import get_market
from ava_backtest.runs.cluster import JobStopped, LocalRunner
from ava_backtest.runs.walkforward import (
    default_grid,
    make_spec,
    plan_windows,
    run_walkforward,
)
from ava_backtest.strategies import Bars, Int, Signals, Strategy, registry
from ava_backtest.strategies.registry import get_strategy

N = 1000
PEAK = 500


def _regime_frame(n: int = N) -> pl.DataFrame:
    """Up 0.2% a session (with noise) until the peak, then down 0.2% a session."""
    dates = get_market("US").sessions("2010-01-04", "2016-12-30")[:n]
    rng = np.random.default_rng(7)
    drift = np.where(np.arange(n) < PEAK, 0.002, -0.002)
    close = 100 * np.exp(np.cumsum(drift + rng.normal(0, 0.004, n)))
    open_ = close * np.exp(rng.normal(0, 0.001, n))
    return pl.DataFrame({
        "date": pl.Series(dates).cast(pl.Date), "open": open_,
        "high": np.maximum(open_, close) * 1.002, "low": np.minimum(open_, close) * 0.998,
        "close": close, "volume": np.full(n, 1e6),
    })  # fmt: skip


@pytest.fixture(scope="module")
def regime():
    """Two symbols: the series, and the same series cut at session 700."""
    frame = _regime_frame()
    save_user_bars("US", "WFREGIME", frame, "regime.csv")
    save_user_bars("US", "WFREGCUT", frame.head(700), "regime-cut.csv")

    class Side(Strategy):
        """Always long (side 0) or always short (side 1)."""

        name = "test_wf_side"
        direction = "long_short"
        side = Int(0, 0, 1, "0 long, 1 short")

        def signals(self, bars: Bars) -> Signals:
            on = np.ones(bars.close.shape, dtype=bool)
            off = np.zeros(bars.close.shape, dtype=bool)
            if self.side == 0:
                return Signals(long_entry=on, long_exit=off, short_entry=off, short_exit=off)
            return Signals(long_entry=off, long_exit=off, short_entry=on, short_exit=off)

    yield Side
    registry.reload_plugins()
    delete_user_bars("US", "WFREGIME")
    delete_user_bars("US", "WFREGCUT")


def _cfg(symbol: str, strategy: str = "test_wf_side") -> RunConfig:
    return RunConfig(strategy_name=strategy, symbols=[symbol], costs={"model": "none"},
                     benchmark="none")  # fmt: skip


# An always-long position opened in sample is still open at its end: no closed trade, so the
# studies count trials without trades.
LENGTHS = {"is_sessions": 100, "oos_sessions": 50, "step": 50, "min_trades": 0}


def test_plan_rolling_and_anchored_in_sessions():
    p = plan_windows(1000, is_sessions=100, oos_sessions=50, gap=5)
    assert len(p.windows) == (1000 - 155) // 50 + 1
    w = p.windows[3]
    assert (w.is_start, w.is_end, w.oos_start, w.oos_end) == (150, 249, 255, 304)
    a = plan_windows(1000, mode="anchored", is_sessions=100, oos_sessions=50)
    assert all(x.is_start == 0 for x in a.windows)
    assert [x.is_end for x in a.windows[:3]] == [99, 149, 199]
    f = plan_windows(1000, folds=5)  # the out-of-sample spans tile the end of the data
    assert len(f.windows) == 5 and f.windows[-1].oos_end == 999
    oos = [(x.oos_start, x.oos_end) for x in f.windows]
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(oos))
    assert f.windows[0].is_end - f.windows[0].is_start + 1 == f.is_sessions


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"is_sessions": 900, "oos_sessions": 200}, "is_sessions"),  # longer than the data
        ({"is_sessions": 100, "oos_sessions": 0}, "oos_sessions"),  # zero-length OOS
        ({"is_sessions": 100, "oos_sessions": 50, "step": 0}, "step"),
        ({"is_sessions": 100, "oos_sessions": 50, "step": 20}, "step"),  # overlapping OOS
        ({"folds": 600}, "folds"),  # out-of-sample spans under 2 sessions
        ({"folds": 0}, "folds"),
        ({"is_sessions": 100, "oos_sessions": 50, "gap": -1}, "gap"),
        ({"mode": "sideways"}, "mode"),
    ],
)
def test_bad_plans_name_the_field(kwargs, field):
    with pytest.raises(ConfigError) as e:
        plan_windows(1000, **kwargs)
    assert e.value.field == field


def test_default_grid_is_a_few_values_from_the_bounds():
    grid = default_grid(get_strategy("sma_crossover"))
    assert grid == {"fast_period": {"choices": [5, 29, 52, 76, 100]},
                    "slow_period": {"choices": [10, 82, 155, 228, 300]}}  # fmt: skip


def test_planted_regime_change_flips_the_chosen_side_at_the_right_window(regime):
    spec = make_spec(_cfg("WFREGIME"), **LENGTHS)
    r = run_walkforward(spec, runner=LocalRunner())
    sides = [w.params["side"] for w in r.windows]
    # Window k's in-sample span is sessions 50k .. 50k+99: wholly before the peak up to k = 8,
    # wholly after it from k = 10 (k = 9 straddles it, half up and half down).
    assert sides[:9] == [0] * 9 and sides[10:] == [1] * (len(sides) - 10)
    assert r.drift()["side"] == sides
    # Out of sample, the chosen side earns in each regime except where the regime turned.
    oos = [w.oos_metrics["total_return"] for w in r.windows]
    assert all(v > 0 for k, v in enumerate(oos) if k not in (7, 8, 9))
    # Each segment starts flat and ends flat: every trade lies inside one segment.
    t = r.trades
    bounds = np.cumsum([0] + [w.window.oos_len for w in r.windows])
    assert (t["entry_bar"].to_numpy() >= bounds[t["window"].to_numpy()]).all()
    assert (t["exit_bar"].to_numpy() < bounds[t["window"].to_numpy() + 1]).all()
    assert r.open_positions.height == 0
    # Always in the market, never an exit signal: every trade was closed by its segment's end,
    # and says so.
    assert set(t["exit_reason"]) == {"window_end"}
    assert (t["exit_bar"].to_numpy() == bounds[t["window"].to_numpy() + 1] - 1).all()
    # The stitched equity chains the segments: the capital carries from one to the next.
    capital = spec.config.initial_capital
    assert r.equity[0] == pytest.approx(capital, rel=0.02)
    assert r.oos_metrics["total_return"] == pytest.approx(r.equity[-1] / capital - 1)
    d = r.to_dict()
    assert {"windows", "oos_equity", "oos_metrics", "efficiency", "drift"} <= set(d)
    assert d["efficiency"] == pytest.approx(
        r.oos_metrics["cagr"] / np.mean([w.is_metrics["cagr"] for w in r.windows])
    )
    assert d["is_equity"] and d["hindsight"]["params"] is not None


def _same_prefix(full, cut):
    n = len(cut.equity)
    assert n > 0 and len(full.equity) > n
    assert (full.dates[:n] == cut.dates).all()
    np.testing.assert_array_equal(full.equity[:n], cut.equity)
    cols = [c for c in cut.trades.columns if c != "symbol"]
    head = full.trades.filter(pl.col("exit_bar") < n).select(cols)
    assert head.height == cut.trades.height
    assert head.equals(cut.trades.select(cols))
    assert [w.params for w in full.windows[: len(cut.windows)]] == [w.params for w in cut.windows]


def test_no_out_of_sample_trade_depends_on_a_later_bar(regime):
    # The data cut at session 700, rerun: the stitched record up to the cut is unchanged.
    full = run_walkforward(make_spec(_cfg("WFREGIME"), **LENGTHS), runner=LocalRunner())
    cut = run_walkforward(make_spec(_cfg("WFREGCUT"), **LENGTHS), runner=LocalRunner())
    _same_prefix(full, cut)
    # The same with indicators that need warm-up from before each segment (sma_crossover).
    ranges = {"fast_period": {"choices": [5, 10]}, "slow_period": {"choices": [20, 40]}}
    kw = {**LENGTHS, "hindsight": False}
    full = run_walkforward(make_spec(_cfg("WFREGIME", "sma_crossover"), ranges, **kw))
    cut = run_walkforward(make_spec(_cfg("WFREGCUT", "sma_crossover"), ranges, **kw))
    assert full.trades.height > 5
    _same_prefix(full, cut)


def test_carry_over_hands_positions_over_and_says_so(regime):
    spec = make_spec(_cfg("WFREGIME"), carry_over=True, hindsight=False, **LENGTHS)
    r = run_walkforward(spec, runner=LocalRunner())
    # Always-long windows hand their long over to the next always-long window.
    assert r.handover and r.handover[0]["window"] == 1 and r.handover[0]["direction"] == "long"
    assert any("carry-over" in n for n in r.notes)
    flat = run_walkforward(make_spec(_cfg("WFREGIME"), hindsight=False, **LENGTHS))
    assert r.trades.height < flat.trades.height  # fewer round trips: positions carried
    with pytest.raises(ConfigError) as e:
        run_walkforward(make_spec(_cfg("WFREGIME"), carry_over=True, **{**LENGTHS, "step": 60}))
    assert e.value.field == "carry_over"


def test_windows_longer_than_the_data_are_refused(regime):
    with pytest.raises(ConfigError) as e:
        run_walkforward(make_spec(_cfg("WFREGCUT"), is_sessions=650, oos_sessions=100))
    assert e.value.field == "is_sessions" and "700" in e.value.message


def test_stopping_cancels_the_remaining_windows(regime):
    seen = []
    spec = make_spec(_cfg("WFREGIME"), hindsight=False, **LENGTHS)
    with pytest.raises(JobStopped) as e:
        run_walkforward(spec, runner=LocalRunner(), on_window=lambda o, d, n: seen.append(d),
                        should_stop=lambda: len(seen) >= 3)  # fmt: skip
    assert len(e.value.done) == 3 and seen == [1, 2, 3]


def test_windows_lie_where_every_symbol_has_bars_and_say_so():
    cfg = RunConfig(strategy_name="sma_crossover", symbols=["AAPL", "GOOG"],
                    start_date="2002-01-01", end_date="2008-12-31", costs={"model": "none"})  # fmt: skip
    ranges = {"fast_period": {"choices": [10, 20]}, "slow_period": {"choices": [50]}}
    r = run_walkforward(make_spec(cfg, ranges, is_sessions=250, oos_sessions=250, hindsight=False))
    # GOOG's data starts 2004-08-19: no window may optimise or trade before it.
    assert str(r.windows[0].dates[0]) == "2004-08-19"
    assert any("GOOG starts 2004-08-19" in n for n in r.notes)
    assert set(r.trades["symbol"].unique()) == {"AAPL", "GOOG"}
