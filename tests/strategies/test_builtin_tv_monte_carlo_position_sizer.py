"""tv_monte_carlo_position_sizer: its base signal bar for bar, and the engine's Monte Carlo sizer
it declares as its default (tests/engine/test_engine_sizing_overlays.py pins the sizer itself)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of

from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import MonteCarloSizing, RunConfig
from ava_backtest.engine.backtest import simulate
from ava_backtest.engine.kernel import _mix_seed, monte_carlo_fraction
from ava_backtest.runs.execute import engine_settings, sizing_note
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

NAME = "tv_monte_carlo_position_sizer"


def _cross_bars(close: list[float], fast: int, slow: int) -> tuple[list[int], list[int]]:
    c = pd.Series(close)
    f, s = c.rolling(fast).mean(), c.rolling(slow).mean()
    up = (f > s) & (f.shift() <= s.shift())
    down = (s > f) & (s.shift() <= f.shift())
    return np.flatnonzero(up).tolist(), np.flatnonzero(down).tolist()


def test_base_signal_is_the_sma_crossover_bar_for_bar():
    close = [10, 10, 10, 10, 10, 11, 12, 13, 13, 12, 10, 8, 7, 7, 7]
    sig = signals_of(NAME, make_bars(close), fast_period=2, slow_period=4)
    up, down = _cross_bars(close, 2, 4)
    assert up == [5] and down == [10]
    assert signal_bars(sig.long_entry) == up
    assert signal_bars(sig.long_exit) == down


def test_near_miss_a_touch_is_not_a_cross():
    close = [10, 10, 10, 10, 10, 10, 9, 9, 9, 9, 9]
    assert signal_bars(signals_of(NAME, make_bars(close), fast_period=2, slow_period=4).long_entry) == []  # fmt: skip


def test_its_run_uses_the_monte_carlo_sizer_with_the_runs_seed():
    strategy = get_strategy(NAME)(max_drawdown=0.3, percentile=90.0, resamples=500, min_trades=8)
    cfg = RunConfig(strategy_name=NAME, universe="us_sample", seed=42)
    settings = engine_settings(cfg, 6, False, strategy)
    assert settings.sizing_mode == "monte_carlo" and settings.seed == 42
    assert settings.monte_carlo == MonteCarloSizing(
        max_drawdown=0.3, percentile=90.0, resamples=500, min_trades=8
    )
    assert "monte_carlo (the strategy's default sizing)" in (sizing_note(cfg, strategy) or "")
    mine = RunConfig(strategy_name=NAME, universe="us_sample", sizing={"mode": "kelly"})
    assert engine_settings(mine, 6, False, strategy).sizing_mode == "kelly"


def test_on_hand_built_prices_the_fourth_entry_stakes_the_sizers_fraction():
    # A rising random walk: many crosses up and back, winners and losers.
    close = 100 * np.exp(np.cumsum(np.random.default_rng(4).normal(0.002, 0.02, 400)))
    bars = make_bars(close, open=np.concatenate([close[:1], close[:-1]]))
    strategy = get_strategy(NAME)(fast_period=2, slow_period=4, min_trades=3, max_drawdown=0.5)
    sig = compute_signals(strategy, bars)
    panel = Panel.from_prices(
        bars.dates, bars.symbols, bars.open, bars.high, bars.low, bars.close, bars.volume
    )
    cfg = RunConfig(strategy_name=NAME, symbols=["S0"], costs={"model": "none"}, seed=3)
    res = simulate(panel, sig, engine_settings(cfg, 1, False, strategy))
    grid = np.array(MonteCarloSizing().fractions)
    trades = res.trades
    sized = 0
    for e in res.fills.filter(res.fills["reason"] == "entry").iter_rows(named=True):
        cash = res.equity[e["bar"] - 1, 0]  # flat at the previous close: equity is cash
        rets = trades.filter(trades["exit_bar"] < e["bar"])["return_pct"].to_numpy()
        if len(rets) < 3:
            assert e["qty"] == int(cash / e["price"])  # equal slots: all in
            continue
        f = monte_carlo_fraction(rets, grid, 0.5, 95.0, 1000, 100, _mix_seed(3, len(rets)))
        assert e["qty"] == int(cash * f / e["price"])
        sized += f > 0
    assert sized >= 2
