"""rsi_mean_reversion: its rule, bar for bar (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from rule_check import load_for

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest

NAME = "rsi_mean_reversion"


def _wilder_rsi(close: np.ndarray, n: int) -> np.ndarray:
    """The catalogue's RSI: first value at bar n from plain means, then Wilder's recursion."""
    d = np.diff(close)
    gain, loss = np.maximum(d, 0.0), np.maximum(-d, 0.0)
    out = np.full(len(close), np.nan)
    ag, al = gain[:n].mean(), loss[:n].mean()
    for i in range(n, len(close)):
        if i > n:
            ag = (ag * (n - 1) + gain[i - 1]) / n
            al = (al * (n - 1) + loss[i - 1]) / n
        out[i] = 100.0 if al == 0 else 100.0 - 100.0 / (1.0 + ag / al)
    return out


def _expected_trades(close: np.ndarray, count: int) -> list[tuple[int, int]]:
    """(entry signal bar, exit signal bar): the original's state machine, defaults 14/30/70/20."""
    r = _wilder_rsi(close, 14)
    out, in_pos, held, entry = [], False, 0, -1
    for t in range(1, len(close)):
        if not in_pos:
            if r[t - 1] >= 30 and r[t] < 30:
                in_pos, held, entry = True, 0, t
        else:
            held += 1
            if r[t] > 70 or held >= 20:
                out.append((entry, t))
                in_pos = False
                if len(out) == count:
                    break
    return out


def test_first_trades_on_aapl_match_the_rule_bar_for_bar():
    cfg = RunConfig(strategy_name=NAME, symbols=["AAPL"], costs={"model": "none"})
    _, panel, bars, info = load_for(cfg)
    assert info.first_index == 0
    expected = _expected_trades(bars.close[:, 0], 6)
    assert len(expected) == 6
    trades = run_backtest(cfg).trades.head(6)
    dates = panel.dates
    for (e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert row["symbol"] == "AAPL"
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, 0])
    # Both exits occur: the time stop 20 bars after the entry signal, and RSI overbought.
    reasons = [("max_hold" if x - e == 20 else "signal") for e, x in expected]
    assert trades["exit_reason"].to_list() == reasons
    assert {"max_hold", "signal"} <= set(reasons)
