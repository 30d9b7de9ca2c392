"""Indicators written out bar by bar in plain Python, from the catalogue's statements, for the
rule tests of tv_* strategies: slow, obvious, and independent of the indicator library."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NAN = float("nan")


def arr(x: Sequence[float]) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def sma(x: Sequence[float], n: int) -> np.ndarray:
    x = arr(x)
    return np.array([x[i - n + 1 : i + 1].mean() if i >= n - 1 else NAN for i in range(len(x))])


def std(x: Sequence[float], n: int, ddof: int = 0) -> np.ndarray:
    x = arr(x)
    out = [x[i - n + 1 : i + 1].std(ddof=ddof) if i >= n - 1 else NAN for i in range(len(x))]
    return np.array(out)


def ema(x: Sequence[float], n: int, seed: str = "sma", alpha: float | None = None) -> np.ndarray:
    """EMA with a = 2/(n+1) (or ``alpha``): ``seed="sma"`` starts at the first bar where n values
    exist with their mean; ``"first"`` starts at the first value. Leading NaNs are skipped."""
    x = arr(x)
    a = 2.0 / (n + 1) if alpha is None else alpha
    out = np.full(len(x), NAN)
    first = int(np.flatnonzero(~np.isnan(x))[0])
    start = first + (n - 1 if seed == "sma" else 0)
    if start >= len(x):
        return out
    out[start] = x[first : start + 1].mean()
    for i in range(start + 1, len(x)):
        out[i] = out[i - 1] + a * (x[i] - out[i - 1])
    return out


def true_range(h: Sequence[float], lo: Sequence[float], c: Sequence[float]) -> np.ndarray:
    """TR with the first bar's range high - low."""
    h, lo, c = arr(h), arr(lo), arr(c)
    tr = h - lo
    for i in range(1, len(c)):
        tr[i] = max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1]))
    return tr


def wilder_atr(h: Sequence[float], lo: Sequence[float], c: Sequence[float], n: int) -> np.ndarray:
    """Mean of TR(0..n-1) at bar n-1, then (ATR*(n-1) + TR)/n."""
    return ema(true_range(h, lo, c), n, alpha=1.0 / n)


def wilder_rsi(c: Sequence[float], n: int) -> np.ndarray:
    """Wilder RSI: means of the first n gains/losses at bar n, then Wilder smoothing; 100 x G /
    (G + L) (50 when both are zero)."""
    d = np.diff(arr(c))
    out = np.full(len(c), NAN)
    g, loss = np.maximum(d[:n], 0).mean(), np.maximum(-d[:n], 0).mean()
    for j in range(n, len(c)):
        if j > n:
            g = (g * (n - 1) + max(d[j - 1], 0)) / n
            loss = (loss * (n - 1) + max(-d[j - 1], 0)) / n
        out[j] = 50.0 if g == loss == 0 else 100.0 * g / (g + loss)
    return out


def linreg_end(x: Sequence[float], n: int) -> np.ndarray:
    """End point (x = n-1) of the least-squares line through the last n values."""
    x = arr(x)
    out = np.full(len(x), NAN)
    k = np.arange(n, dtype=np.float64)
    for i in range(n - 1, len(x)):
        slope, icept = np.polyfit(k, x[i - n + 1 : i + 1], 1)
        out[i] = icept + slope * (n - 1)
    return out


def prev(x: np.ndarray, k: int = 1) -> np.ndarray:
    return np.r_[np.full(k, NAN), np.asarray(x, dtype=np.float64)[:-k]]


def wilder_dmi(
    h: Sequence[float], lo: Sequence[float], c: Sequence[float], n: int, adx_n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(+DI, -DI, ADX), Wilder: +DM/-DM/TR from bar 1, their averages seeded with the mean of bars
    1..n; DX = 100 |+DI - -DI| / (+DI + -DI); ADX = Wilder average of DX seeded with the mean of
    its first adx_n values."""
    h, lo, c = arr(h), arr(lo), arr(c)
    up, dn = np.r_[NAN, np.diff(h)], np.r_[NAN, -np.diff(lo)]
    pdm = np.where((up > dn) & (up > 0), up, 0.0)
    mdm = np.where((dn > up) & (dn > 0), dn, 0.0)
    pdm[0] = mdm[0] = NAN
    tr = true_range(h, lo, c)
    tr[0] = NAN
    s_tr, s_p, s_m = (ema(x, n, alpha=1.0 / n) for x in (tr, pdm, mdm))
    plus, minus = 100 * s_p / s_tr, 100 * s_m / s_tr
    dx = 100 * np.abs(plus - minus) / (plus + minus)
    return plus, minus, ema(dx, adx_n, alpha=1.0 / adx_n)


def mfi(
    h: Sequence[float], lo: Sequence[float], c: Sequence[float], v: Sequence[float], n: int
) -> np.ndarray:
    """Money Flow Index over bars t-n+1..t (first value at bar n): flow = typical price x volume,
    positive when the typical price rose, negative when it fell; 100 P / (P + N), 50 with no flow."""
    tp = (arr(h) + arr(lo) + arr(c)) / 3.0
    flow = tp * arr(v)
    out = np.full(len(tp), NAN)
    for t in range(n, len(tp)):
        p = sum(flow[i] for i in range(t - n + 1, t + 1) if tp[i] > tp[i - 1])
        m = sum(flow[i] for i in range(t - n + 1, t + 1) if tp[i] < tp[i - 1])
        out[t] = 50.0 if p + m == 0 else 100.0 * p / (p + m)
    return out
