"""tv_drawdown_circuit_breaker: its base signal bar for bar, and the engine's circuit breaker it
switches on (the registry suite checks the rest; tests/engine/test_engine_risk_rules.py the rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of

from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ParameterError
from ava_backtest.engine.backtest import RiskRule, simulate
from ava_backtest.runs.execute import engine_settings, run_backtest
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

NAME = "tv_drawdown_circuit_breaker"


def _cross_bars(close: list[float], fast: int, slow: int) -> tuple[list[int], list[int]]:
    """The base rule written out: fast SMA crosses above (from at or below) the slow SMA."""
    c = pd.Series(close)
    f, s = c.rolling(fast).mean(), c.rolling(slow).mean()
    up = (f > s) & (f.shift() <= s.shift())
    down = (s > f) & (s.shift() <= f.shift())
    return np.flatnonzero(up).tolist(), np.flatnonzero(down).tolist()


def test_base_signal_is_the_sma_crossover_bar_for_bar():
    # Flat at 10, a rise to 13, a fall to 7: one cross up, one cross down with SMA 2 / 4.
    close = [10, 10, 10, 10, 10, 11, 12, 13, 13, 12, 10, 8, 7, 7, 7]
    sig = signals_of(NAME, make_bars(close), fast_period=2, slow_period=4)
    up, down = _cross_bars(close, 2, 4)
    assert up == [5] and down == [10]  # by hand: SMA2(5)=10.5 > SMA4(5)=10.25, SMAs equal before
    assert signal_bars(sig.long_entry) == up
    assert signal_bars(sig.long_exit) == down


def test_near_miss_no_cross_no_entry():
    # The fast SMA falls below the slow one and comes back to touch it (both 9) without crossing.
    close = [10, 10, 10, 10, 10, 10, 9, 9, 9, 9, 9]
    sig = signals_of(NAME, make_bars(close), fast_period=2, slow_period=4)
    assert _cross_bars(close, 2, 4)[0] == []
    assert signal_bars(sig.long_entry) == []


def test_its_run_switches_the_engine_breaker_on_and_a_config_rule_overrides_it():
    strategy = get_strategy(NAME)(max_drawdown=0.1, resume_after_bars=5)
    cfg = RunConfig(strategy_name=NAME, universe="us_sample")
    settings = engine_settings(cfg, 6, False, strategy)
    assert settings.risk_rules == RiskRule(0.1, flatten=True, resume_after_bars=5)
    mine = cfg.model_copy(update={"risk_rules": {"max_drawdown": 0.3}})
    assert engine_settings(mine, 6, False, strategy).risk_rules == RiskRule(0.3)
    assert engine_settings(cfg, 6, False, get_strategy("sma_crossover")()).risk_rules is None


def test_on_hand_built_prices_it_buys_the_cross_flattens_on_the_drawdown_and_waits():
    # Open = close. Cross up at bar 5 -> 8,333 shares at the open of bar 6 (12); the close of bar
    # 7 (10) marks equity 16.7% below its 100,000 peak: tripped there (15%), flattened at the open
    # of bar 8. The cross up at bar 13 is refused (resume_after_bars = 10: closes 7..17 read no
    # entry, resumed at the close of bar 17); the cross up at bar 20 is taken at the open of 21.
    close = [10, 10, 10, 10, 10, 11, 12, 10, 9.5, 9, 8, 8, 9, 10, 9, 8, 7, 7, 7, 7, 8, 9, 10]
    bars = make_bars(close)
    strategy = get_strategy(NAME)(
        fast_period=2, slow_period=4, max_drawdown=0.15, resume_after_bars=10
    )
    sig = compute_signals(strategy, bars)
    up, _ = _cross_bars(close, 2, 4)
    assert signal_bars(sig.long_entry) == up == [5, 13, 20]
    panel = Panel.from_prices(
        bars.dates, bars.symbols, bars.open, bars.high, bars.low, bars.close, bars.volume
    )
    cfg = RunConfig(strategy_name=NAME, symbols=["S0"], costs={"model": "none"})
    res = simulate(panel, sig, engine_settings(cfg, 1, False, strategy))
    first = res.trades.row(0, named=True)
    assert (first["entry_bar"], first["exit_bar"]) == (6, 8)
    assert (first["exit_reason"], first["exit_price"]) == ("circuit_breaker", 9.5)
    assert res.fills.filter(res.fills["reason"] == "entry")["bar"].to_list() == [6, 21]
    assert np.flatnonzero(res.halted[:, 0]).tolist() == list(range(7, 18))
    blocked = res.skipped.filter(res.skipped["reason"] == "circuit_breaker")
    assert blocked["time"].to_list() == [bars.dates[13].astype("datetime64[us]").item()]


def test_flatten_with_a_recovery_resume_is_refused_naming_the_field():
    with pytest.raises(ParameterError) as err:
        get_strategy(NAME)(resume_on_recovery=0.1)
    assert err.value.field == "params.resume_on_recovery"
    get_strategy(NAME)(flatten=False, resume_on_recovery=0.1)  # holding on, it can recover


def test_the_sample_run_has_the_breaker_on():
    res = run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert any(n.startswith("circuit breaker at a 0.15 drawdown") for n in res.notes)
    assert res.engine.halted.shape == (len(res.dates), 1)
