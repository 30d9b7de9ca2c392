"""bollinger_bands: the catalogue's parameters, trades on the sample, pinned trades, causality."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from catalogue_spec import (
    assert_matches_catalogue,
    assert_prefix_invariant,
    load_for,
    walk_one_position,
)

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ParameterError
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.lookahead import check_lookahead
from ava_backtest.strategies.registry import get_strategy

NAME = "bollinger_bands"


def test_registered_with_the_catalogue_parameters():
    assert_matches_catalogue(NAME)


def test_trades_on_the_us_sample_with_defaults():
    r = run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert r.trades.height >= 1


def _expected_signal_bars(close: pd.Series, n: int, k: float):
    """The catalogue's rule, written out: SMA middle, population std, level tests on bar t."""
    mid = close.rolling(n).mean()
    sd = close.rolling(n).std(ddof=0)
    low = mid - k * sd
    c = close.to_numpy()
    with np.errstate(invalid="ignore"):
        return c < low.to_numpy(), c > mid.to_numpy()


def test_first_trades_on_ibm_match_the_rule_bar_for_bar():
    cfg = RunConfig(strategy_name=NAME, symbols=["IBM"], costs={"model": "none"})
    _, panel, bars, info = load_for(cfg)
    assert info.first_index == 0
    close = pd.Series(bars.close[:, 0])
    entry, exit_ = _expected_signal_bars(close, 20, 2.0)
    expected = walk_one_position(entry, exit_, 4)
    assert len(expected) == 4
    trades = run_backtest(cfg).trades.head(4)
    dates = panel.dates
    for (e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert row["symbol"] == "IBM"
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, 0])


def test_signals_are_prefix_invariant():
    strategy, _, bars, _ = load_for(RunConfig(strategy_name=NAME, universe="us_sample"))
    full = strategy.signals(bars)
    assert full.long_entry.any() and full.long_exit.any()
    assert_prefix_invariant(strategy, bars, full, (40, 300, 1000, 2500, 5000, bars.n_bars - 1))
    assert check_lookahead(strategy, bars, points=10).ok


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bb_period": 9}, "params.bb_period"),
        ({"bb_period": 51}, "params.bb_period"),
        ({"bb_period": 20.5}, "params.bb_period"),
        ({"bb_std_dev": 0.5}, "params.bb_std_dev"),
        ({"bb_std_dev": 3.5}, "params.bb_std_dev"),
        ({"bb_std_dev": "wide"}, "params.bb_std_dev"),
        ({"nope": 1}, "params.nope"),
    ],
)
def test_bad_params_are_rejected_naming_the_parameter(params, field):
    with pytest.raises(ParameterError) as err:
        get_strategy(NAME)(**params)
    assert err.value.field == field
