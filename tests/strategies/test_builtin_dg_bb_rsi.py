"""dg_bb_rsi: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

from handmade import make_bars, signal_bars, signals_of, trade

NAME = "dg_bb_rsi"
P = {"bb_length": 5, "rsi_length": 3, "rsi_lower": 30.0}

# Flat at 100, one drop to 90 at bar 10, then back up through the middle band at bar 13.
CLOSE = [100.0] * 10 + [90.0, 90.0, 91.0, 95.0, 100.0, 102.0, 103.0, 103.0]


def test_a_close_under_the_lower_band_with_rsi_oversold_buys_a_bar_later():
    # Bar 10: window 100 x4, 90 -> mean 98, sample sd sqrt(80/4) = 4.47, lower(1.5) = 91.29 > 90;
    # RSI over changes (0, 0, -10) = 0 < 30. Bar 11: mean 96, sd 5.48, lower 87.8 < 90: no.
    # Middle at 12 = 94.2 >= 91, at 13 = 93.2 < 95: the cross is bar 13. Both read a bar later.
    sig = signals_of(NAME, make_bars(CLOSE), bb_std=1.5, **P)
    assert signal_bars(sig.long_entry) == [11]
    assert signal_bars(sig.long_exit) == [14]
    res = trade(NAME, make_bars(CLOSE), bb_std=1.5, **P)
    assert res.trades["entry_price"].to_list() == [CLOSE[12]]
    assert res.trades["exit_price"].to_list() == [CLOSE[15]]


def test_near_miss_one_outlier_cannot_leave_a_two_sd_band():
    # In a 5-bar sample window one outlier is at most (5 - 1) / sqrt(5) = 1.79 sd from the mean.
    sig = signals_of(NAME, make_bars(CLOSE), bb_std=2.0, **P)
    assert signal_bars(sig.long_entry) == []


def test_near_miss_rsi_not_oversold():
    # A drop after two rises: bar 10's window 76, 84, 92, 100, 74 has mean 85.2 and sample sd
    # 10.92, so 74 is under the 1-sd band (74.28); but changes (+8, +8, -26) give RSI
    # 100 * 16 / 42 = 38: oversold below 40, not below 30.
    close = [76.0] * 7 + [84.0, 92.0, 100.0, 74.0] + [74.0, 80.0, 90.0, 100.0]
    sig = signals_of(NAME, make_bars(close), bb_std=1.0, **P)
    assert signal_bars(sig.long_entry) == []
    assert signal_bars(
        signals_of(NAME, make_bars(close), bb_std=1.0, **{**P, "rsi_lower": 40.0}).long_entry
    ) == [11]
