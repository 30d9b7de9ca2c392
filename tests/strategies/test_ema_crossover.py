"""ema_crossover: its rule, bar for bar (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from rule_check import load_for

from ava_backtest.domain.config import RunConfig
from ava_backtest.strategies.registry import get_strategy

NAME = "ema_crossover"


def _ema_sma_seeded(x: np.ndarray, n: int) -> np.ndarray:
    """The catalogue's EMA_sma(n), written out: the mean of the first n at n-1, then a = 2/(n+1)."""
    out = np.full(len(x), np.nan)
    a = 2.0 / (n + 1)
    y = x[:n].mean()
    out[n - 1] = y
    for i in range(n, len(x)):
        y = y + a * (x[i] - y)
        out[i] = y
    return out


def _expected(close: np.ndarray, fast: int, slow: int) -> tuple[np.ndarray, np.ndarray]:
    f, s = _ema_sma_seeded(close, fast), _ema_sma_seeded(close, slow)
    up = np.zeros(len(close), bool)
    down = np.zeros(len(close), bool)
    with np.errstate(invalid="ignore"):
        up[1:] = (f[:-1] <= s[:-1]) & (f[1:] > s[1:])
        down[1:] = (f[:-1] >= s[:-1]) & (f[1:] < s[1:])
    ready = np.arange(len(close)) >= slow + 1  # the original's loop started at the warm-up
    return up & ready, down & ready


@pytest.mark.parametrize(("fast", "slow"), [(12, 26), (5, 10), (20, 60)])
def test_signals_match_the_rule_bar_for_bar(fast, slow):
    _, _, bars, _ = load_for(RunConfig(strategy_name=NAME, universe="us_sample"))
    strategy = get_strategy(NAME)(fast_period=fast, slow_period=slow)
    sig = strategy.signals(bars)
    assert not sig.short_entry.any() and not sig.short_exit.any()
    for j, sym in enumerate(bars.symbols):
        valid = ~np.isnan(bars.close[:, j])
        rows = np.flatnonzero(valid)
        assert rows[-1] - rows[0] + 1 == rows.size, f"{sym} has interior gaps"
        up, down = _expected(bars.close[rows, j], fast, slow)
        np.testing.assert_array_equal(sig.long_entry[rows, j], up, err_msg=sym)
        np.testing.assert_array_equal(sig.long_exit[rows, j], down, err_msg=sym)
        assert up.sum() > 10 and not sig.long_entry[~valid, j].any()
