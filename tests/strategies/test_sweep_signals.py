"""``Strategy.sweep_signals``: where a class offers a whole grid's signals at once, column j is
exactly what instance j's own ``signals`` gives, for every class of the registry that offers it."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pytest

from ava_backtest.analytics.sweep import side_by_side_signals
from ava_backtest.domain.bars import Bars, as_block
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ParameterError
from ava_backtest.domain.signals import ARRAY_FIELDS
from ava_backtest.runs.execute import load_run_panel
from ava_backtest.strategies import Strategy, all_strategies
from ava_backtest.strategies.evaluate import compute_signals, offered_sweep_signals

OFFERING = sorted(
    name
    for name, cls in all_strategies().items()
    if cls.sweep_signals.__func__ is not Strategy.sweep_signals.__func__  # type: ignore[attr-defined]
)


def test_the_crossover_strategies_offer_grid_signals():
    assert {"sma_crossover", "ema_crossover", "tv_dema_crossover"} <= set(OFFERING)


@functools.cache
def one_symbol(name: str, lead: int) -> Bars:
    """AAPL's bars as the strategy loads them, after ``lead`` bars of no data (a late listing)."""
    cls = all_strategies()[name]
    panel, _ = load_run_panel(RunConfig(strategy_name=name, symbols=["AAPL"]), cls())
    b = panel.bars
    if not lead:
        return b

    def pad(a: np.ndarray) -> np.ndarray:
        return as_block(np.vstack([np.full((lead, 1), np.nan), a]))

    dates = np.concatenate([b.dates[0] - np.arange(lead, 0, -1) * np.timedelta64(1, "D"), b.dates])
    return replace(
        b, dates=dates, open=pad(b.open), high=pad(b.high), low=pad(b.low),
        close=pad(b.close), volume=pad(b.volume), extra={},
    )  # fmt: skip


def instances(cls: type[Strategy], n: int, seed: int) -> list[Strategy]:
    """``n`` valid instances with parameters drawn across their declared bounds."""
    rng = np.random.default_rng(seed)
    out: list[Strategy] = []
    while len(out) < n:
        params = {}
        for pname, p in cls.parameters.items():
            if p.kind == "int":
                params[pname] = int(rng.integers(p.minimum, p.maximum + 1))
        try:
            out.append(cls(**params))
        except ParameterError:
            continue
    return out


def assert_columns_equal(stacked, strategies, bars):
    for j, s in enumerate(strategies):
        alone = compute_signals(s, bars)
        for field in ARRAY_FIELDS:
            mine, theirs = getattr(stacked, field), getattr(alone, field)
            if theirs is None or mine is None:
                assert theirs is None and mine is None, (field, s.params)
                continue
            np.testing.assert_array_equal(mine[:, j], theirs[:, 0], err_msg=f"{field} {s.params}")
        assert stacked.max_hold == alone.max_hold
        for flag in ("stop_loss_abs", "take_profit_abs", "trail_abs"):
            assert getattr(stacked, flag) == getattr(alone, flag)


@pytest.mark.parametrize("lead", [0, 37])
@pytest.mark.parametrize("name", OFFERING)
def test_each_column_is_the_instance_alone(name, lead):
    cls = all_strategies()[name]
    bars = one_symbol(name, lead)
    strategies = instances(cls, 40, seed=len(name) + lead)
    stacked = offered_sweep_signals(strategies, bars)
    assert stacked is not None and stacked.shape == (bars.n_bars, 40)
    assert stacked.long_entry.any() and stacked.long_exit.any()
    if lead:
        assert not stacked.long_entry[:lead].any()
    assert_columns_equal(stacked, strategies, bars)


def test_not_offered_for_two_symbols_or_an_interior_gap_and_the_stack_stays_exact():
    cls = all_strategies()["sma_crossover"]
    strategies = instances(cls, 6, seed=3)
    bars = one_symbol("sma_crossover", 0)
    gappy = replace(
        bars, close=as_block(np.where(np.arange(bars.n_bars)[:, None] == 500, np.nan, bars.close))
    )
    two = bars.select([0, 0])
    assert offered_sweep_signals(strategies, gappy) is None
    assert offered_sweep_signals(strategies, two) is None
    assert_columns_equal(side_by_side_signals(strategies, gappy), strategies, gappy)
    with pytest.raises(ValueError, match="one strategy class"):
        offered_sweep_signals([*strategies, all_strategies()["ema_crossover"]()], bars)
