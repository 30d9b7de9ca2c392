"""tv_ha_ssl: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_ha_ssl"


def _expected(o, h, lo, c, n):
    """The catalogue's recursion, bar by bar: HA candles, SMA of HA highs/lows, the HLV latch,
    and the up/down cross seen between t-2 and t-1."""
    hc = [(o[i] + h[i] + lo[i] + c[i]) / 4 for i in range(len(c))]
    ho = [(o[0] + c[0]) / 2]
    for i in range(1, len(c)):
        ho.append((ho[-1] + hc[i - 1]) / 2)
    hh = [max(h[i], ho[i], hc[i]) for i in range(len(c))]
    hl = [min(lo[i], ho[i], hc[i]) for i in range(len(c))]
    up, down, hlv = [], [], 0
    for i in range(len(c)):
        if i >= n - 1:
            sh, sl = sum(hh[i - n + 1 : i + 1]) / n, sum(hl[i - n + 1 : i + 1]) / n
            if i >= 1:
                hlv = 1 if hc[i] > sh else -1 if hc[i] < sl else hlv
            up.append(sl if hlv < 0 else sh)
            down.append(sh if hlv < 0 else sl)
        else:
            up.append(np.nan)
            down.append(np.nan)
    entry = [t for t in range(2, len(c)) if up[t - 2] <= down[t - 2] and up[t - 1] > down[t - 1]]
    exit_ = [t for t in range(2, len(c)) if up[t - 2] >= down[t - 2] and up[t - 1] < down[t - 1]]
    return entry, exit_


# a slide (HLV -1), a bounce that stays inside the channel (bars 6-8, near miss), a rally whose HA
# close clears the SMA of HA highs at bar 9 (entry at 10), and a drop (HLV -1 at 14: exit at 15)
CLOSE = [30, 29, 28, 27, 26, 25, 25.5, 25.2, 26.5, 27.5, 28.5, 29.5, 28.5, 27.5, 26.5, 25.5, 25]


def _bars(close=CLOSE):
    c = np.array(close, dtype=float)
    o = np.r_[c[0], c[:-1]]
    return make_bars(c, open=o, high=np.maximum(o, c) + 0.1, low=np.minimum(o, c) - 0.1)


def test_entry_on_the_ssl_cross_seen_one_bar_late():
    bars = _bars()
    cols = (bars.open[:, 0], bars.high[:, 0], bars.low[:, 0], bars.close[:, 0])
    entry, exit_ = _expected(*cols, 3)
    assert (entry, exit_) == ([10], [15])
    sig = signals_of(NAME, bars, ssl_period=3)
    assert signal_bars(sig.long_entry) == entry
    assert not sig.long_exit.any()
    crossing = signals_of(NAME, bars, ssl_period=3, exit_on_ssl_cross=True)
    assert signal_bars(crossing.long_exit) == exit_


def test_the_declared_target_and_stop_are_engine_exits():
    row = trade(NAME, _bars(), ssl_period=3).trades.row(0, named=True)
    assert row["exit_reason"] == "take_profit"
    assert row["exit_price"] == pytest.approx(row["entry_price"] * 1.003)
    falling = [*CLOSE[:11], 28.0, 27.0, 26.0]
    row = trade(NAME, _bars(falling), ssl_period=3, take_profit_pct=0.0).trades.row(0, named=True)
    assert row["exit_reason"] == "stop_loss"
