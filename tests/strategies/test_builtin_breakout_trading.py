"""breakout_trading: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "breakout_trading"
P = {"lookback": 3, "vol_sma_period": 3, "atr_period": 2, "ema_period": 5, "max_hold": 3}


def _expected(c, h, v, lookback, vol_mult, vol_n, ema_n):
    """The rule written out: close above the prior highs, volume surge, close above the EMA."""
    out, e = [], c[0]
    for t in range(len(c)):
        e = c[0] if t == 0 else e + 2.0 / (ema_n + 1) * (c[t] - e)
        if t < max(lookback, vol_n - 1):
            continue
        res = max(h[t - lookback : t])
        vs = sum(v[t - vol_n + 1 : t + 1]) / vol_n
        if c[t] > res and v[t] > vol_mult * vs and c[t] > e:
            out.append(t)
    return out


def _bars():
    close = [10.0] * 10 + [11.0, 11.0, 11.0, 12.0, 12.0, 12.0, 12.0, 12.0]
    volume = [1e6] * 10 + [3e6, 1e6, 1e6, 1.6e6, 1e6, 1e6, 1e6, 1e6]
    return make_bars(close, volume=volume), close, volume


def test_entry_is_a_close_above_the_prior_high_on_a_volume_surge():
    bars, close, volume = _bars()
    sig = signals_of(NAME, bars, **P)
    expected = _expected(close, close, volume, 3, 1.5, 3, 5)
    # bar 10 breaks out on 3x volume; bar 13 breaks out again but 1.6e6 <= 1.5 * 1.2e6: a near miss
    assert expected == [10]
    assert signal_bars(sig.long_entry) == expected


def test_no_entry_below_the_trend_ema():
    close = [20.0] * 6 + [10.0] * 4 + [11.0, 11.0]
    volume = [1e6] * 10 + [3e6, 1e6]
    bars = make_bars(close, volume=volume)
    # close 11 > prior high 10 on a volume surge, but the EMA(5) is still 11.65
    assert _expected(close, close, volume, 3, 1.5, 3, 5) == []
    assert signal_bars(signals_of(NAME, bars, **P).long_entry) == []


def test_time_stop_ends_the_trade_after_max_hold_bars():
    bars, _, _ = _bars()
    res = trade(NAME, bars, **P)
    row = res.trades.row(0, named=True)
    assert row["exit_reason"] == "max_hold"
    dates = bars.dates
    assert np.datetime64(row["entry_time"], "ns") == dates[11]
    assert (
        np.datetime64(row["exit_time"], "ns") == dates[14]
    )  # held bars 11, 12, 13; out at 14's open


def test_atr_stop_below_the_fill_is_hit():
    bars, close, volume = _bars()
    low = np.minimum(close, close)
    low[12] = 9.0  # ATR(2) at bar 10 = (0 + 1) / 2; stop = 11 - 2 * 0.5 = 10
    bars = make_bars(close, volume=volume, low=low)
    row = trade(NAME, bars, **P).trades.row(0, named=True)
    assert row["exit_reason"] == "stop_loss"
    assert row["exit_price"] == 10.0
