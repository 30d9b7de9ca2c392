"""opening_range_breakout: the catalogue's parameters, trades on the sample, pinned trades, causality."""

from __future__ import annotations

import numpy as np
import pytest
from catalogue_spec import ARRAYS, assert_matches_catalogue, load_for

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ParameterError
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.lookahead import check_lookahead
from ava_backtest.strategies.registry import get_strategy

NAME = "opening_range_breakout"


def test_registered_with_the_catalogue_parameters():
    assert_matches_catalogue(NAME)


def test_trades_on_the_us_sample_with_defaults():
    r = run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert r.trades.height >= 1


def _expected_trades(bars, range_pct: float, hold: int, count: int) -> list[tuple[int, int]]:
    """(entry signal bar, exit signal bar): the original's state machine written out."""
    o, h, lo, c = (getattr(bars, f)[:, 0] for f in ("open", "high", "low", "close"))
    out, in_pos, held, entry = [], False, 0, -1
    for t in range(len(c)):
        if not in_pos:
            rng = h[t] - lo[t]
            if c[t] > o[t] + range_pct * rng and rng > 0:
                in_pos, held, entry = True, 0, t
        else:
            held += 1
            if held >= hold:
                out.append((entry, t))
                in_pos = False
                if len(out) == count:
                    break
    return out


@pytest.mark.parametrize(("params", "hold"), [({}, 1), ({"hold_bars": 3, "range_pct": 0.5}, 3)])
def test_first_trades_on_ibm_match_the_rule_bar_for_bar(params, hold):
    cfg = RunConfig(strategy_name=NAME, params=params, symbols=["IBM"], costs={"model": "none"})
    _, panel, bars, info = load_for(cfg)
    assert info.first_index == 0
    expected = _expected_trades(bars, params.get("range_pct", 0.3), hold, 6)
    assert len(expected) == 6
    trades = run_backtest(cfg).trades.head(6)
    dates = panel.dates
    for (e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert x - e == hold  # with hold 1: bought at the open of t+1, sold at the open of t+2
        assert row["symbol"] == "IBM"
        assert row["exit_reason"] == "max_hold"
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, 0])


def test_signals_are_prefix_invariant():
    strategy, _, bars, _ = load_for(RunConfig(strategy_name=NAME, universe="us_sample"))
    full = strategy.signals(bars)
    assert full.long_entry.any() and full.max_hold == 1
    for k in (40, 300, 1000, 2500, 5000, bars.n_bars - 1):
        part = strategy.signals(bars.prefix(k))
        assert part.max_hold == full.max_hold
        for name in ARRAYS:
            a, b = getattr(full, name), getattr(part, name)
            assert (a is None) == (b is None), name
            if a is not None:
                np.testing.assert_array_equal(a[:k], b, err_msg=f"{name} at prefix {k}")
    assert check_lookahead(strategy, bars, points=10).ok


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"range_pct": 0.05}, "params.range_pct"),
        ({"range_pct": 0.9}, "params.range_pct"),
        ({"hold_bars": 0}, "params.hold_bars"),
        ({"hold_bars": 11}, "params.hold_bars"),
        ({"hold_bars": 2.5}, "params.hold_bars"),
        ({"nope": 1}, "params.nope"),
    ],
)
def test_bad_params_are_rejected_naming_the_parameter(params, field):
    with pytest.raises(ParameterError) as err:
        get_strategy(NAME)(**params)
    assert err.value.field == field
