"""range_trading: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "range_trading"
P = {"bb_period": 5, "rsi_period": 3, "lookback": 5, "atr_period": 3}

UP = [100.0 + 0.2 * i for i in range(12)]  # a slow climb: every RSI window all gains
DIP = UP + [UP[-1] - 1.0, UP[-1] - 1.5] + [UP[-1] - 1.5 + 0.3 * i for i in range(1, 4)]


def _spec(close: list[float], bw_max: float, k: float = 2.0) -> tuple[list[int], list[int]]:
    """The catalogue's entry (bar t-1 values) and exit (bar t values), with its simple RSI; a
    flat RSI window reads 50 (the original's 100 is the one difference)."""
    c = np.asarray(close)
    n = len(c)
    mid, sd, rsi, sup = (np.full(n, np.nan) for _ in range(4))
    for i in range(n):
        if i >= 4:
            mid[i], sd[i] = c[i - 4 : i + 1].mean(), c[i - 4 : i + 1].std()
        if i >= 3:
            d = np.diff(c[i - 3 : i + 1])
            g, loss = d[d > 0].sum() / 3, -d[d < 0].sum() / 3
            rsi[i] = 50.0 if g == loss == 0 else 100.0 if loss == 0 else 100 - 100 / (1 + g / loss)
        if i >= 5:
            sup[i] = c[i - 5 : i].min()  # lows = closes on these bars
    upper, lower, bw = mid + k * sd, mid - k * sd, 2 * k * sd / mid
    entries = [
        t
        for t in range(1, n)
        if bw[t - 1] < bw_max
        and (c[t - 1] <= 1.02 * lower[t - 1] or c[t - 1] <= 1.02 * sup[t - 1])
        and rsi[t - 1] < 35
    ]
    exits = [t for t in range(n) if c[t] >= 0.98 * upper[t] or rsi[t] > 65]
    return entries, exits


def test_an_oversold_touch_in_a_narrow_range_buys_a_bar_later():
    entries, exits = _spec(DIP, 0.15)
    # Bar 12 drops 1 after two +0.2 bars: RSI 100 x 0.4 / 1.4 = 28.6, close under 1.02 x LOWER.
    assert entries[0] == 13
    sig = signals_of(NAME, make_bars(DIP), **P)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits


def test_near_miss_bands_too_wide_for_a_range():
    # Bar 12's bandwidth is 0.014 (the 5 closes' sd is 0.35 on ~101.8): no range below 0.01.
    entries, _ = _spec(DIP, 0.01)
    assert entries == []
    assert signal_bars(signals_of(NAME, make_bars(DIP), bandwidth_max=0.01, **P).long_entry) == []


# Wide bands (4 sd) so neither the band nor the RSI exit fires after the dip.
WIDE = {**P, "bb_std": 4.0, "bandwidth_max": 1.0}
FLAT = UP + [UP[-1] - 2.0] * 7


def test_time_stop_max_hold_bars_after_the_signal():
    res = trade(NAME, make_bars(FLAT), max_hold=2, **WIDE)
    # Signal at 13, fill at 14 (bar 1), bar 2 is 15, out at 16's open.
    assert res.trades.select("entry_bar", "exit_bar", "exit_reason").rows() == [
        (14, 16, "max_hold")
    ]


def test_stop_one_and_a_half_atr_below_the_fill():
    c = np.array(FLAT)
    o, lo = c.copy(), c.copy()
    lo[14] = c[13] - 5.0  # bar 14 opens at 100.2 (the fill) and trades 5 lower
    res = trade(NAME, make_bars(c, open=o, high=c, low=lo), **WIDE)
    first = res.trades.row(0, named=True)
    assert (first["entry_bar"], first["exit_reason"]) == (14, "stop_loss")
    # ATR(13) = mean of the true ranges 0.2, 2.0, 0 = 0.733; fill 100.2 = close(13).
    assert first["exit_price"] == pytest.approx(c[13] - 1.5 * 2.2 / 3)
