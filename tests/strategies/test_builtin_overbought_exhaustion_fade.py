"""overbought_exhaustion_fade: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "overbought_exhaustion_fade"
P = {"rsi_period": 3, "bb_period": 5, "bb_std": 1.0, "macd_fast": 2, "macd_slow": 5}
P |= {"macd_signal": 2, "atr_period": 3}

# Flat at 100, then a rally that accelerates to bar 23 and stalls, with long upper wicks from
# bar 24: the MACD histogram peaks above 1% of the close at bar 23 and rolls over.
CLOSE = np.array([100.0] * 20 + [101, 104, 110, 122, 126, 128, 129, 129.5, 129.8])
OPEN = np.r_[CLOSE[0], CLOSE[:-1]]
LOW = np.minimum(OPEN, CLOSE) - 0.5


def _high(wick: float) -> np.ndarray:
    h = np.maximum(OPEN, CLOSE) + 0.5
    h[24:] = np.maximum(OPEN, CLOSE)[24:] + wick
    return h


def _ema(x: np.ndarray, n: int) -> np.ndarray:
    """SMA-seeded EMA over x's defined values."""
    out = np.full(len(x), np.nan)
    first = int(np.flatnonzero(~np.isnan(x))[0])
    out[first + n - 1] = x[first : first + n].mean()
    for i in range(first + n, len(x)):
        out[i] = out[i - 1] + 2 / (n + 1) * (x[i] - out[i - 1])
    return out


def _wilder(x: np.ndarray, p: int, start: int) -> np.ndarray:
    """Wilder's average seeded with the mean of x[start - p + 1 .. start]."""
    out = np.full(len(x), np.nan)
    out[start] = x[start - p + 1 : start + 1].mean()
    for i in range(start + 1, len(x)):
        out[i] = (out[i - 1] * (p - 1) + x[i]) / p
    return out


def _spec(high: np.ndarray, bb_std: float) -> list[int]:
    """The catalogue's rule with standard RSI and MACD signal line, histogram in % of the close."""
    c, o, h, lo, n = CLOSE, OPEN, high, LOW, len(CLOSE)
    d = np.r_[np.nan, np.diff(c)]
    g, loss = _wilder(np.fmax(d, 0), 3, 3), _wilder(np.fmax(-d, 0), 3, 3)
    rsi = np.where(loss == 0, 100.0, 100 - 100 / (1 + g / np.where(loss == 0, 1, loss)))
    line = _ema(c, 2) - _ema(c, 5)
    hist = 100 * (line - _ema(line, 2)) / c
    upper = np.full(n, np.nan)
    for i in range(4, n):
        upper[i] = c[i - 4 : i + 1].mean() + bb_std * c[i - 4 : i + 1].std()
    up, dn = np.r_[np.nan, np.diff(h)], np.r_[np.nan, -np.diff(lo)]
    pdm = np.where((up > dn) & (up > 0), up, 0.0)
    mdm = np.where((dn > up) & (dn > 0), dn, 0.0)
    prev = np.r_[np.nan, c[:-1]]
    tr = np.fmax(h - lo, np.fmax(np.abs(h - prev), np.abs(lo - prev)))
    s_tr, s_p, s_m = (_wilder(x, 3, 3) for x in (tr, pdm, mdm))
    pdi, mdi = 100 * s_p / s_tr, 100 * s_m / s_tr
    total = pdi + mdi  # 0 on the flat bars, whose DX counts as 0
    adx = _wilder(100 * np.abs(pdi - mdi) / np.where(total == 0, 1, total), 3, 5)
    out = []
    for t in range(6, n):
        falling = hist[t - 2] > hist[t - 1] > hist[t]
        rolled = np.nanmax(hist[t - 5 : t]) > 1.0 and hist[t - 1] < 1.0
        at_band = c[t - 1] >= 0.98 * upper[t - 1]
        wick = h[t - 1] - max(o[t - 1], c[t - 1]) > abs(c[t - 1] - o[t - 1])
        if rsi[t] > 68 and falling and rolled and at_band and wick and adx[t] > 20:
            out.append(t)
    return out


def test_an_overbought_rollover_rejected_at_the_band_shorts():
    expected = _spec(_high(5.0), 1.0)
    assert expected[0] == 25  # hist 1.22 (bar 23) > 0.56 > -0.05; bar 24's wick 5 > body 4
    sig = signals_of(NAME, make_bars(CLOSE, open=OPEN, high=_high(5.0), low=LOW), **P)
    assert signal_bars(sig.short_entry) == expected
    assert signal_bars(sig.long_entry) == []


def test_near_misses_no_rejection_wick_or_no_band_touch():
    # Bar 24's wick 3 is shorter than its body 4: no short at 25 (bar 25's body is 2, so its
    # wick 3 still rejects and bar 26 may fire).
    expected = _spec(_high(3.0), 1.0)
    assert 25 not in expected
    sig = signals_of(NAME, make_bars(CLOSE, open=OPEN, high=_high(3.0), low=LOW), **P)
    assert signal_bars(sig.short_entry) == expected
    # A 2-sd band stays far above the stalling closes.
    assert _spec(_high(5.0), 2.0) == []
    sig = signals_of(
        NAME, make_bars(CLOSE, open=OPEN, high=_high(5.0), low=LOW), **{**P, "bb_std": 2.0}
    )
    assert signal_bars(sig.short_entry) == []


def test_time_stop_and_atr_stop_cover_the_short():
    bars = make_bars(CLOSE, open=OPEN, high=_high(5.0), low=LOW)
    res = trade(NAME, bars, max_hold=2, **P)
    assert res.trades.select("direction", "entry_bar", "exit_bar", "exit_reason").rows() == [
        ("short", 26, 28, "max_hold")
    ]
    spike = _high(5.0)
    spike[27] = 150.0
    res = trade(NAME, make_bars(CLOSE, open=OPEN, high=spike, low=LOW), **P)
    assert res.trades["exit_reason"].to_list() == ["stop_loss"]
    # Filled at 128 (bar 26's open = bar 25's close); stop 1.5 x ATR(25) above it, with
    # ATR(25) = Wilder's average of the true ranges (first value at bar 2, TR(0) = high - low).
    h = spike
    prev = np.r_[np.nan, CLOSE[:-1]]
    tr = np.fmax(h - LOW, np.fmax(np.abs(h - prev), np.abs(LOW - prev)))
    tr[0] = h[0] - LOW[0]
    atr25 = _wilder(tr, 3, 2)[25]
    assert res.trades["exit_price"].to_list() == [pytest.approx(128.0 + 1.5 * atr25)]
