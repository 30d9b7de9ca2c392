"""opening_range_breakout: its rule, bar for bar (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from rule_check import load_for

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest

NAME = "opening_range_breakout"


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
