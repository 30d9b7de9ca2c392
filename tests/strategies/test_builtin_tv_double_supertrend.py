"""tv_double_supertrend: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_double_supertrend"
P = {"st1_atr_period": 3, "st1_factor": 1.0, "st2_atr_period": 3, "st2_factor": 2.0}


def _supertrend_up(h, lo, c, p, f):
    """The catalogue's Supertrend, seeded on the first ATR bar (bearish there, as Pine): ATR =
    mean of the last p true ranges (from bar 1); final bands ratchet unless the previous close
    broke through; the trend turns up when the close is above the final upper band, down when
    it is below the final lower band. True where the trend is up."""
    h, lo, c = (np.asarray(a, dtype=float) for a in (h, lo, c))
    tr = [np.nan] + [
        max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, len(c))
    ]
    up = np.zeros(len(c), bool)
    fu = fl = None
    bull = False
    for i in range(p, len(c)):
        atr = np.mean(tr[i - p + 1 : i + 1])
        bu, bl = (h[i] + lo[i]) / 2 + f * atr, (h[i] + lo[i]) / 2 - f * atr
        if fu is not None:
            bu = bu if (bu < fu or c[i - 1] > fu) else fu
            bl = bl if (bl > fl or c[i - 1] < fl) else fl
            bull = (c[i] > bu) if not bull else not (c[i] < bl)
        fu, fl, up[i] = bu, bl, bull
    return up


def _spec(h, lo, c):
    up1 = _supertrend_up(h, lo, c, 3, 1.0)
    up2 = _supertrend_up(h, lo, c, 3, 2.0)
    buys = [t for t in range(4, len(c)) if up1[t] and not up1[t - 1]]
    sells = [t for t in range(4, len(c)) if up2[t - 1] and not up2[t]]
    return buys, sells


# A slide, a sharp rally (the fast Supertrend turns up first), a plateau, then a sharp fall.
CLOSE = [110, 108, 106, 104, 102, 100, 104, 108, 112, 114, 115, 115, 110, 104, 98, 95]
OPEN = CLOSE[:1] + CLOSE[:-1]


def _bars():
    c, o = np.asarray(CLOSE, dtype=float), np.asarray(OPEN, dtype=float)
    return make_bars(c, open=o, high=np.maximum(o, c) + 0.5, low=np.minimum(o, c) - 0.5)


def test_fast_supertrend_turning_up_buys_and_the_slow_one_turning_down_sells():
    bars = _bars()
    buys, sells = _spec(bars.high[:, 0], bars.low[:, 0], CLOSE)
    assert buys == [7] and sells == [12]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, bars, **P)
    assert res.trades["exit_reason"].to_list() == ["signal"]


def test_percent_stop_ends_the_long():
    # A far target (so no Supertrend exit): filled at bar 8's open (108), the stop 102.6 is not
    # reached by bar 13 (low 103.5); bar 14 opens at 104 and trades down to 97.5 through it.
    res = trade(NAME, _bars(), **P, tp_type="Percent", tp_percent=0.5, sl_percent=0.05)
    row = res.trades.row(0, named=True)
    assert (row["exit_reason"], row["entry_price"]) == ("stop_loss", 108.0)
    assert abs(row["exit_price"] - 108.0 * 0.95) < 1e-9
    assert np.datetime64(row["exit_time"], "ns") == _bars().dates[14]


def test_percent_target_replaces_the_slow_supertrend_exit():
    res = trade(NAME, _bars(), **P, tp_type="Percent", tp_percent=0.05)
    row = res.trades.row(0, named=True)
    assert row["exit_reason"] == "take_profit"  # 113.4, inside bar 9 (112 .. 114.5)
    assert abs(row["exit_price"] - 108.0 * 1.05) < 1e-9


def test_near_miss_a_wider_fast_band_does_not_turn_up_on_the_rally():
    bars = _bars()
    sig = signals_of(NAME, bars, **{**P, "st1_factor": 3.0})
    up = _supertrend_up(bars.high[:, 0], bars.low[:, 0], CLOSE, 3, 3.0)
    assert not up[7] and up[8]  # it turns up a bar later
    assert signal_bars(sig.long_entry) == [8]
