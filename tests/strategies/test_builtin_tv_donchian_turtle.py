"""tv_donchian_turtle: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_donchian_turtle"
P = {"entry_length": 4, "exit_length": 2}


def _spec(h, lo, c, e, x):
    """The catalogue's channels of the bars before t, close(t-1) against the channel as of t."""
    buys, sells = [], []
    for t in range(max(e, x), len(c)):
        eu, xl = max(h[t - e : t]), min(lo[t - x : t])
        if c[t - 1] <= eu and c[t] > eu:
            buys.append(t)
        elif c[t - 1] >= xl and c[t] < xl:
            sells.append(t)
    return buys, sells


CLOSE = [10, 10.2, 10.1, 10.3, 10.2, 10.45, 10.7, 10.9, 10.8, 10.5, 10.2, 10.0, 10.1]


def _bars(close=CLOSE):
    c = np.asarray(close, dtype=float)
    return make_bars(c, high=c + 0.1, low=c - 0.1), list(c + 0.1), list(c - 0.1)


def test_breakout_above_the_prior_high_buys_and_the_prior_low_sells():
    bars, h, lo = _bars()
    buys, sells = _spec(h, lo, CLOSE, 4, 2)
    # 5: 10.45 > 10.4 (the high of bars 1-4); 9: 10.5 < 10.7 (the low of bars 7-8).
    assert buys == [5, 6, 7] and sells == [9, 10, 11]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, bars, **P)
    assert np.datetime64(res.trades["entry_time"][0], "ns") == bars.dates[6]
    assert np.datetime64(res.trades["exit_time"][0], "ns") == bars.dates[10]


def test_near_miss_a_close_equal_to_the_prior_high_is_no_breakout():
    close = list(CLOSE)
    close[5] = 10.4  # equals the prior 4-bar high (10.3 + 0.1)
    bars, h, lo = _bars(close)
    buys, _ = _spec(h, lo, close, 4, 2)
    assert 5 not in buys
    assert 5 not in signal_bars(signals_of(NAME, bars, **P).long_entry)
