"""tv_keltner_mean_reversion: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import ema, prev, wilder_atr, wilder_rsi

NAME = "tv_keltner_mean_reversion"
P = {"kc_length": 5, "rsi_length": 3, "kc_mult": 1.5}

# Quiet bars around 100, a slide to 92 closing near each low, a bounce back to 100.
CLOSE = [100, 100.5, 100, 100.5, 100, 100.5, 100, 99, 96, 92, 93, 95, 97, 99.5, 100.5, 101]
OPEN = CLOSE[:1] + CLOSE[:-1]
HIGH = [max(o, c) + 0.5 for o, c in zip(OPEN, CLOSE, strict=True)]
LOW = [min(o, c) - 0.2 for o, c in zip(OPEN, CLOSE, strict=True)]


def _spec(close, n=5, mult=1.5, r=3, oversold=30):
    c = np.asarray(close, dtype=float)
    basis = ema(c, n)
    lower = basis - mult * wilder_atr(HIGH, LOW, c, n)
    rs = wilder_rsi(c, r)
    t_ = range(1, len(c))
    buys = [t for t in t_ if c[t - 1] <= lower[t - 1] and rs[t - 1] < oversold]
    pb = prev(basis)
    sells = [t for t in t_ if c[t] >= pb[t] and t not in buys]
    return buys, sells


def _bars(close=CLOSE):
    return make_bars(close, open=OPEN, high=HIGH, low=LOW)


def test_an_oversold_close_under_the_lower_band_buys_the_next_bar_and_the_basis_sells():
    buys, sells = _spec(CLOSE)
    assert buys == [10]  # bar 9 closes under the band with RSI 0; bar 10 reads it
    assert [t for t in sells if t > 10][:1] == [12]
    sig = signals_of(NAME, _bars(), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, _bars(), **P)
    row = res.trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [_bars().dates[11], _bars().dates[13]]  # filled at the next opens


def test_near_miss_the_slide_stays_inside_the_band():
    close = [*CLOSE[:8], 98, 97, 97.5, 98, 99, 99.5, 100.5, 101]
    buys, _ = _spec(close)
    assert buys == []
    assert signal_bars(signals_of(NAME, _bars(close), **P).long_entry) == []
