"""oversold_bounce_rsi: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

from handmade import make_bars, signal_bars, signals_of, trade

NAME = "oversold_bounce_rsi"

# Wilder RSI(3), seeded at bar 3 with the changes' sums / 3:
#   bar 3: G 1, L 0 -> 100;  bar 4 (-4): G 2/3, L 4/3 -> 33.3;  bar 5 (-1): G 4/9, L 11/9 -> 26.7
#   bar 6 (+3): G 35/27, L 22/27 -> 61.4;  bar 7 (+1): G 97/81, L 44/81 -> 68.8
CLOSE = [100.0, 101.0, 102.0, 103.0, 99.0, 98.0, 101.0, 102.0, 103.0]


def test_previous_bars_rsi_below_entry_buys_and_above_exit_sells():
    sig = signals_of(NAME, make_bars(CLOSE), rsi_period=3)
    assert signal_bars(sig.long_entry) == [6]  # RSI(5) = 26.7 < 30
    assert signal_bars(sig.long_exit) == [4, 7, 8]  # RSI(3), RSI(6), RSI(7) > 50
    res = trade(NAME, make_bars(CLOSE), rsi_period=3)
    assert res.trades["entry_price"].to_list() == [CLOSE[7]]
    assert res.trades["exit_price"].to_list() == [CLOSE[8]]


def test_near_miss_rsi_33_is_not_oversold():
    # Bar 4's RSI 33.3 buys with a threshold of 35 but not with 30.
    assert signal_bars(signals_of(NAME, make_bars(CLOSE), rsi_period=3).long_entry) == [6]
    sig = signals_of(NAME, make_bars(CLOSE), rsi_period=3, entry_rsi=35.0)
    assert signal_bars(sig.long_entry) == [5, 6]
