"""post_earnings_drift: the rule on hand-made bars (the registry suite checks the rest).

Spec: Gap[t] = (open[t] - close[t-1]) / close[t-1]; VS20[t] = mean(volume[t-19..t]); buy when
Gap > min_gap_pct and volume > min_volume_mult * VS20, sell (short) when Gap < -min_gap_pct with
the same volume test. Ava: on earnings reaction sessions only; exits on volume dry-up or a later
large gap, a target/stop profit_target from the fill, and hold_days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "post_earnings_drift"
N = 40


def _case():
    close = np.full(N, 100.0)
    open_ = close.copy()
    volume = np.full(N, 1e6)
    earnings = np.zeros(N)
    open_[22], volume[22], earnings[22] = 104.0, 1.5e6, 1.0  # earnings gap, volume too low
    open_[24], volume[24] = 104.0, 3e6  # loud gap, not an earnings session
    open_[26], volume[26], earnings[26] = 104.0, 3e6, 1.0  # the entry
    open_[30], volume[30], earnings[30] = 96.0, 3e6, 1.0  # loud earnings gap down: short
    return open_, close, volume, earnings


def _expected(open_, close, volume, earnings):
    gap = pd.Series(open_) / pd.Series(close).shift(1) - 1
    vs20 = pd.Series(volume).rolling(20).mean()
    loud = (pd.Series(volume) > 2.0 * vs20) & (earnings > 0)
    return np.flatnonzero(loud & (gap > 0.03)).tolist(), np.flatnonzero(
        loud & (gap < -0.03)
    ).tolist()


def test_enters_on_loud_earnings_gaps_only():
    open_, close, volume, earnings = _case()
    longs, shorts = _expected(open_, close, volume, earnings)
    assert (longs, shorts) == ([26], [30])
    bars = make_bars(close, open=open_, volume=volume, extra={"earnings": earnings[:, None]})
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == longs
    assert signal_bars(sig.short_entry) == shorts
    res = trade(NAME, bars)
    # The long (filled at 27) is reversed into the short at the open after bar 30.
    assert res.trades.select("direction", "entry_bar", "exit_bar", "exit_reason").rows() == [
        ("long", 27, 31, "reversal")
    ]
    assert res.open_positions["direction"].to_list() == ["short"]


def _drift(path: np.ndarray, hold_days: int = 60):
    """One loud earnings gap up at bar 25, then closes along ``path`` on normal volume."""
    close = np.full(N, 100.0)
    close[25:] = path[: N - 25]
    open_ = np.r_[100.0, close[:-1]]
    open_[25] = 104.0
    volume = np.full(N, 1e6)
    volume[25] = 3e6
    earnings = np.zeros(N)
    earnings[25] = 1.0
    bars = make_bars(close, open=open_, volume=volume, extra={"earnings": earnings[:, None]})
    return trade(NAME, bars, hold_days=hold_days).trades.row(0, named=True)


def test_the_profit_target_from_the_fill_takes_the_drift():
    row = _drift(104.0 * np.cumprod(np.full(N, 1.02)))  # +2% a day: +10% from the fill in 5
    assert row["exit_reason"] == "take_profit"
    assert row["exit_price"] == pytest.approx(row["entry_price"] * 1.1)


def test_the_stop_from_the_fill_cuts_a_reversal():
    row = _drift(104.0 * np.cumprod(np.full(N, 0.98)))
    assert row["exit_reason"] == "stop_loss"
    assert row["exit_price"] == pytest.approx(row["entry_price"] * 0.9)


def test_hold_days_is_a_time_stop():
    row = _drift(np.full(N, 104.5), hold_days=5)
    # Decided at the close of the fifth bar held (the fill bar is bar 1), filled at the next open.
    assert row["exit_reason"] == "max_hold" and row["exit_bar"] == row["entry_bar"] + 5
