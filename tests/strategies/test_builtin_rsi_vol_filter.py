"""rsi_vol_filter: its rule, bar for bar (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from rule_check import (
    load_for,
    walk_one_position,
)

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.config import RunConfig
from ava_backtest.indicators import rank_below as _rank_below
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import get_strategy

NAME = "rsi_vol_filter"


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


def _wilder_atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, m: int) -> np.ndarray:
    """The catalogue's ATR: TR from bar 1, first value at bar m = mean(TR(1..m)), then Wilder."""
    tr = np.full(len(close), np.nan)
    for i in range(1, len(close)):
        tr[i] = max(high[i] - low[i], abs(high[i] - close[i - 1]), abs(low[i] - close[i - 1]))
    out = np.full(len(close), np.nan)
    out[m] = tr[1 : m + 1].mean()
    for i in range(m + 1, len(close)):
        out[i] = (out[i - 1] * (m - 1) + tr[i]) / m
    return out


DEFAULTS = {
    "rsi_period": 14,
    "oversold": 30.0,
    "overbought": 70.0,
    "atr_period": 14,
    "atr_rank_period": 100,
    "vol_threshold": 50.0,
    "vol_exit_threshold": 80.0,
}


def _expected_signal_bars(high, low, close, **params):
    """The catalogue's rule written out: RSI level tests, ATR rank (strictly below) thresholds."""
    q = {**DEFAULTS, **params}
    n, m, p = q["rsi_period"], q["atr_period"], q["atr_rank_period"]
    r = _wilder_rsi(close, n)
    a = _wilder_atr(high, low, close, m)
    rank = np.full(len(close), np.nan)
    for t in range(m + p - 1, len(close)):  # p ATR values exist
        rank[t] = 100.0 * sum(a[j] < a[t] for j in range(t - p + 1, t + 1)) / p
    entry = np.zeros(len(close), bool)
    exit_ = np.zeros(len(close), bool)
    for t in range(1, len(close)):
        if np.isnan(r[t - 1]) or np.isnan(rank[t]):  # two RSI values, p ATR values
            continue
        entry[t] = r[t] < q["oversold"] and rank[t] < q["vol_threshold"]
        exit_[t] = r[t] > q["overbought"] or rank[t] > q["vol_exit_threshold"]
    return entry, exit_


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"rsi_period": 5, "oversold": 25.0, "atr_period": 5, "atr_rank_period": 20},
        {"atr_rank_period": 20, "vol_threshold": 30.0, "vol_exit_threshold": 50.0},
    ],
)
def test_first_trades_on_nvda_match_the_rule_bar_for_bar(params):
    cfg = RunConfig(strategy_name=NAME, params=params, symbols=["NVDA"], costs={"model": "none"})
    _, panel, bars, info = load_for(cfg)
    assert info.first_index == 0
    entry, exit_ = _expected_signal_bars(
        bars.high[:, 0], bars.low[:, 0], bars.close[:, 0], **params
    )
    expected = walk_one_position(entry, exit_, 4)
    assert len(expected) == 4
    trades = run_backtest(cfg).trades.head(4)
    dates = panel.dates
    for (e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert row["symbol"] == "NVDA"
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, 0])


def test_atr_rank_counts_values_strictly_below_the_current_one_in_a_window_including_it():
    x = np.array([1.0, 2.0, 2.0, 3.0, 1.0])
    got = _rank_below(x, 3)
    np.testing.assert_allclose(got, [np.nan, np.nan, 100 / 3, 200 / 3, 0.0])
    block = np.column_stack([x, np.r_[np.nan, x[:-1]]])  # a symbol listed one bar later
    got2 = _rank_below(block, 3)
    np.testing.assert_allclose(got2[:, 0], got)
    np.testing.assert_allclose(got2[1:, 1], got[:-1])
    assert np.isnan(got2[:3, 1]).all()


def test_first_signal_waits_for_two_rsi_values_and_p_atr_values():
    """A steady fall with shrinking ranges: RSI 0 and ATR rank 0 on every bar they exist, so the
    entry fires from the first bar the guard allows: ATR's first value is at bar m (no true range
    on bar 0), the rank needs P of them, RSI(t-1) needs t-1 >= n."""
    t = np.arange(300.0)
    close = (100.0 - 0.1 * t)[:, None]
    half = (5.0 - 0.001 * t)[:, None]
    dates = np.arange(300).astype("datetime64[D]").astype("datetime64[ns]")
    bars = Bars(dates, ("X",), close, close + half, close - half, close, np.ones_like(close))
    for params, first in [({}, 14 + 100 - 1), ({"rsi_period": 40, "atr_rank_period": 20}, 41)]:
        sig = get_strategy(NAME)(**params).signals(bars)
        assert np.flatnonzero(sig.long_entry[:, 0])[0] == first
        assert sig.long_entry[first:, 0].all() and not sig.long_exit.any()
