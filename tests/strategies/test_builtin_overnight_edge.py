"""overnight_edge: its rule on hand-made bars, long and short (the registry suite checks the
rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "overnight_edge"
P = 4


def _rsi_lag(c: list[float], i: int, p: int) -> float | None:
    """The spec's RSIlag[i]: closes[i-p..i-1], G and L summed over their changes and divided by p."""
    if i < p:
        return None
    w = c[i - p : i]
    d = [w[k] - w[k - 1] for k in range(1, len(w))]
    g = sum(x for x in d if x > 0) / p
    lo = sum(-x for x in d if x < 0) / p
    if lo == 0:
        return 100.0 if g > 0 else 0.0
    return 100 - 100 / (1 + g / lo)


def _expected(c: list[float], p: int) -> tuple[list[int], list[int]]:
    buy, sell = [], []
    for t in range(p + 5, len(c)):
        r = _rsi_lag(c, t - 1, p)
        if r is None:
            continue
        if r < 50:
            buy.append(t)
        elif r > 70:
            sell.append(t)
    return buy, sell


CLOSE = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 19, 18, 17, 16, 16.5, 17, 18, 19, 20, 21, 21]


def test_low_lagged_rsi_buys_high_sells_and_goes_short():
    buy, sell = _expected(CLOSE, P)
    # The fall starts at bar 11 but is read two bars late: RSI 66.7 at 13, 33.3 at 14.
    assert buy == [14, 15, 16, 17] and sell == [9, 10, 11, 12, 19, 20, 21]
    sig = signals_of(NAME, make_bars(CLOSE), rsi_period=P)
    assert signal_bars(sig.long_entry) == buy
    assert signal_bars(sig.long_exit) == sell
    assert signal_bars(sig.short_entry) == sell


def test_near_miss_rsi_between_the_levels_and_inside_the_warm_up_fires_nothing():
    # One up, one down change in every window: RSI exactly 50 (not below 50, not above 70).
    zigzag = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11]
    assert _expected(zigzag, 3) == ([], [])
    sig = signals_of(NAME, make_bars(zigzag), rsi_period=3)
    assert not sig.long_entry.any() and not sig.short_entry.any()


def test_it_opens_a_short():
    res = trade(NAME, make_bars(CLOSE), rsi_period=P)
    rows = list(res.trades.iter_rows(named=True))
    assert [r["direction"] for r in rows][:2] == ["short", "long"]
    # short at bar 10's open (signal bar 9), reversed into the long at bar 15's open (signal 14)
    dates = list(make_bars(CLOSE).dates)
    assert dates.index(np.datetime64(rows[0]["entry_time"], "ns")) == 10
    assert dates.index(np.datetime64(rows[0]["exit_time"], "ns")) == 15
    assert rows[0]["exit_reason"] == "reversal"
