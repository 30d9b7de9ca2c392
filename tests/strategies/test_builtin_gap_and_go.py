"""gap_and_go: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "gap_and_go"


def _expected(o, c, lo=0.02, hi=0.08):
    gaps = [None] + [(o[t] - c[t - 1]) / c[t - 1] for t in range(1, len(o))]
    longs = [t for t, g in enumerate(gaps) if g is not None and lo <= g <= hi]
    shorts = [t for t, g in enumerate(gaps) if g is not None and -hi <= g <= -lo]
    return longs, shorts


def test_gaps_inside_the_band_decide_the_side_at_the_open():
    # gaps (open vs the previous close 100): +2%, +1.9%, +8%, +8.5%, -3%, -1.5%, -8.1%
    opens = [100, 102, 101.9, 108, 108.5, 97, 98.5, 91.9, 100]
    close = [100] * len(opens)
    longs, shorts = _expected(opens, close)
    assert (longs, shorts) == ([1, 3], [5])
    sig = signals_of(NAME, make_bars(close, open=opens))
    assert signal_bars(sig.long_entry) == longs
    assert signal_bars(sig.short_entry) == shorts


def _bars(days):
    o, h, lo, c = (list(x) for x in zip(*days, strict=True))
    return make_bars(c, open=o, high=h, low=lo)


def test_a_gap_up_is_bought_at_the_open_and_sold_at_that_close():
    bars = _bars([(100, 100, 100, 100), (103, 105, 102.5, 104), (104, 104, 104, 104)])
    row = trade(NAME, bars).trades.row(0, named=True)
    assert row["direction"] == "long"
    assert (row["entry_price"], row["exit_price"], row["exit_reason"]) == (103, 104, "max_hold")
    assert row["entry_time"] == row["exit_time"]  # in and out on the gap day


def test_a_gap_down_is_shorted_and_the_stop_is_one_percent_above_the_open():
    bars = _bars([(100, 100, 100, 100), (97, 98.5, 96, 96.5), (96.5, 96.5, 96.5, 96.5)])
    row = trade(NAME, bars).trades.row(0, named=True)
    assert (row["direction"], row["exit_reason"]) == ("short", "stop_loss")
    assert row["exit_price"] == pytest.approx(97 * 1.01)
    assert row["entry_time"] == row["exit_time"]


def test_gaps_on_consecutive_days_are_separate_day_trades():
    bars = _bars(
        [
            (100, 100, 100, 100),
            (97, 97.6, 96.9, 97.5),  # gap down: short, out at 97.5
            (94.5, 94.9, 94.4, 94.6),  # gap down again: short, out at 94.6
            (97.5, 97.9, 97.4, 97.6),  # gap up: long, out at 97.6
            (97.5, 97.6, 97.4, 97.5),
        ]
    )
    trades = trade(NAME, bars).trades
    assert trades["direction"].to_list() == ["short", "short", "long"]
    assert trades["exit_reason"].to_list() == ["max_hold"] * 3
    entry = [np.datetime64(x, "ns") for x in trades["entry_time"].to_list()]
    assert entry == list(bars.dates[1:4])
