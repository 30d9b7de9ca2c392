"""Indian intraday product: positions are squared off before each session ends."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from ava_backtest.data.intraday import session_grid
from ava_backtest.data.user_store import save_user_bars
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.signals import Signals
from ava_backtest.runs.execute import run_backtest
from ava_backtest.runs.optimize import StudySpec, run_study, search_space
from ava_backtest.runs.square_off import square_off
from ava_backtest.strategies.registry import get_strategy

D = dt.date


def _config(**kw: object) -> RunConfig:
    base: dict[str, object] = {
        "strategy_name": "sma_crossover",
        "market": "IN",
        "symbols": ["X"],
        "costs": {"product": "intraday"},
    }
    return RunConfig.model_validate(base | kw)


@pytest.fixture(scope="module")
def grid() -> np.ndarray:
    return session_grid("IN", D(2024, 3, 4), D(2024, 3, 6), 15)  # 25 bars a session, 09:15..15:15


def _always_long(n: int) -> Signals:
    return Signals(long_entry=np.ones((n, 1), dtype=np.bool_))


def test_next_open_fills_exit_at_the_last_bars_open_and_drop_entries_there(grid):
    strategy = get_strategy("sma_crossover")()
    out = square_off(_config(), strategy, _always_long(len(grid)), grid)
    days = grid.astype("datetime64[D]")
    last = np.r_[days[1:] != days[:-1], True]
    before_last = np.r_[last[1:], False] & ~last
    assert before_last.sum() == 3 and last.sum() == 3
    np.testing.assert_array_equal(out.long_exit[:, 0], before_last)
    np.testing.assert_array_equal(out.short_exit[:, 0], before_last)
    np.testing.assert_array_equal(out.long_entry[:, 0], ~before_last)
    # the bar whose open the exit fills at is 15:15 IST (09:45 UTC), the session's last
    fills = grid[np.flatnonzero(before_last) + 1]
    assert all(str(t).endswith("09:45:00.000000000") for t in fills)


def test_at_the_close_the_exit_is_on_the_last_bar(grid):
    strategy = get_strategy("sma_crossover")()
    out = square_off(_config(fill="close"), strategy, _always_long(len(grid)), grid)
    days = grid.astype("datetime64[D]")
    last = np.r_[days[1:] != days[:-1], True]
    np.testing.assert_array_equal(out.long_exit[:, 0], last)
    np.testing.assert_array_equal(out.long_entry[:, 0], ~last)


@pytest.mark.parametrize(
    "kw", [{"costs": {"product": "delivery"}}, {"market": "US", "costs": {"product": "intraday"}}]
)
def test_delivery_and_other_markets_keep_their_positions(grid, kw):
    strategy = get_strategy("sma_crossover")()
    signals = _always_long(len(grid))
    assert square_off(_config(**kw), strategy, signals, grid) is signals


@pytest.fixture(scope="module")
def misx(tmp_path_factory):
    """A 15-minute NSE-like series uploaded as MISX (Jan-Mar 2024), in its own AVA_HOME."""
    mp = pytest.MonkeyPatch()
    mp.setenv("AVA_HOME", str(tmp_path_factory.mktemp("home")))
    ts = session_grid("IN", D(2024, 1, 1), D(2024, 3, 29), 15)
    rng = np.random.default_rng(7)
    close = 1000 * np.exp(np.cumsum(rng.normal(0, 0.003, len(ts))))
    frame = pl.DataFrame(
        {"ts": ts, "open": np.r_[close[0], close[:-1]], "close": close, "volume": 1e5}
    ).with_columns(
        high=pl.max_horizontal("open", "close") * 1.001,
        low=pl.min_horizontal("open", "close") * 0.999,
    )
    save_user_bars("IN", "MISX", frame, "misx.csv", timeframe="15m")
    yield "MISX"
    mp.undo()


def _days(trades: pl.DataFrame, column: str) -> pl.Series:
    return trades[column].cast(pl.Datetime).dt.date()


def test_a_run_on_intraday_bars_holds_nothing_overnight(misx):
    params = {"fast_period": 5, "slow_period": 20}
    delivery = run_backtest(_config(symbols=[misx], params=params, costs={"product": "delivery"}))
    trades = run_backtest(_config(symbols=[misx], params=params)).trades
    assert trades.height > 20
    assert (_days(trades, "entry_time") == _days(trades, "exit_time")).all()  # one session each
    # nothing exits after the last bar's open, 15:15 IST = 09:45 UTC
    assert (trades["exit_time"].cast(pl.Datetime).dt.strftime("%H:%M") <= "09:45").all()
    # delivery carries some positions overnight: the rule changed something
    assert (_days(delivery.trades, "entry_time") != _days(delivery.trades, "exit_time")).any()


def test_study_trials_are_squared_off_like_their_single_runs(misx):
    config = _config(symbols=[misx])
    space = search_space(
        get_strategy("sma_crossover"),
        {
            "fast_period": {"low": 5, "high": 10, "step": 5},
            "slow_period": {"low": 20, "high": 30, "step": 10},
        },
    )
    result = run_study(StudySpec(config, space, sampler="grid", n_trials=10, batch=4))
    assert len(result.trials) == 4
    for t in result.trials:
        single = run_backtest(config.model_copy(update={"params": t.params}))
        assert t.metrics["trade_count"] == single.metrics["trade_count"], t.params
        assert t.metrics["sharpe"] == single.metrics["sharpe"], t.params
