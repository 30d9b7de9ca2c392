"""Hand-made bars for the three keltner_reversion strategies and their rule, written out from the
catalogue's statement with each one's ATR: quiet bars (range 2), a drop, a spike, a slide back."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.bars import Bars

QUIET = 30
DROP = QUIET  # closes 5 under the quiet level, near its low
SPIKE = QUIET + 4  # closes 11 over the level before it, near its high
ROWS = (
    [(100.0, 101.0, 99.0, 100.0)] * QUIET
    + [(100.0, 100.0, 94.0, 95.0)]
    + [(95.0, 96.0, 94.0, 95.0)] * 3
    + [(95.0, 107.0, 95.0, 106.0)]
    + [(102.0, 103.0, 101.0, 102.0)] * 4
)
P = {"ema_period": 3, "atr_period": 3}


def bars() -> Bars:
    o, h, lo, c = (np.array([r[i] for r in ROWS]) for i in range(4))
    return make_bars(c, open=o, high=h, low=lo)


def true_ranges(first: float | None) -> np.ndarray:
    """TR per bar; the first bar's is ``first`` (None: high - low)."""
    _, h, lo, c = (np.array([r[i] for r in ROWS]) for i in range(4))
    prev = np.r_[np.nan, c[:-1]]
    tr = np.fmax(h - lo, np.fmax(np.abs(h - prev), np.abs(lo - prev)))
    tr[0] = h[0] - lo[0] if first is None else first
    return tr


def sma_atr(p: int) -> np.ndarray:
    tr = true_ranges(None)
    return np.array([tr[i - p + 1 : i + 1].mean() if i >= p else np.nan for i in range(len(tr))])


def wilder_atr(p: int, first: float | None, seed_end: int) -> np.ndarray:
    """Wilder's average seeded with the mean of TR[seed_end - p + 1 .. seed_end], stored at bar
    ``seed_end``."""
    tr = true_ranges(first)
    out = np.full(len(tr), np.nan)
    out[seed_end] = tr[seed_end - p + 1 : seed_end + 1].mean()
    for i in range(seed_end + 1, len(tr)):
        out[i] = (out[i - 1] * (p - 1) + tr[i]) / p
    return out


def expected(atr_values: np.ndarray, n: int, mult: float) -> tuple[list[int], list[int]]:
    """Entries at t from close(t-1) vs the channel at t-1: EMA (SMA-seeded) +/- mult x ATR."""
    c = np.array([r[3] for r in ROWS])
    mid = np.full(len(c), np.nan)
    mid[n - 1] = c[:n].mean()
    for i in range(n, len(c)):
        mid[i] = mid[i - 1] + 2.0 / (n + 1) * (c[i] - mid[i - 1])
    upper, lower = mid + mult * atr_values, mid - mult * atr_values
    longs = [t for t in range(1, len(c)) if c[t - 1] < lower[t - 1]]
    shorts = [t for t in range(1, len(c)) if c[t - 1] > upper[t - 1]]
    return longs, shorts


def check_rule(name: str, atr_of: Callable[[int], np.ndarray]) -> None:
    """Fires on the drop and the spike at a 0.5-ATR channel; at 1 ATR the drop stays inside."""
    atr_values = atr_of(3)
    longs, shorts = expected(atr_values, 3, 0.5)
    assert longs == [DROP + 1] and shorts == [SPIKE + 1]
    sig = signals_of(name, bars(), atr_mult=0.5, **P)
    assert signal_bars(sig.long_entry) == longs
    assert signal_bars(sig.short_entry) == shorts
    assert signal_bars(sig.long_exit) == shorts
    wide_longs, _ = expected(atr_values, 3, 1.0)
    assert wide_longs == []  # near miss: 95 is above EMA 97.5 - 1 x ATR 3.33
    assert signal_bars(signals_of(name, bars(), atr_mult=1.0, **P).long_entry) == []


def check_time_stop_and_short(name: str) -> None:
    """max_hold = 2: the long filled at DROP + 2 ends at the open after its second bar, before the
    spike; the short that the spike opens ends the same way."""
    res = trade(name, bars(), atr_mult=0.5, max_hold=2, **P)
    assert res.trades["direction"].to_list() == ["long", "short"]
    assert res.trades["exit_reason"].to_list() == ["max_hold", "max_hold"]
    dates = bars().dates
    # Long: signal DROP + 1, fill DROP + 2 (bar 1), bar 2 DROP + 3, out at DROP + 4's open.
    # Short: signal SPIKE + 1, fill SPIKE + 2, out at SPIKE + 4's open.
    when = [DROP + 2, DROP + 4, SPIKE + 2, SPIKE + 4]
    got = res.trades.select("entry_time", "exit_time").rows()
    assert [np.datetime64(x, "ns") for row in got for x in row] == list(dates[when])
