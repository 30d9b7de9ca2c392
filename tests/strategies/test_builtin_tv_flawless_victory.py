"""tv_flawless_victory: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_flawless_victory"
P = {"rsi_period": 2, "bb_period": 3, "bb_std": 1.0}


def _rsi(c, n):
    """Wilder: mean of the first n changes, then (prev * (n-1) + x) / n; 100 with no losses."""
    d = np.diff(np.asarray(c, dtype=float))
    out = [np.nan] * len(c)
    up, dn = np.mean(np.maximum(d[:n], 0)), np.mean(np.maximum(-d[:n], 0))
    for i in range(n, len(c)):
        if i > n:
            up = (up * (n - 1) + max(d[i - 1], 0)) / n
            dn = (dn * (n - 1) + max(-d[i - 1], 0)) / n
        out[i] = 100.0 if dn == 0 else 100 - 100 / (1 + up / dn)
    return out


def _expected(c, n_rsi, n_bb, k, lo=42, hi=76):
    s = pd.Series(c, dtype=float)
    mid = s.rolling(n_bb).mean()
    sd = s.rolling(n_bb).std(ddof=0)
    r = _rsi(c, n_rsi)
    entry, exit_ = [], []
    for t in range(1, len(c)):
        if c[t - 1] < mid[t - 1] - k * sd[t - 1] and r[t - 1] < lo:
            entry.append(t)
        elif c[t - 1] > mid[t - 1] + k * sd[t - 1] and r[t - 1] > hi:
            exit_.append(t)
    return entry, exit_, r


# bar 6 drops below the lower band with RSI under 42 (entry at 7); bars 8, 11 and 12 close above
# the upper band with RSI over 76 (exits at 9, 12, 13); bar 14 closes below the lower band with RSI
# still over 42 (near miss: nothing at 15)
CLOSE = [10, 10.1, 10.0, 10.1, 10.0, 10.1, 9.5, 9.6, 10.4, 10.2, 10.3, 11.0, 11.6, 11.5, 11.4, 11.4]


def test_band_and_rsi_guards_read_one_bar_late():
    entry, exit_, r = _expected(CLOSE, 2, 3, 1.0)
    assert (entry, exit_) == ([7], [9, 12, 13])
    assert r[14] >= 42  # the near miss: below the band, RSI not low enough
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_


def _fall_then(after):
    """The entry of the test above (filled at bar 8's open), then the bars ``after`` as (open,
    close) pairs."""
    opens = CLOSE[:8] + [o for o, _ in after]
    return make_bars(CLOSE[:8] + [c for _, c in after], open=opens)


def test_the_declared_stop_and_target_are_engine_exits():
    stop = trade(NAME, _fall_then([(9.6, 9.6), (9.5, 8.9), (8.9, 8.9)]), **P).trades
    assert stop["exit_reason"].to_list() == ["stop_loss"]
    assert stop["exit_price"][0] == pytest.approx(9.6 * (1 - 0.066))
    after = [(9.6, 9.6), (9.7, 9.9), (9.9, 9.9)]
    target = trade(NAME, _fall_then(after), **P).trades.row(0, named=True)
    assert target["exit_reason"] == "take_profit"
    assert target["exit_price"] == pytest.approx(9.6 * 1.023)
