"""tv_gap_trading: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_gap_trading"


def _bars(days):
    o, h, lo, c = (list(x) for x in zip(*days, strict=True))
    return make_bars(c, open=o, high=h, low=lo)


def _expected(o, c, min_gap_pct=1.0):
    return [
        t for t in range(1, len(o)) if c[t - 1] > 0 and o[t] < c[t - 1] * (1 - min_gap_pct / 100)
    ]


def test_a_gap_down_of_more_than_min_gap_pct_is_bought_at_its_open():
    opens = [100, 99.5, 100, 98.9, 100, 99.0, 100]  # gaps: 0.5%, 1.1%, exactly 1% (no)
    close = [100] * len(opens)
    expected = _expected(opens, close)
    assert expected == [3]
    assert signal_bars(signals_of(NAME, make_bars(close, open=opens)).long_entry) == expected


def test_the_gap_fill_target_is_the_previous_close():
    bars = _bars([(100, 100, 100, 100), (98, 100.5, 97.5, 100.2), (100, 100, 100, 100)])
    row = trade(NAME, bars).trades.row(0, named=True)
    assert (row["entry_price"], row["exit_reason"]) == (98, "take_profit")
    assert row["exit_price"] == pytest.approx(100)
    assert row["entry_time"] == row["exit_time"]  # filled the same day


def test_the_stop_and_the_time_stop_are_engine_exits():
    stop = trade(NAME, _bars([(100, 100, 100, 100), (97, 97.5, 92, 93), (93, 93, 93, 93)]))
    row = stop.trades.row(0, named=True)
    assert row["exit_reason"] == "stop_loss"
    assert row["exit_price"] == pytest.approx(97 * 0.95)
    drift = [(100, 100, 100, 100), (97, 97.5, 96.5, 97)] + [(97, 97.5, 96.5, 97)] * 6
    bars = _bars(drift)
    row = trade(NAME, bars).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    # decided at the close of bar 5 (bars 1..5 held), filled at the next open
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[6]
