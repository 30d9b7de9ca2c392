"""dg_macd_ema: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of

NAME = "dg_macd_ema"
PARAMS = {"macd_fast": 2, "macd_slow": 3, "macd_signal": 2, "ema_period": 20}
WIGGLE = [128, 126, 124.5, 124.6, 124.9, 125.5, 126.5, 128, 129, 130, 131, 120, 110, 105]


def _ema_sma(x: pd.Series, n: int) -> pd.Series:
    """The spec's EMA_sma: undefined before n-1 values, SMA seed, then alpha 2/(n+1)."""
    out = pd.Series(np.nan, index=x.index)
    first = x.first_valid_index()
    if first is None or len(x) < first + n:
        return out
    e = x.iloc[first : first + n].mean()
    out.iloc[first + n - 1] = e
    for i in range(first + n, len(x)):
        e += (x.iloc[i] - e) * 2.0 / (n + 1)
        out.iloc[i] = e
    return out


def _expected(close: list[float]) -> tuple[list[int], list[int]]:
    c = pd.Series(close, dtype=float)
    m = _ema_sma(c, 2) - _ema_sma(c, 3)
    s = _ema_sma(m, 2)
    tr = _ema_sma(c, 20)
    m1, s1, m2, s2 = m.shift(1), s.shift(1), m.shift(2), s.shift(2)
    c1, t1, c2, t2 = c.shift(1), tr.shift(1), c.shift(2), tr.shift(2)
    ok = np.arange(len(c)) >= max(20, 3) + 5
    entry = ((m1 > s1) & (m2 <= s2) & (m1 < 0) & (s1 < 0) & (c1 > t1)).to_numpy() & ok
    exit_ = ((c1 < t1) & (c2 >= t2)).to_numpy() & ok
    return np.flatnonzero(entry).tolist(), np.flatnonzero(exit_).tolist()


def test_macd_cross_below_zero_above_the_trend_buys_and_the_trend_break_sells():
    close = [*np.linspace(100, 130, 30), *WIGGLE]
    entry, exit_ = _expected(close)
    # MACD crosses its signal on bar 33 (both below zero, close above the EMA): buy at 34; the
    # close breaks below the EMA on bar 41: sell at 42.
    assert entry == [34] and exit_ == [42]
    sig = signals_of(NAME, make_bars(close), **PARAMS)
    assert signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_


def test_near_miss_the_same_cross_below_the_trend_ema_does_not_buy():
    close = [*np.linspace(160, 130, 30), *WIGGLE]
    entry, _ = _expected(close)
    assert entry == []
    sig = signals_of(NAME, make_bars(close), **PARAMS)
    assert signal_bars(sig.long_entry) == []
