"""An allocation strategy (target weights) runs end to end and is rebalanced by the engine."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.domain.signals import Signals
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies import Int, Strategy, register, registry


@pytest.fixture
def equal_weight():
    @register
    class EqualWeightMonthly(Strategy):
        name = "test_equal_weight"
        cross_sectional = True
        parameters = {"every": Int(21, 1, 252, "rebalance every n bars")}

        def signals(self, bars):
            s = Signals.empty(bars.close.shape)
            w = np.full(bars.close.shape, np.nan)
            live = ~np.isnan(bars.close)
            rows = np.arange(bars.n_bars) % self.every == 0
            w[rows] = np.where(
                live[rows], 1.0 / np.maximum(live[rows].sum(axis=1, keepdims=True), 1), 0.0
            )
            s.target_weight = w
            return s

    yield EqualWeightMonthly
    registry.reload_plugins()


def test_equal_weight_allocation_rebalances_monthly(equal_weight):
    cfg = RunConfig(
        strategy_name="test_equal_weight", symbols=["AAPL", "IBM", "MSFT"], start_date="2005-01-03",
        end_date="2010-12-31", sizing={"mode": "target_weight"}, rebalance_threshold=0.01,
    )  # fmt: skip
    r = run_backtest(cfg)
    assert set(r.fills["reason"].unique()) == {"rebalance"}
    # Holdings stay near a third each: at every month start the book is rebalanced.
    assert r.exposure[-1] > 0.95
    assert r.fills.height > 100
    assert r.metrics["sharpe"] is not None


def test_target_weight_mode_needs_weights():
    with pytest.raises(ConfigError) as e:
        run_backtest(
            RunConfig(
                strategy_name="sma_crossover", symbols=["AAPL"], sizing={"mode": "target_weight"}
            )
        )
    assert e.value.field == "sizing.mode"
