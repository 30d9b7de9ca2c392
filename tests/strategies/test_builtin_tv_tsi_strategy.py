"""tv_tsi_strategy: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_tsi_strategy"
P = {"long_length": 3, "short_length": 2, "signal_length": 2}


def _ema(x, n):
    """Seeded with the mean of its first n defined values."""
    x = np.asarray(x, dtype=float)
    out, a = np.full(len(x), np.nan), 2.0 / (n + 1)
    f = int(np.argmax(~np.isnan(x)))
    out[f + n - 1] = x[f : f + n].mean()
    for i in range(f + n, len(x)):
        out[i] = out[i - 1] + a * (x[i] - out[i - 1])
    return out


def _spec(c, long_, short, signal):
    d = np.diff(np.asarray(c, dtype=float), prepend=np.nan)
    tsi = 100 * _ema(_ema(d, long_), short) / _ema(_ema(np.abs(d), long_), short)
    sig = _ema(tsi, signal)
    t_ = range(1, len(c))
    buys = [t for t in t_ if tsi[t - 1] <= sig[t - 1] and tsi[t] > sig[t]]
    sells = [t for t in t_ if tsi[t - 1] >= sig[t - 1] and tsi[t] < sig[t]]
    return buys, sells, tsi


# A decline, a turn up, a climb that loses pace, a turn down.
CLOSE = [100, 99, 98.5, 97, 96, 95.5, 95, 96, 98, 101, 104, 106, 107, 107.5, 107, 105, 102]


def test_tsi_crossing_its_signal_line_buys_and_sells():
    buys, sells, tsi = _spec(CLOSE, 3, 2, 2)
    assert buys == [7] and sells == [14]
    assert np.nanmax(np.abs(tsi)) <= 100  # the standard, bounded index
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    np.testing.assert_allclose(sig.series["tsi"][:, 0], tsi, equal_nan=True)
    res = trade(NAME, make_bars(CLOSE), **P)
    row = res.trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"]) == (CLOSE[8], CLOSE[15])


def test_near_miss_a_pause_that_does_not_turn_the_index():
    # The decline pauses for one flat bar: the TSI flattens toward its signal but stays below it.
    close = [100, 99, 98.5, 97, 96, 95.5, 95, 95, 94, 93, 92]
    buys, _, _ = _spec(close, 3, 2, 2)
    assert buys == []
    sig = signals_of(NAME, make_bars(close), **P)
    assert signal_bars(sig.long_entry) == []
