"""tv_hull_ma_crossover: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import math

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_hull_ma_crossover"


def _wma(x, n):
    out = [np.nan] * len(x)
    for i in range(n - 1, len(x)):
        w = x[i - n + 1 : i + 1]
        out[i] = sum((k + 1) * v for k, v in enumerate(w)) / (n * (n + 1) / 2)
    return out


def _hma(x, n):
    if n < 2:
        return list(x)
    a, b = _wma(x, max(1, n // 2)), _wma(x, n)
    return _wma([2 * p - q for p, q in zip(a, b, strict=True)], max(1, math.isqrt(n)))


def _expected(c, fast, slow):
    f, s = _hma(c, fast), _hma(c, slow)
    entry = [t for t in range(2, len(c)) if f[t - 1] > s[t - 1] and f[t - 2] <= s[t - 2]]
    exit_ = [t for t in range(2, len(c)) if f[t - 1] < s[t - 1] and f[t - 2] >= s[t - 2]]
    return entry, exit_, f, s


CLOSE = [10, 10, 10, 10, 10, 9.5, 9.0, 8.8, 9.4, 10.2, 11.0, 11.5, 11.2, 10.4, 9.6, 9.4]


def test_the_hull_cross_is_acted_on_the_bar_after_it_happens():
    entry, exit_, f, s = _expected(CLOSE, 3, 6)
    assert (entry, exit_) == ([9], [13])
    assert f[8] > s[8] and not f[7] > s[7]  # the cross is on bar 8, seen at 9
    sig = signals_of(NAME, make_bars(CLOSE), fast_length=3, slow_length=6)
    assert signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_


def test_a_fast_length_of_one_is_the_close_itself():
    entry, exit_, *_ = _expected(CLOSE, 1, 4)
    sig = signals_of(NAME, make_bars(CLOSE), fast_length=1, slow_length=4)
    assert entry and signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_
