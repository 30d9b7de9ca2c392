"""pullback_trend_continuation: its rule and exits on hand-made bars (the registry suite checks
the rest)."""

from __future__ import annotations

import math

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "pullback_trend_continuation"
P = {
    "adx_period": 3,
    "bb_period": 5,
    "macd_fast": 2,
    "macd_slow": 3,
    "macd_signal": 2,
    "atr_period": 3,
    "max_hold": 3,
}
NAN = math.nan


def _ema_sma(x: list[float], n: int) -> list[float]:
    out = [NAN] * len(x)
    start = next(i for i, v in enumerate(x) if not math.isnan(v))
    if len(x) < start + n:
        return out
    e = sum(x[start : start + n]) / n
    out[start + n - 1] = e
    for i in range(start + n, len(x)):
        e += (x[i] - e) * 2 / (n + 1)
        out[i] = e
    return out


def _rsi14(c: list[float]) -> list[float]:
    p, out = 14, [NAN] * len(c)
    d = [c[i] - c[i - 1] for i in range(1, len(c))]
    g = sum(max(x, 0) for x in d[:p]) / p
    lo = sum(max(-x, 0) for x in d[:p]) / p
    for i in range(p, len(c)):
        if i > p:
            g = (g * (p - 1) + max(d[i - 1], 0)) / p
            lo = (lo * (p - 1) + max(-d[i - 1], 0)) / p
        out[i] = 100.0 if lo == 0 else 100 - 100 / (1 + g / lo)
    return out


def _expected(o: list[float], h: list[float], lo: list[float], c: list[float]) -> list[int]:
    """The spec, bar by bar: simple-mean DI/ADX, MACD with the signal seeded from its first
    defined values (the intended fix), RSI(14), SMA(5) middle band, the bullish bar."""
    n, p = len(c), 3
    pdm, mdm, tr = [0.0] * n, [0.0] * n, [0.0] * n
    for i in range(1, n):
        u, d = h[i] - h[i - 1], lo[i - 1] - lo[i]
        pdm[i] = u if (u > d and u > 0) else 0.0
        mdm[i] = d if (d > u and d > 0) else 0.0
        tr[i] = max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1]))
    pdi, mdi, dx, adx = [NAN] * n, [NAN] * n, [NAN] * n, [NAN] * n
    for i in range(p, n):
        s = sum(tr[i - p + 1 : i + 1]) / p
        pdi[i] = 100 * sum(pdm[i - p + 1 : i + 1]) / p / s if s else 0.0
        mdi[i] = 100 * sum(mdm[i - p + 1 : i + 1]) / p / s if s else 0.0
        dx[i] = 100 * abs(pdi[i] - mdi[i]) / (pdi[i] + mdi[i]) if pdi[i] + mdi[i] else 0.0
    for i in range(2 * p, n):
        adx[i] = sum(dx[i - p + 1 : i + 1]) / p
    m = [a - b for a, b in zip(_ema_sma(c, 2), _ema_sma(c, 3), strict=True)]
    sig = _ema_sma(m, 2)
    r = _rsi14(c)
    out = []
    for t in range(max(3, 5, 3, 3) + 5, n):
        k = t - 1
        mid = sum(c[k - 4 : k + 1]) / 5
        if (
            adx[k] > 25
            and pdi[k] > 1.5 * mdi[k]
            and m[k] > sig[k]
            and m[k] - sig[k] > 0
            and 50 <= r[k] <= 65
            and c[k] <= 1.03 * mid
            and c[k] > o[k]
        ):
            out.append(t)
    return out


def _zigzag(steps: list[float], start: float = 100.0):
    """Up steps open at the previous close; down steps gap up 2 over the previous high and fall
    (a bearish bar whose up-move beats its down-move, so -DM stays 0)."""
    c, o, h, lo = [start], [start], [start + 0.5], [start - 0.5]
    for s in steps:
        prev = c[-1]
        close = prev + s
        op = prev if s >= 0 else h[-1] + 2
        c.append(close)
        o.append(op)
        h.append(max(op, close) + 0.5)
        lo.append(min(op, close) - 0.5)
    return o, h, lo, c


UP = [3.0, -2.0] * 12  # RSI(14) 60, +DI only, MACD turning up on every up bar


def test_a_bullish_bar_in_a_strong_uptrend_buys_the_next_bar():
    o, h, lo, c = _zigzag(UP)
    expected = _expected(o, h, lo, c)
    assert expected and all(t % 2 == 0 for t in expected)  # after the up (bullish) bars
    sig = signals_of(NAME, make_bars(c, open=o, high=h, low=lo), **P)
    assert signal_bars(sig.long_entry) == expected


def test_near_miss_rsi_above_the_band_does_not_buy():
    o, h, lo, c = _zigzag([3.0, -1.5] * 12)  # RSI(14) 66-70 on the up bars: above 65
    bars = make_bars(c, open=o, high=h, low=lo)
    assert _expected(o, h, lo, c) == []
    assert signal_bars(signals_of(NAME, bars, **P).long_entry) == []
    # every other clause holds: with the RSI band opened up it buys after each up bar
    wide = signals_of(NAME, bars, **P, rsi_low=0.0, rsi_high=100.0)
    assert signal_bars(wide.long_entry) == [16, 18, 20, 22, 24]


def test_the_atr_stop_and_the_time_stop_end_trades():
    o, h, lo, c = _zigzag([*UP, -30.0])
    first = _expected(o, h, lo, c)[0]
    res = trade(NAME, make_bars(c, open=o, high=h, low=lo), **{**P, "max_hold": 250})
    assert res.trades["exit_reason"].to_list()[-1] == "stop_loss"
    bars = make_bars(c, open=o, high=h, low=lo)
    row = trade(NAME, bars, **P).trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    assert list(bars.dates).index(np.datetime64(row["exit_time"], "ns")) == first + 1 + 3
