"""tv_linear_regression_channel: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, linreg_end, prev, std

NAME = "tv_linear_regression_channel"
P = {"length": 6, "multiplier": 2.0}

# A gentle zig-zag uptrend, a jump above the channel, a slide through the lower line.
CLOSE = [100, 101, 100.5, 101.5, 101, 102, 101.5, 102.5, 102, 103, 102.5, 103.5]
CLOSE += [108, 109, 108, 106, 103, 99, 98]


def _spec(close, n=6, k=2.0):
    """Catalogue: LR = OLS end point over n closes, SD = population std of those closes; a cross
    of the previous bar's upper line buys, of its lower line sells (unless it buys)."""
    c = arr(close)
    lr, sd = linreg_end(c, n), std(c, n)
    up, lo = prev(lr + k * sd), prev(lr - k * sd)
    pc = prev(c)
    buys = [t for t in range(len(c)) if c[t] > up[t] and pc[t] <= up[t]]
    sells = [t for t in range(len(c)) if c[t] < lo[t] and pc[t] >= lo[t] and t not in buys]
    return buys, sells


def test_a_cross_above_the_upper_line_buys_and_a_cross_below_the_lower_line_sells():
    buys, sells = _spec(CLOSE)
    assert buys == [12] and sells == [16, 17]
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, make_bars(CLOSE), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [make_bars(CLOSE).dates[13], make_bars(CLOSE).dates[17]]


def test_near_miss_a_rise_that_stays_inside_the_channel():
    close = [*CLOSE[:12], 104, 104.2, 103.8, 104.5, 104.1, 104.6, 104.3]
    buys, _ = _spec(close)
    assert buys == []
    assert signal_bars(signals_of(NAME, make_bars(close), **P).long_entry) == []
