"""ibs_mean_reversion: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "ibs_mean_reversion"
P = {"range_period": 3, "high_period": 3, "band_multiplier": 1.0}

# Bars 0-5 quiet (range 2, IBS 0.5); bar 6 drops and closes near its low.
QUIET = {"open": [100.0] * 6, "high": [101.0] * 6, "low": [99.0] * 6, "close": [100.0] * 6}


def _bars(drop_close: float, after: list[tuple[float, float, float, float]]):
    rows = [(97.0, 98.0, 90.0, drop_close), *after]
    o, h, lo, c = (
        QUIET[k] + [r[i] for r in rows] for i, k in enumerate(("open", "high", "low", "close"))
    )
    return make_bars(c, open=o, high=h, low=lo)


AFTER = [
    (91.0, 92.0, 90.0, 91.5),  # bar 7: IBS 0.75, no exit
    (91.5, 94.0, 91.0, 93.8),  # bar 8: IBS 2.8 / 3 = 0.93 > 0.8
    (94.0, 95.0, 93.0, 94.0),
    (94.0, 95.0, 93.0, 94.0),
]


def test_a_weak_close_under_the_band_buys_and_a_strong_close_sells():
    # Bar 6: average range (2 + 2 + 8) / 3 = 4, highest high 101, band 97 > 91, IBS 1/8 < 0.3.
    sig = signals_of(NAME, _bars(91.0, AFTER), **P)
    assert signal_bars(sig.long_entry) == [7]  # read a bar later, as the original
    assert signal_bars(sig.long_exit) == [9]
    res = trade(NAME, _bars(91.0, AFTER), **P)
    assert res.trades["exit_reason"].to_list() == ["signal"]
    assert res.trades["entry_price"].to_list() == [91.5]  # bar 8's open
    assert res.trades["exit_price"].to_list() == [94.0]  # bar 10's open


def test_near_miss_ibs_above_the_entry_threshold():
    # The same drop closing at 93: below the band (97), but IBS 3/8 = 0.375 >= 0.3.
    assert signal_bars(signals_of(NAME, _bars(93.0, AFTER), **P).long_entry) == []


def test_the_stop_is_a_multiple_of_the_average_range_below_the_fill():
    crash = [(91.0, 92.0, 90.0, 91.5), (90.0, 90.5, 85.0, 86.0), (86.0, 87.0, 85.0, 86.0)]
    # The signal at bar 7 fills at bar 8's open, 90; the stop 1 x 4 below it (sent as 4 / 91.5
    # of the signal bar's close, applied to the fill: 90 x 4 / 91.5) is inside bar 8's range.
    res = trade(NAME, _bars(91.0, crash), stop_multiplier=1.0, **P)
    assert res.trades["exit_reason"].to_list() == ["stop_loss"]
    assert res.trades["exit_price"].to_list() == [pytest.approx(90.0 - 90.0 * 4.0 / 91.5)]
    # With the default 3 x 4 = 12 the stop (78) is not reached.
    assert trade(NAME, _bars(91.0, crash), **P).trades.height == 0
