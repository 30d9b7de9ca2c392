"""earnings_gap_fade: the rule on hand-made bars (the registry suite checks the rest).

Spec: Gap[t] = (open[t] - close[t-1]) / close[t-1]; buy when Gap <= -min_gap_pct (fade_down or
both), sell short when Gap >= min_gap_pct (fade_up or both). Ava: on earnings reaction sessions
only, decided and filled at the gapping open, closed at that session's close or at the stop.
"""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.errors import ParameterError
from ava_backtest.strategies.registry import get_strategy

NAME = "earnings_gap_fade"


def _case():
    close = np.full(10, 100.0)
    open_ = close.copy()
    earnings = np.zeros(10)
    open_[3] = 96.0  # gap -4%, no earnings: a near miss
    open_[5], earnings[5] = 96.0, 1.0  # gap -4% on an earnings session: the fade
    open_[7], earnings[7] = 97.5, 1.0  # gap -2.5% on an earnings session: too small
    open_[8], earnings[8] = 104.0, 1.0  # gap +4%: only for fade_up / both
    return open_, close, earnings


def test_buys_the_earnings_gap_down_at_its_open_and_sells_that_close():
    open_, close, earnings = _case()
    bars = make_bars(close, open=open_, extra={"earnings": earnings[:, None]})
    gap = (open_[1:] - close[:-1]) / close[:-1]
    on = earnings[1:] > 0
    expected = (np.flatnonzero(on & (gap <= -0.03)) + 1).tolist()
    assert expected == [5]
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == expected
    assert signal_bars(sig.short_entry) == []  # default fade_down never shorts
    res = trade(NAME, bars)
    row = res.trades.row(0, named=True)
    # Filled at the gapping open (96), closed at the same session's close (100).
    assert (row["entry_bar"], row["exit_bar"]) == (5, 5)
    assert (row["entry_price"], row["exit_price"]) == (96.0, 100.0)
    assert row["exit_reason"] == "signal" and res.trades.height == 1


def test_both_directions_short_the_earnings_gap_up():
    open_, close, earnings = _case()
    bars = make_bars(close, open=open_, extra={"earnings": earnings[:, None]})
    sig = signals_of(NAME, bars, direction="both")
    assert signal_bars(sig.long_entry) == [5] and signal_bars(sig.short_entry) == [8]
    res = trade(NAME, bars, direction="fade_up")
    assert res.trades["direction"].to_list() == ["short"]
    assert res.trades.row(0, named=True)["entry_price"] == 104.0


def test_the_stop_closes_a_fade_that_keeps_falling():
    open_, close, earnings = _case()
    low = np.minimum(open_, close)
    low[5] = 93.0  # 96 * (1 - 0.02) = 94.08 is crossed
    close[5] = 95.0
    bars = make_bars(close, open=open_, low=low, extra={"earnings": earnings[:, None]})
    row = trade(NAME, bars).trades.row(0, named=True)
    assert row["exit_reason"] == "stop_loss"
    assert row["exit_price"] == pytest.approx(96.0 * 0.98)


def test_direction_must_be_one_of_the_three():
    with pytest.raises(ParameterError) as err:
        get_strategy(NAME)(direction="sideways")
    assert err.value.field == "params.direction"
