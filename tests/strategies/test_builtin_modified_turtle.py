"""modified_turtle: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "modified_turtle"
P = {"high_period": 3, "atr_period": 2}

CLOSE = [10, 10, 10, 10, 10.5, 10.6, 10.6, 10.6, 9.5, 9.5, 9.4, 9.3, 10.7, 10.7]
VOLUME = [1e6] * 4 + [2e6, 1e6, 1e6, 1e6, 3e6] + [1e6] * 5


def _expected(h, lo, c, v, p, mult=1.5, min_price=5.0, min_volume=100_000):
    longs, shorts = [], []
    for t in range(p, len(c)):
        vs = sum(v[t - p : t]) / p
        ok = v[t] > mult * vs and c[t] >= min_price and vs >= min_volume
        longs += [t] * int(ok and c[t] > max(h[t - p : t]))
        shorts += [t] * int(ok and c[t] < min(lo[t - p : t]))
    return longs, shorts


def _bars(close=CLOSE, volume=VOLUME):
    c = np.array(close, dtype=float)
    return make_bars(c, high=c + 0.1, low=c - 0.1, volume=volume)


def test_breakout_long_and_breakdown_short_need_the_volume_surge():
    c = np.array(CLOSE)
    longs, shorts = _expected(list(c + 0.1), list(c - 0.1), CLOSE, VOLUME, 3)
    # 4: above 10.1 on 2x volume; 5: above 10.6 on 1e6 < 1.5 x 1.33e6 (near miss); 8: below 10.5
    assert (longs, shorts) == ([4], [8])
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == longs
    assert signal_bars(sig.short_entry) == shorts


def test_no_entry_under_min_price():
    close = [x / 2 for x in CLOSE]  # the same shape at 5.25: under min_price 5.3
    for min_price, want in ((5.2, [4]), (5.3, [])):
        sig = signals_of(NAME, _bars(close), **P, min_price=min_price)
        assert signal_bars(sig.long_entry) == want


def test_atr_trailing_stop_ends_the_long_and_the_short():
    trades = trade(NAME, _bars(), **P).trades
    assert trades["direction"].to_list() == ["long", "short"]
    assert trades["exit_reason"].to_list() == ["trailing_stop", "trailing_stop"]
    # long from 10.6: ATR(2) at bar 4 = (0.2 + 0.6) / 2, trail 0.8 under the highest high 10.7;
    # bar 8 opens at 9.5, through 9.9
    assert trades["exit_price"].to_list()[0] == 9.5
    # short from 9.5: ATR(2) at bar 8 = (0.2 + 1.2) / 2, trail 1.4 over the lowest low 9.2;
    # bar 12 opens at 10.7, through 10.6
    assert trades["exit_price"].to_list()[1] == 10.7
