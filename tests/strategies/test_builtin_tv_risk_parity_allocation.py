"""tv_risk_parity_allocation: its membership signal bar for bar, and the engine's risk-parity
allocator it declares as its default (tests/engine/test_engine_sizing_overlays.py pins the
weights themselves)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of

from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import RiskParitySizing, RunConfig
from ava_backtest.engine.backtest import simulate
from ava_backtest.runs.execute import engine_settings
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

NAME = "tv_risk_parity_allocation"


def test_membership_is_the_close_against_its_sma():
    close = [10, 10, 10, 10, 11, 12, 12, 10, 9, 9]
    sig = signals_of(NAME, make_bars(close), trend_period=3)
    sma3 = np.convolve(close, np.ones(3) / 3, mode="full")[: len(close)]
    sma3[:2] = np.nan
    above = [t for t in range(len(close)) if close[t] > sma3[t]]
    below = [t for t in range(len(close)) if close[t] < sma3[t]]
    assert above == [4, 5, 6] and below == [7, 8, 9]  # by hand: SMA3(4) = 10.33 < 11
    assert signal_bars(sig.long_entry) == above
    assert signal_bars(sig.long_exit) == below


def test_near_miss_a_close_on_its_sma_is_neither():
    close = [10.0] * 8  # close == SMA: not above, not below
    sig = signals_of(NAME, make_bars(close), trend_period=3)
    assert signal_bars(sig.long_entry) == [] and signal_bars(sig.long_exit) == []


def test_its_run_allocates_by_risk_parity_weighted_by_inverse_volatility():
    strategy = get_strategy(NAME)(trend_period=5, cov_window=20, rebalance_bars=20)
    cfg = RunConfig(strategy_name=NAME, universe="us_sample")
    settings = engine_settings(cfg, 6, False, strategy)
    assert settings.sizing_mode == "risk_parity"
    assert settings.risk_parity == RiskParitySizing(method="erc", window=20, rebalance_bars=20)
    # Two rising symbols whose returns alternate around their trend: +3%/-1% and +6%/-2%
    # (volatilities in the ratio 1:2). Both are held from bar 4 on (close above SMA5).
    n = 61
    steps = np.arange(1, n)
    r1 = np.where(steps % 2 == 1, 0.03, -0.01)
    a = 100 * np.concatenate([[1.0], np.cumprod(1 + r1)])
    b = 100 * np.concatenate([[1.0], np.cumprod(1 + 2 * r1)])
    close = np.column_stack([a, b])
    bars = make_bars(close, open=np.vstack([close[:1], close[:-1]]))
    sig = compute_signals(strategy, bars)
    assert sig.long_entry[4:].all() and not sig.long_entry[:4].any() and not sig.long_exit.any()
    panel = Panel.from_prices(
        bars.dates, bars.symbols, bars.open, bars.high, bars.low, bars.close, bars.volume
    )
    cfg = RunConfig(strategy_name=NAME, symbols=["S0", "S1"], costs={"model": "none"})
    res = simulate(panel, sig, engine_settings(cfg, 2, False, strategy))
    # The first scheduled rebalance with a full 20-return window is the close of bar 20.
    fills = res.fills.filter(res.fills["bar"] == 21)
    value = (fills["qty"] * fills["price"]).to_numpy()
    assert fills["symbol"].to_list() == ["S0", "S1"]
    assert value[0] / value[1] == pytest.approx(2.0, rel=0.01)  # whole shares
    assert res.fills.filter(res.fills["bar"] < 21).height == 0
