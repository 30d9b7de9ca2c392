"""tv_ema_moving_away: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_ema_moving_away"
P = {"length": 3}


def _ema(c, n):
    """The catalogue's EMA: the mean of the first n closes at bar n-1, then the recursion."""
    out, k = np.full(len(c), np.nan), 2.0 / (n + 1)
    out[n - 1] = np.mean(c[:n])
    for i in range(n, len(c)):
        out[i] = c[i] * k + out[i - 1] * (1 - k)
    return out


def _spec(o, c, n, pct=2.0, body_max=2.0):
    e = _ema(np.asarray(c, dtype=float), n)
    body = [abs(c[i] - o[i]) / o[i] * 100 for i in range(len(c))]
    t_ = range(1, len(c))
    buys = [t for t in t_ if c[t] <= e[t - 1] * (1 - pct / 100) and body[t - 1] < body_max]
    exits = [t for t in t_ if c[t] >= e[t - 1]]
    return buys, exits


# Quiet bars at 100 (tiny bodies), a drop to 97 (3% under the EMA), a bounce back to 100.
CLOSE = [100, 100.2, 100, 100.1, 100, 97, 98, 99, 100, 100.5]
OPEN = [100, 100, 100.2, 100, 100.1, 100, 97, 98, 99, 100]


def test_close_far_below_the_previous_ema_buys_and_the_return_to_it_sells():
    buys, exits = _spec(OPEN, CLOSE, 3)
    assert buys == [5] and next(t for t in exits if t > 5) == 7  # 99 >= EMA(6) = 98.26
    sig = signals_of(NAME, make_bars(CLOSE, open=OPEN), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == exits
    res = trade(NAME, make_bars(CLOSE, open=OPEN), **P)
    assert res.trades["exit_reason"].to_list() == ["signal"]


def test_near_miss_a_big_previous_candle_body():
    o = list(OPEN)
    o[4] = 102.5  # bar 4's body: 2.4% of its open
    buys, _ = _spec(o, CLOSE, 3)
    assert buys == []
    assert signal_bars(signals_of(NAME, make_bars(CLOSE, open=o), **P).long_entry) == []


def test_the_stop_ends_a_long_that_keeps_falling():
    close = [*CLOSE[:6], 96, 94, 93, 92]
    open_ = [*OPEN[:6], 97, 96, 94, 93]
    res = trade(NAME, make_bars(close, open=open_), **P)
    row = res.trades.row(0, named=True)
    # Filled at bar 6's open (97); the 2% stop 95.06 is crossed inside bar 7 (96 -> 94).
    assert (row["exit_reason"], row["entry_price"]) == ("stop_loss", 97.0)
    assert abs(row["exit_price"] - 97.0 * 0.98) < 1e-9
