"""dual_momentum: its rule, bar for bar (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from rule_check import load_for

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import get_strategy

NAME = "dual_momentum"
L = 21 * 12  # default lookback in bars
F = 21  # default rebalance frequency


def _returns(bars: Bars) -> tuple[np.ndarray, np.ndarray]:
    """L-bar returns of every symbol and of the benchmark, written out."""
    c = bars.close
    b = bars.extra["benchmark"]
    ret = np.full(c.shape, np.nan)
    bret = np.full(b.shape, np.nan)
    ret[L:] = c[L:] / c[:-L] - 1.0
    bret[L:] = b[L:] / b[:-L] - 1.0
    return ret, bret


def test_needs_a_benchmark():
    cls = get_strategy(NAME)
    assert cls.requires == ("benchmark",)
    r = run_backtest(RunConfig(strategy_name=NAME, universe="us_sample", benchmark="GSPC"))
    assert r.trades.height >= 1
    _, panel, _, _ = load_for(RunConfig(strategy_name=NAME, universe="us_sample"))
    with pytest.raises(DataError) as err:
        cls().signals(panel.bars)  # no benchmark in bars.extra: named, never substituted
    assert err.value.field == "benchmark"


def _expected_trades(bars: Bars, count: int) -> list[tuple[str, int, int]]:
    """(symbol, entry signal bar, exit signal bar) with top_n = 1: on each rebalance bar hold the
    strongest symbol whose return is positive and above the benchmark's (ties: first listed)."""
    ret, bret = _returns(bars)
    held, since, out = None, -1, []
    for t in range(L, bars.n_bars, F):
        best = None
        for j in range(bars.n_symbols):
            r = ret[t, j]
            if r > 0 and r > bret[t] and (best is None or r > ret[t, best]):
                best = j
        if best != held:
            if held is not None:
                out.append((bars.symbols[held], since, t))
                if len(out) == count:
                    break
            held, since = best, t
    return out


def test_first_trades_on_the_us_sample_match_the_rule_bar_for_bar():
    cfg = RunConfig(strategy_name=NAME, universe="us_sample", costs={"model": "none"})
    _, panel, bars, info = load_for(cfg)
    assert info.first_index == 0
    expected = _expected_trades(bars, 6)
    assert len(expected) == 6
    trades = run_backtest(cfg).trades.sort("entry_bar").head(6)
    dates = panel.dates
    for (sym, e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert row["symbol"] == sym
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        j = panel.symbols.index(sym)
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, j])


def test_top_2_holds_at_most_two_and_buys_only_relative_winners_on_rebalance_bars():
    cfg = RunConfig(
        strategy_name=NAME, params={"top_n": 2}, universe="us_sample", costs={"model": "none"}
    )
    _, _, bars, info = load_for(cfg)
    assert info.first_index == 0
    r = run_backtest(cfg)
    held: set[str] = set()
    most = 0
    for row in r.fills.sort("bar").iter_rows(named=True):  # exits fill before entries
        if row["side"] == "buy":
            held.add(row["symbol"])
        else:
            held.discard(row["symbol"])
        most = max(most, len(held))
    assert most == 2
    ret, bret = _returns(bars)
    trades = r.trades
    assert trades.height > 10
    for row in trades.iter_rows(named=True):
        t = row["entry_bar"] - 1  # the signal bar
        j = bars.symbols.index(row["symbol"])
        assert t >= L and (t - L) % F == 0
        assert ret[t, j] > 0 and ret[t, j] > bret[t]
    # Each entry takes half the equity at its open: no entry is more than half of the book.
    fills = r.fills.filter(r.fills["side"] == "buy")
    notional = (fills["qty"] * fills["price"]).to_numpy()
    equity_before = np.concatenate([[cfg.initial_capital], r.equity])[fills["bar"].to_numpy()]
    assert np.all(notional <= 0.5 * equity_before * 1.25)  # marked at the previous close
