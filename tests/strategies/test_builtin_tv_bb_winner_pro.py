"""tv_bb_winner_pro: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_bb_winner_pro"
P = {"bb_length": 10, "rsi_length": 3, "ma_length": 3, "aroon_length": 5, "sl_atr_length": 3}

QUIET = [10.0, 10.1, 9.9, 10.1, 9.9, 10.0, 10.1, 10.0, 10.0, 9.95, 9.9, 9.9]
# bar 12: a bearish candle whose buy zone (low + 30% of its body) is under bar 11's lower band
# after a slide (RSI low): buy. Bar 16: a bullish candle whose sell zone is over bar 15's upper
# band: the opposite-band candle.
CLOSE = [*QUIET, 9.5, 9.7, 9.9, 10.2, 10.8, 10.9, 11.0]
SPECIAL = {12: (9.85, 9.9, 9.1), 16: (10.2, 11.0, 10.15)}


def _ohlc(special=SPECIAL):
    c = np.array(CLOSE)
    o = np.concatenate(([c[0]], c[:-1]))
    h, lo = np.maximum(o, c) + 0.05, np.minimum(o, c) - 0.05
    for t, (op, hi, low) in special.items():
        o[t], h[t], lo[t] = op, hi, low
    return o, h, lo, c


def _rsi(c, n):
    """EMA-form RSI as the catalogue states it: alpha 2/(n+1), seeded at the first change (0)."""
    d = np.diff(c, prepend=c[0])
    a = 2 / (n + 1)
    g = pd.Series(np.maximum(d, 0)).ewm(alpha=a, adjust=False).mean().to_numpy()
    lo = pd.Series(np.maximum(-d, 0)).ewm(alpha=a, adjust=False).mean().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100 - 100 / (1 + g / lo)


def _expected(o, h, lo, c, n=10, k=2.0, pct=0.3, rsi_n=3, long_thr=45, short_thr=55, early=True):
    """Entries and exits with use_ma and use_aroon off."""
    s = pd.Series(c)
    mid, sd = s.rolling(n).mean(), s.rolling(n).std(ddof=1)
    up, dn = (mid + k * sd).to_numpy(), (mid - k * sd).to_numpy()
    size = np.abs(c - o)
    buyz, sellz = lo + pct * size, h - pct * size
    rsi = _rsi(c, rsi_n)
    entries, exits = [], []
    for t in range(n, len(c)):
        opposite = sellz[t] > up[t - 1] and c[t] > o[t]
        if buyz[t] < dn[t - 1] and c[t] < o[t] and rsi[t - 1] < long_thr:
            entries.append(t)
        elif (opposite and rsi[t - 1] > short_thr) or (early and opposite):
            exits.append(t)
    return entries, exits, rsi


def test_bearish_candle_under_the_lower_band_buys_and_the_opposite_band_candle_sells():
    o, h, lo, c = _ohlc()
    bars = make_bars(c, open=o, high=h, low=lo)
    entries, exits, rsi = _expected(o, h, lo, c)
    assert (entries, exits) == ([12], [16, 17, 18])
    sig = signals_of(NAME, bars, **P, use_ma=False)
    np.testing.assert_allclose(sig.series["rsi"][1:, 0], rsi[1:], rtol=1e-12)
    assert signal_bars(sig.long_entry) == entries
    assert signal_bars(sig.long_exit) == exits
    row = trade(NAME, bars, **P, use_ma=False).trades.row(0, named=True)
    assert np.datetime64(row["entry_time"], "ns") == bars.dates[13]
    assert (np.datetime64(row["exit_time"], "ns"), row["exit_reason"]) == (bars.dates[17], "signal")
    # near miss on the RSI filter: RSI(11) just above the threshold blocks the buy
    thr = int(np.floor(rsi[11]))
    assert _expected(o, h, lo, c, long_thr=thr)[0] == []
    sig = signals_of(NAME, bars, **P, use_ma=False, rsi_long_threshold=thr)
    assert signal_bars(sig.long_entry) == []
    assert signal_bars(signals_of(NAME, bars, **P, use_ma=False, use_rsi=False).long_entry) == [12]


def test_close_early_sells_without_the_filters_and_the_ma_filter_blocks_the_filtered_sell():
    o, h, lo, c = _ohlc()
    bars = make_bars(c, open=o, high=h, low=lo)
    # close(15) = 10.2 is above its 3-bar EMA, so the filtered sell (it needs close < MA) is off
    for early, want in ((True, [16, 17, 18]), (False, [])):
        sig = signals_of(NAME, bars, **P, use_rsi=False, close_early=early)
        assert signal_bars(sig.long_exit) == want


def test_percent_and_atr_stops():
    o, h, lo, c = _ohlc()
    lo[14] = 8.7  # 7% under the 9.5 fill is 8.835
    bars = make_bars(c, open=o, high=h, low=lo)
    row = trade(NAME, bars, **P, use_ma=False).trades.row(0, named=True)
    assert (row["exit_reason"], row["exit_price"]) == ("stop_loss", pytest.approx(9.5 * 0.93))
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[14]
    row = trade(NAME, bars, **P, use_ma=False, sl_type="ATR", sl_atr_mult=1.0).trades.row(
        0, named=True
    )
    assert row["exit_reason"] == "stop_loss"
    assert np.datetime64(row["exit_time"], "ns") == bars.dates[14]
    row = trade(NAME, bars, **P, use_ma=False, use_sl=False).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
