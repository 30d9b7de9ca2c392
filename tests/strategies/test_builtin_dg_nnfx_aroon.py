"""dg_nnfx_aroon: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import math

import numpy as np
from handmade import make_bars, signal_bars, signals_of

NAME = "dg_nnfx_aroon"
P = {
    "aroon_length": 3,
    "dpo_period": 4,
    "adx_period": 3,
    "adx_threshold": 15.0,
    "baseline_period": 5,
}
# Down, then up with equal highs (Aroon ties), then down again.
CLOSE = [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 13, 15, 17, 17, 18, 19, 19, 18, 16, 14, 12, 11]


def _spec(close: list[float], p: dict) -> dict[str, list[float]]:
    """The catalogue's indicator definitions, bar by bar in plain Python (high = low + 1)."""
    c = [float(x) for x in close]
    hi = [x + 0.5 for x in c]
    lo = [x - 0.5 for x in c]
    n, L = len(c), p["aroon_length"]
    nan = math.nan
    up, dn = [nan] * n, [nan] * n
    for i in range(L, n):
        wh, wl = hi[i - L : i + 1], lo[i - L : i + 1]
        up[i] = 100.0 * wh.index(max(wh)) / L  # first (oldest) occurrence
        dn[i] = 100.0 * wl.index(min(wl)) / L
    d = p["dpo_period"]
    back = d // 2 + 1
    dpo = [nan] * n
    for i in range(n):
        j = i - back
        if j >= d - 1:
            dpo[i] = c[i] - sum(c[j - d + 1 : j + 1]) / d
    q = p["adx_period"]
    pdm, mdm, tr = [0.0] * n, [0.0] * n, [0.0] * n
    for i in range(1, n):
        u, w = hi[i] - hi[i - 1], lo[i - 1] - lo[i]
        pdm[i] = u if (u > w and u > 0) else 0.0
        mdm[i] = w if (w > u and w > 0) else 0.0
        tr[i] = max(hi[i] - lo[i], abs(hi[i] - c[i - 1]), abs(lo[i] - c[i - 1]))
    dx = [nan] * n
    for i in range(q, n):
        atr = sum(tr[i - q : i]) / q
        if atr == 0:
            continue
        pdi = 100 * sum(pdm[i - q + 1 : i + 1]) / q / atr
        mdi = 100 * sum(mdm[i - q + 1 : i + 1]) / q / atr
        if pdi + mdi:
            dx[i] = 100 * abs(pdi - mdi) / (pdi + mdi)
    adx = [nan] * n
    for i in range(2 * q - 1, n):
        adx[i] = sum(dx[i - q + 1 : i + 1]) / q  # NaN if any DX is undefined
    b = p["baseline_period"]
    base = [nan] * n
    for i in range(b - 1, n):
        base[i] = sum(c[i - b + 1 : i + 1]) / b
    return {"up": up, "dn": dn, "dpo": dpo, "adx": adx, "base": base, "c": c}


def _expected(close: list[float], p: dict) -> tuple[list[int], list[int]]:
    s = _spec(close, p)
    up, dn = s["up"], s["dn"]
    warm = max(p["aroon_length"], p["dpo_period"], p["adx_period"], p["baseline_period"]) + 5
    entry, exit_ = [], []
    for t in range(max(warm, 2), len(close)):
        if (
            up[t - 1] > dn[t - 1]
            and up[t - 2] <= dn[t - 2]
            and s["dpo"][t - 1] > 0
            and s["adx"][t - 1] > p["adx_threshold"]
            and s["c"][t - 1] > s["base"][t - 1]
        ):
            entry.append(t)
        elif up[t - 1] < dn[t - 1] and up[t - 2] >= dn[t - 2]:
            exit_.append(t)
    return entry, exit_


def _bars(close: list[float]):
    c = np.asarray(close, dtype=float)
    return make_bars(c, high=c + 0.5, low=c - 0.5)


def test_aroon_cross_with_dpo_adx_and_baseline_buys_and_the_opposite_cross_sells():
    entry, exit_ = _expected(CLOSE, P)
    assert entry == [12] and exit_ == [19]
    sig = signals_of(NAME, _bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_
    spec = _spec(CLOSE, P)
    for key, mine in (("up", "aroon_up"), ("dn", "aroon_down"), ("adx", "adx"), ("dpo", "dpo")):
        np.testing.assert_allclose(sig.series[mine][:, 0], spec[key], rtol=1e-12, equal_nan=True)


def test_near_miss_adx_below_the_threshold_does_not_buy():
    strict = {**P, "adx_threshold": 99.0}
    entry, exit_ = _expected(CLOSE, strict)
    assert entry == [] and exit_ == [19]
    sig = signals_of(NAME, _bars(CLOSE), **strict)
    assert signal_bars(sig.long_entry) == []
    assert signal_bars(sig.long_exit) == exit_
