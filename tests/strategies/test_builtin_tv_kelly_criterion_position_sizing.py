"""tv_kelly_criterion_position_sizing: its base signal bar for bar, and the engine's Kelly sizing
it declares as its default (tests/engine/test_engine_sizing_overlays.py pins the sizing itself)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of

from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import KellySizing, RunConfig
from ava_backtest.engine.backtest import simulate
from ava_backtest.runs.execute import engine_settings, sizing_note
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

NAME = "tv_kelly_criterion_position_sizing"


def _cross_bars(close: list[float], fast: int, slow: int) -> tuple[list[int], list[int]]:
    """The base rule written out: fast SMA crosses above (from at or below) the slow SMA."""
    c = pd.Series(close)
    f, s = c.rolling(fast).mean(), c.rolling(slow).mean()
    up = (f > s) & (f.shift() <= s.shift())
    down = (s > f) & (s.shift() <= f.shift())
    return np.flatnonzero(up).tolist(), np.flatnonzero(down).tolist()


def test_base_signal_is_the_sma_crossover_bar_for_bar():
    close = [10, 10, 10, 10, 10, 11, 12, 13, 13, 12, 10, 8, 7, 7, 7]
    sig = signals_of(NAME, make_bars(close), fast_period=2, slow_period=4)
    up, down = _cross_bars(close, 2, 4)
    assert up == [5] and down == [10]  # SMA2(5) = 10.5 > SMA4(5) = 10.25; equal before
    assert signal_bars(sig.long_entry) == up
    assert signal_bars(sig.long_exit) == down


def test_near_miss_a_touch_is_not_a_cross():
    close = [10, 10, 10, 10, 10, 10, 9, 9, 9, 9, 9]
    sig = signals_of(NAME, make_bars(close), fast_period=2, slow_period=4)
    assert _cross_bars(close, 2, 4)[0] == []
    assert signal_bars(sig.long_entry) == []


def test_its_run_sizes_by_kelly_unless_the_run_chooses_a_sizing():
    strategy = get_strategy(NAME)(kelly_multiplier=0.25, kelly_cap=0.1, min_trades=5)
    cfg = RunConfig(strategy_name=NAME, universe="us_sample")
    settings = engine_settings(cfg, 6, False, strategy)
    assert settings.sizing_mode == "kelly"
    assert settings.kelly == KellySizing(multiplier=0.25, cap=0.1, min_trades=5)
    note = sizing_note(cfg, strategy)
    assert note is not None and "kelly (the strategy's default sizing)" in note
    mine = RunConfig(
        strategy_name=NAME, universe="us_sample", sizing={"mode": "fraction", "value": 0.2}
    )
    assert engine_settings(mine, 6, False, strategy).sizing_mode == "fraction"
    assert sizing_note(mine, strategy) is None


def test_on_hand_built_prices_each_entry_stakes_half_kelly_of_the_trades_before_it():
    # With min_trades=3 every entry after the third closed
    # trade stakes half of Kelly's W - (1 - W) / R over the trades closed before its bar.
    # A rising random walk: many crosses up and back, winners and losers.
    close = 100 * np.exp(np.cumsum(np.random.default_rng(4).normal(0.002, 0.02, 400)))
    bars = make_bars(close, open=np.concatenate([close[:1], close[:-1]]))  # open = previous close
    strategy = get_strategy(NAME)(fast_period=2, slow_period=4, min_trades=3, kelly_cap=1.0)
    sig = compute_signals(strategy, bars)
    panel = Panel.from_prices(
        bars.dates, bars.symbols, bars.open, bars.high, bars.low, bars.close, bars.volume
    )
    cfg = RunConfig(strategy_name=NAME, symbols=["S0"], costs={"model": "none"})
    res = simulate(panel, sig, engine_settings(cfg, 1, False, strategy))
    trades = res.trades
    entries = res.fills.filter(res.fills["reason"] == "entry")
    assert entries.height >= 5
    sized_by_kelly = 0
    for e in entries.iter_rows(named=True):
        cash = res.equity[e["bar"] - 1, 0]  # flat at the previous close: equity is cash
        r = trades.filter(trades["exit_bar"] < e["bar"])["return_pct"].to_numpy()
        if len(r) < 3:
            assert e["qty"] == int(cash / e["price"])  # equal slots: all in
            continue
        wins, losses = r[r > 0], r[r < 0]
        w = len(wins) / len(r)
        kelly = w - (1 - w) / (wins.mean() / -losses.mean())
        assert e["qty"] == int(cash * max(0.5 * kelly, 0.0) / e["price"])
        sized_by_kelly += 1
    assert sized_by_kelly >= 2
