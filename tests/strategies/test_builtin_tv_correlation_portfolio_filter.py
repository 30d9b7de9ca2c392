"""tv_correlation_portfolio_filter: its base signal and correlation veto against an independent
pandas write-out of the rule, on made bars with two co-moving symbols and an independent one."""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import make_bars, signal_bars, signals_of

NAME = "tv_correlation_portfolio_filter"
P = {"trend_period": 10, "corr_window": 20, "max_correlation": 0.7}


def _made(n: int = 400):
    """A and B share one factor (return correlation about 0.95); C moves on its own."""
    rng = np.random.default_rng(3)
    factor = rng.normal(0.0005, 0.015, n)
    ra = factor + rng.normal(0, 0.004, n)
    rb = factor + rng.normal(0, 0.004, n)
    rc = rng.normal(0.0005, 0.015, n)
    close = 100 * np.exp(np.cumsum(np.column_stack([ra, rb, rc]), axis=0))
    return close, make_bars(close, symbols=["A", "B", "C"])


def _expected(close: np.ndarray, n: int, w: int, limit: float):
    """The rule written out with pandas: base entry = close crosses above SMA_n (from below),
    exit = crosses below; held from an entry to the next exit; the book's return for symbol j on
    bar s = mean return of the other symbols held at the close of s-1; veto when another symbol
    is held and the w-bar correlation of j's returns with that book return is >= limit."""
    c = pd.DataFrame(close)
    s = c.rolling(n).mean()
    up = (c > s) & (c.shift() < s.shift())
    down = (c < s) & (c.shift() > s.shift())
    held = pd.DataFrame(False, index=c.index, columns=c.columns)
    state = [False] * c.shape[1]
    for t in range(len(c)):
        for j in c.columns:
            if up.iloc[t, j]:
                state[j] = True
            if down.iloc[t, j]:
                state[j] = False
        held.iloc[t] = state
    r = c.pct_change(fill_method=None)
    was = held.shift(fill_value=False)
    entries, vetoed = {}, {}
    for j in c.columns:
        others = [k for k in c.columns if k != j]
        count = was[others].sum(axis=1)
        book = (r[others] * was[others]).sum(axis=1) / count.where(count > 0)
        rho = r[j].rolling(w).corr(book)
        now = held[others].sum(axis=1)
        veto = up[j] & (now > 0) & (rho >= limit)
        entries[j] = np.flatnonzero(up[j] & ~veto).tolist()
        vetoed[j] = np.flatnonzero(veto).tolist()
    return entries, vetoed, np.flatnonzero(down.to_numpy()[:, 0]).tolist()


def test_entries_correlated_with_the_book_are_vetoed_and_the_others_taken():
    close, bars = _made()
    entries, vetoed, exits_a = _expected(close, 10, 20, 0.7)
    # The rule fires: co-moving A and B veto each other's entries while one is held ...
    assert len(vetoed[0]) + len(vetoed[1]) >= 3
    # ... and the near miss: the independent C is never vetoed.
    assert vetoed[2] == [] and len(entries[2]) >= 3
    sig = signals_of(NAME, bars, **P)
    for j in range(3):
        assert signal_bars(sig.long_entry, j) == entries[j], j
    assert signal_bars(sig.long_exit, 0) == exits_a
    rho = sig.series["rho"]
    for j in (0, 1):
        assert (rho[vetoed[j], j] >= 0.7).all()


def test_without_a_book_the_base_signal_trades_alone():
    close, bars = _made()
    one = make_bars(close[:, :1], symbols=["A"])
    sig = signals_of(NAME, one, **P)
    c = pd.Series(close[:, 0])
    s = c.rolling(10).mean()
    base = np.flatnonzero((c > s) & (c.shift() < s.shift())).tolist()
    assert signal_bars(sig.long_entry) == base
    # A threshold of 1 vetoes nothing, even with the book.
    loose = signals_of(NAME, bars, **{**P, "max_correlation": 1.0})
    assert (
        signal_bars(loose.long_entry, 1)
        == np.flatnonzero(
            (pd.Series(close[:, 1]) > pd.Series(close[:, 1]).rolling(10).mean())
            & (pd.Series(close[:, 1]).shift() < pd.Series(close[:, 1]).rolling(10).mean().shift())
        ).tolist()
    )
