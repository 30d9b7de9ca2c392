"""tv_volume_breakout: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_volume_breakout"
P = {"volume_ma_period": 3, "price_breakout_period": 3}

# close, high, low, volume
BARS = [(100, 101, 99, 1000)] * 8 + [
    (103, 104, 100, 5000),  # 8: close over the prior 3-bar high (101) on > 2x average volume
    (104, 105, 102, 1500),  # 9: buy signal (the breakout, read one bar late)
    (106, 107, 103, 1500),
    (105, 106, 104, 1000),
    (101.5, 105, 101, 1000),  # 12: close under the prior 3-bar low (102): sell
    (101, 103, 100, 1000),
]


def _bars(rows):
    c, h, lo, v = (np.array(x, dtype=float) for x in zip(*rows, strict=True))
    o = np.concatenate([c[:1], c[:-1]])
    return make_bars(c, open=o, high=h, low=lo, volume=v), c, h, lo, v


def _spec(c, h, lo, v, n_vol=3, n_px=3, mult=2.0):
    vma = np.array(
        [v[i - n_vol + 1 : i + 1].mean() if i >= n_vol - 1 else np.nan for i in range(len(v))]
    )
    hh = np.array(
        [h[i - n_px + 1 : i + 1].max() if i >= n_px - 1 else np.nan for i in range(len(h))]
    )
    ll = np.array(
        [lo[i - n_px + 1 : i + 1].min() if i >= n_px - 1 else np.nan for i in range(len(lo))]
    )
    spike = v > mult * vma
    buys = [t for t in range(2, len(c)) if spike[t - 1] and c[t - 1] > hh[t - 2]]
    sells = [t for t in range(1, len(c)) if c[t] < ll[t - 1] and t not in buys]
    return buys, sells


def test_high_volume_breakout_buys_next_bar_and_a_close_under_the_low_sells():
    bars, c, h, lo, v = _bars(BARS)
    buys, sells = _spec(c, h, lo, v)
    assert buys == [9] and sells == [12]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, bars, **P).trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"], row["exit_reason"]) == (104, 101.5, "signal")


def test_near_miss_volume_only_twice_its_average():
    rows = list(BARS)
    rows[8] = (103, 104, 100, 4000)  # the 3-bar average is 2000: 4000 is not above 2 x 2000
    bars, c, h, lo, v = _bars(rows)
    assert _spec(c, h, lo, v)[0] == []
    assert signal_bars(signals_of(NAME, bars, **P).long_entry) == []


def test_stop_loss_and_take_profit_when_set():
    bars, *_ = _bars(BARS)
    row = trade(NAME, bars, **P, stop_loss_pct=0.02).trades.row(0, named=True)
    # Filled at bar 10's open (104); bar 12 opens at 105 and its low 101 passes the stop 101.92.
    assert (row["exit_reason"], row["exit_price"]) == ("stop_loss", 104 * 0.98)
    row = trade(NAME, bars, **P, take_profit_pct=0.02).trades.row(0, named=True)
    assert (row["exit_reason"], row["exit_price"]) == ("take_profit", 104 * 1.02)  # bar 10's high
