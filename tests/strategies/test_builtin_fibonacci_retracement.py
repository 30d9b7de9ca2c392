"""fibonacci_retracement: its rule, stop and time stop on hand-made bars (the registry suite
checks the rest)."""

from __future__ import annotations

import math

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "fibonacci_retracement"
P = {
    "swing_lookback": 10,
    "rsi_period": 5,
    "ema_period": 20,
    "vol_sma_period": 5,
    "atr_period": 5,
    "max_hold": 4,
}
RISE = list(np.linspace(50, 80, 31))  # bars 0..30, +1 a bar


def _rsi(c: list[float], p: int) -> list[float]:
    """Wilder RSI seeded with the mean gain/loss of the first p changes (100 with no losses)."""
    out = [math.nan] * len(c)
    d = [c[i] - c[i - 1] for i in range(1, len(c))]
    if len(d) < p:
        return out
    g = sum(max(x, 0) for x in d[:p]) / p
    lo = sum(max(-x, 0) for x in d[:p]) / p
    for i in range(p, len(c)):
        if i > p:
            g = (g * (p - 1) + max(d[i - 1], 0)) / p
            lo = (lo * (p - 1) + max(-d[i - 1], 0)) / p
        out[i] = 100.0 if lo == 0 else 100 - 100 / (1 + g / lo)
    return out


def _ema_sma(c: list[float], n: int) -> list[float]:
    out = [math.nan] * len(c)
    e = sum(c[:n]) / n
    out[n - 1] = e
    for i in range(n, len(c)):
        e += (c[i] - e) * 2 / (n + 1)
        out[i] = e
    return out


def _expected(close: list[float], up_swing_only: bool = True) -> list[int]:
    """The spec's entry at the close of t (high = close + 0.5, low = close - 0.5)."""
    c = [float(x) for x in close]
    hi, lo = [x + 0.5 for x in c], [x - 0.5 for x in c]
    n = P["swing_lookback"]
    ema, rsi = _ema_sma(c, P["ema_period"]), _rsi(c, P["rsi_period"])
    warm = max(n, P["rsi_period"], P["ema_period"], P["vol_sma_period"], P["atr_period"]) + 5
    out = []
    for t in range(warm, len(c)):
        wh, wl = hi[t - n : t], lo[t - n : t]
        sh, sl = max(wh), min(wl)
        rng = sh - sl
        # the up-swing: the (latest) low comes before the (latest) high
        i_hi = max(i for i, x in enumerate(wh) if x == sh)
        i_lo = max(i for i, x in enumerate(wl) if x == sl)
        near = any(abs(c[t] - f) / f < 0.02 for f in (sh - k * rng for k in (0.382, 0.5, 0.618)))
        if (
            rng / sl > 0.10
            and (i_lo < i_hi or not up_swing_only)
            and near
            and c[t] > ema[t]
            and rsi[t] < 60.0
        ):
            out.append(t)
    return out


def test_a_pullback_to_a_fib_level_of_an_up_swing_buys():
    close = [*RISE, 78, 76.5, 76, 77, 78]
    expected = _expected(close)
    # bar 31 is near the 38.2% level of the 70.5..80.5 swing but its RSI is 67; bar 32 (76.5)
    # sits 0.7% from the 38.2% and 50% levels of a 12.6% swing, above the EMA, RSI 51.
    assert expected[:2] == [32, 33]
    sig = signals_of(
        NAME, make_bars(close, high=np.add(close, 0.5), low=np.subtract(close, 0.5)), **P
    )
    assert signal_bars(sig.long_entry) == expected


def test_near_miss_a_bounce_inside_a_down_swing_does_not_buy():
    # Up to 100, then down to 86 and a bounce: the levels measured down from 100.5 are hit, but
    # the swing's low comes after its high.
    close = [*np.linspace(50, 100, 31), 97, 94, 91, 88, 86, 89, 91.5, 92, 92.5]
    bars = make_bars(close, high=np.add(close, 0.5), low=np.subtract(close, 0.5))
    bounce = set(_expected(close, up_swing_only=False)) - set(_expected(close))
    assert bounce == {37, 38, 39}  # the original's rule would have bought the bounce
    assert signal_bars(signals_of(NAME, bars, **P).long_entry) == _expected(close) == [32, 33]


def test_the_atr_stop_and_the_time_stop_end_trades():
    crash = [*RISE, 78, 76.5, 76.5, 70, 69]  # filled at 76.5 on bar 33; stop ~3 below
    bars = make_bars(crash, high=np.add(crash, 0.5), low=np.subtract(crash, 0.5))
    assert _expected(crash)[0] == 32
    res = trade(NAME, bars, **P)
    assert res.trades["exit_reason"].to_list()[0] == "stop_loss"
    flat = [*RISE, 78, 76.5, *[76.6] * 8]  # no stop, no exit signal: out after 4 bars held
    bars = make_bars(flat, high=np.add(flat, 0.5), low=np.subtract(flat, 0.5))
    res = trade(NAME, bars, **P)
    first = res.trades.row(0, named=True)
    assert first["exit_reason"] == "max_hold"
    dates = list(bars.dates)
    assert (
        dates.index(np.datetime64(first["exit_time"], "ns")) == 33 + 4
    )  # fill bar 33 is bar 1, decided at 36's close
