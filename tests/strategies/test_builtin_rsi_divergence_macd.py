"""rsi_divergence_macd: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "rsi_divergence_macd"
P = {"rsi_period": 3, "divergence_window": 5, "macd_fast": 2, "macd_slow": 4, "macd_signal": 2}

# A drift down with bounces: bar 10 closes within 1% of the 5-bar low as the histogram turns up,
# bar 13 near the 5-bar high as it turns down.
CLOSE = [100.0, 100.3, 100.0, 99.1, 98.7, 97.7, 97.7, 99.1, 98.6, 98.0, 98.5, 98.8, 98.9, 98.0]
CLOSE += [98.0, 98.7, 97.3, 96.9, 95.0, 93.7, 91.8, 91.6, 90.3, 90.6, 90.8, 90.6, 88.1, 87.5]


def _ema(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full(len(x), np.nan)
    first = int(np.flatnonzero(~np.isnan(x))[0])
    out[first + n - 1] = x[first : first + n].mean()
    for i in range(first + n, len(x)):
        out[i] = out[i - 1] + 2 / (n + 1) * (x[i] - out[i - 1])
    return out


def _spec(close: list[float]) -> dict[str, list[int]]:
    """The catalogue's rule with a histogram that has values: Wilder RSI(3), MACD(2, 4, 2), the
    window of W = 5 bars ending at s = t - 1."""
    c = np.asarray(close)
    n, w = len(c), 5
    d = np.r_[np.nan, np.diff(c)]
    g, loss = np.full(n, np.nan), np.full(n, np.nan)
    g[3], loss[3] = np.fmax(d[1:4], 0).mean(), np.fmax(-d[1:4], 0).mean()
    for i in range(4, n):
        g[i] = (g[i - 1] * 2 + max(d[i], 0)) / 3
        loss[i] = (loss[i - 1] * 2 + max(-d[i], 0)) / 3
    rsi = 100 - 100 / (1 + g / loss)
    line = _ema(c, 2) - _ema(c, 4)
    h = line - _ema(line, 2)
    out: dict[str, list[int]] = {k: [] for k in ("le", "lx", "se", "sx")}
    for t in range(w + 1, n):
        s, win = t - 1, slice(t - w, t)
        up, down = h[s] > 0 >= h[s - 1], h[s] < 0 <= h[s - 1]
        if c[s] <= 1.01 * c[win].min() and rsi[s] > np.nanmin(rsi[win]) + 2 and up:
            out["le"].append(t)
        if c[s] >= 0.99 * c[win].max() and rsi[s] < np.nanmax(rsi[win]) - 2 and down:
            out["se"].append(t)
        if rsi[s] > 70 or down:
            out["lx"].append(t)
        elif rsi[s] < 30 or up:
            out["sx"].append(t)
    return out


def test_divergences_with_a_histogram_cross_enter_both_ways():
    want = _spec(CLOSE)
    assert want["le"][0] == 11 and want["se"] == [14]
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == want["le"]
    assert signal_bars(sig.short_entry) == want["se"]
    # Exits from the first bar where every indicator of the rule has a value.
    assert [t for t in signal_bars(sig.long_exit) if t > 5] == want["lx"]
    assert [t for t in signal_bars(sig.short_exit) if t > 5] == want["sx"]


def test_near_miss_close_more_than_one_percent_above_the_window_low():
    close = list(CLOSE)
    close[10] = 98.8  # the window's low is 97.7: 98.8 > 1.01 x 97.7 = 98.68
    assert 11 not in _spec(close)["le"]
    assert 11 not in signal_bars(signals_of(NAME, make_bars(close), **P).long_entry)


def test_the_bearish_signal_reverses_the_long_into_a_short_that_its_exit_covers():
    res = trade(NAME, make_bars(CLOSE), **P)
    rows = res.trades.select("direction", "entry_bar", "exit_reason").rows()
    # Long filled at 12, reversed at 15 by the bearish signal of 14; the short's exit signal at
    # 15 (RSI under 30 or the histogram crossing up) covers it at 16.
    assert rows[:2] == [("long", 12, "reversal"), ("short", 15, "signal")]
    assert 15 in _spec(CLOSE)["sx"]
