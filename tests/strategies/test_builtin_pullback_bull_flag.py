"""pullback_bull_flag: its rule and its exits on hand-made bars (the registry suite checks the
rest)."""

from __future__ import annotations

import math

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "pullback_bull_flag"
P = {
    "ema_fast": 5,
    "ema_slow": 10,
    "rsi_period": 3,
    "adx_period": 3,
    "atr_period": 3,
    "max_hold": 3,
}
NAN = math.nan


def _ema_first(x: list[float], n: int) -> list[float]:
    out, e = [NAN] * len(x), NAN
    for i, v in enumerate(x):
        if math.isnan(v):
            continue
        e = v if math.isnan(e) else e + (v - e) * 2 / (n + 1)
        out[i] = e
    return out


def _rsi(c: list[float], p: int) -> list[float]:
    out = [NAN] * len(c)
    d = [c[i] - c[i - 1] for i in range(1, len(c))]
    g = sum(max(x, 0) for x in d[:p]) / p
    lo = sum(max(-x, 0) for x in d[:p]) / p
    for i in range(p, len(c)):
        if i > p:
            g = (g * (p - 1) + max(d[i - 1], 0)) / p
            lo = (lo * (p - 1) + max(-d[i - 1], 0)) / p
        out[i] = 100.0 if lo == 0 else 100 - 100 / (1 + g / lo)
    return out


def _adx(h: list[float], lo: list[float], c: list[float], p: int) -> list[float]:
    """The spec's intended ADX (EMA_first smoothing, from bar 1; undefined for 2p-1 bars)."""
    pdm, mdm, tr = [NAN], [NAN], [NAN]
    for i in range(1, len(c)):
        u, d = h[i] - h[i - 1], lo[i - 1] - lo[i]
        pdm.append(u if (u > d and u > 0) else 0.0)
        mdm.append(d if (d > u and d > 0) else 0.0)
        tr.append(max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])))
    sp, sm, st = _ema_first(pdm, p), _ema_first(mdm, p), _ema_first(tr, p)
    dx = [NAN]
    for i in range(1, len(c)):
        pdi, mdi = 100 * sp[i] / st[i], 100 * sm[i] / st[i]
        dx.append(100 * abs(pdi - mdi) / (pdi + mdi) if pdi + mdi else 0.0)
    adx = _ema_first(dx, p)
    return [NAN if i < 2 * p - 1 else v for i, v in enumerate(adx)]


def _expected(close: list[float]) -> list[int]:
    c = [float(x) for x in close]
    h, lo = [x + 0.5 for x in c], [x - 0.5 for x in c]
    f, s = _ema_first(c, 5), _ema_first(c, 10)
    r, a = _rsi(c, 3), _adx(h, lo, c, 3)
    out = []
    for t in range(max(5, 10, 3, 3, 3) + 5, len(c)):
        if (
            a[t - 1] > 25
            and f[t - 1] > s[t - 1]
            and r[t - 2] < 45
            and r[t - 1] > 50
            and c[t - 1] <= 1.02 * f[t - 1]
        ):
            out.append(t)
    return out


def _bars(close: list[float]):
    c = np.asarray(close, dtype=float)
    return make_bars(c, high=c + 0.5, low=c - 0.5)


RISE = [100 + 2 * i for i in range(20)]  # bars 0..19, up to 138
FLAG = [*RISE, 136, 134, 137, 139, 141, 143]  # a two-bar dip, then the trend resumes


def test_rsi_recovering_from_a_dip_in_a_strong_uptrend_buys():
    expected = _expected(FLAG)
    assert expected == [23]  # RSI < 45 on bar 21, > 50 on bar 22, close 137 <= 1.02 x EMA5
    sig = signals_of(NAME, _bars(FLAG), **P)
    assert signal_bars(sig.long_entry) == expected
    c = [float(x) for x in FLAG]
    adx = _adx([x + 0.5 for x in c], [x - 0.5 for x in c], c, 3)
    np.testing.assert_allclose(sig.series["adx"][:, 0], adx, rtol=1e-12, equal_nan=True)


def test_near_miss_a_recovery_too_far_above_the_fast_ema_does_not_buy():
    # The same dip, but bar 22 closes at 140 > 1.02 x EMA5 (139.0); every other clause holds.
    close = [*RISE, 136, 134, 140, 142, 144]
    assert _expected(close) == []
    assert signal_bars(signals_of(NAME, _bars(close), **P).long_entry) == []


def test_the_trailing_stop_and_the_time_stop_end_trades():
    crash = [*FLAG[:23], 137, 139, 141, 130, 129]  # filled on bar 24's open
    res = trade(NAME, _bars(crash), **P)
    assert res.trades["exit_reason"].to_list()[0] == "trailing_stop"
    flat = [*FLAG[:23], 137.2, 137.4, 137.6, 137.8, 138, 138.2]
    bars = _bars(flat)
    first = trade(NAME, bars, **P).trades.row(0, named=True)
    assert first["exit_reason"] == "max_hold"
    assert list(bars.dates).index(np.datetime64(first["exit_time"], "ns")) == 24 + 3
