"""intraday_momentum: the rule on hand-made 15-minute bars (the registry suite checks the rest).

Spec: DayOpen = open of the session's first bar; Move[i] = (close[i] - DayOpen[i]) / DayOpen[i];
buy at t when Move[t-1] > move_threshold_pct, sell (short) when Move[t-1] < -threshold. Ava: no
entry on a session's last bar, flat at its close, a tp2_atr_mult x ATR target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from handmade import signal_bars, signals_of, trade
from intraday_bars import intraday_bars

NAME = "intraday_momentum"
DAY = 26


def _expected(bars, close, open_, thr=0.01):
    day = bars.dates.astype("datetime64[D]")
    day_open = pd.Series(open_).groupby(day).transform("first").to_numpy()
    move = (close - day_open) / day_open
    prev = np.r_[np.nan, move[:-1]]
    last = np.r_[day[1:] != day[:-1], True]
    with np.errstate(invalid="ignore"):
        return (
            np.flatnonzero((prev > thr) & ~last).tolist(),
            np.flatnonzero((prev < -thr) & ~last).tolist(),
        )


def _case():
    n = 2 * DAY
    close = np.full(n, 100.0)
    close[1] = 100.9  # +0.9%: a near miss
    close[3] = 101.5  # +1.5% from the session's open: buy at bar 4
    close[4:10] = 100.5
    close[10] = 98.5  # -1.5%: short at bar 11 (and the long closes)
    close[11:DAY] = 100.0
    close[DAY - 2] = 101.2  # a move on the last-but-one bar: no entry on the last bar
    close[DAY:] = 102.0  # the next session opens at 102 (gap): its moves count from there
    close[DAY + 5] = 103.2
    open_ = np.r_[100.0, close[:-1]]
    open_[DAY] = 102.0
    return close, open_


def test_follows_the_previous_bars_move_from_the_sessions_open():
    close, open_ = _case()
    bars = intraday_bars(15, close, open=open_)
    longs, shorts = _expected(bars, close, open_)
    assert (longs, shorts) == ([4, DAY + 6], [11])
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == longs
    assert signal_bars(sig.short_entry) == shorts
    assert {DAY - 1, 2 * DAY - 1} <= set(signal_bars(sig.long_exit))


def test_the_session_close_flattens_and_shorts_are_real():
    close, open_ = _case()
    bars = intraday_bars(15, close, open=open_)
    res = trade(NAME, bars)
    got = res.trades.select("direction", "entry_bar", "exit_bar", "exit_reason").rows()
    # Long filled at 5; bar 11's down move exits it at 11's close (exits fill at the close) and
    # its short entry fills at 12's open; the short closes at the session's last close.
    assert got[:2] == [("long", 5, 11, "signal"), ("short", 12, DAY - 1, "signal")]
    assert res.trades.row(1, named=True)["exit_price"] == close[DAY - 1]


def test_the_atr_target():
    close, open_ = _case()
    high = np.maximum(open_, close) + 0.2
    low = np.minimum(open_, close) - 0.2
    high[6] = 104.0  # far beyond the fill (100.5) + 2 ATR
    bars = intraday_bars(15, close, open=open_, high=high, low=low)
    tr = pd.concat(
        [
            pd.Series(high - low),
            (pd.Series(high) - pd.Series(close).shift()).abs(),
            (pd.Series(low) - pd.Series(close).shift()).abs(),
        ],
        axis=1,
    ).max(axis=1)
    atr = tr.rolling(14).mean().to_numpy()
    sig = signals_of(NAME, bars)
    # 2 ATR, sent as a fraction of the close (the engine applies it to the fill).
    np.testing.assert_allclose(sig.take_profit[:, 0], 2.0 * atr / close, equal_nan=True)
    assert np.isfinite(atr).sum() == len(atr) - 13
    # With a warmed-up ATR (14 bars), the target closes the trade.
    close2 = np.r_[np.full(DAY, 100.0), _case()[0][:DAY]]
    open2 = np.r_[100.0, close2[:-1]]
    open2[DAY] = 100.0
    high2 = np.maximum(open2, close2) + 0.2
    low2 = np.minimum(open2, close2) - 0.2
    high2[DAY + 5] = 104.0
    bars2 = intraday_bars(15, close2, open=open2, high=high2, low=low2)
    row = trade(NAME, bars2).trades.row(0, named=True)
    assert row["exit_reason"] == "take_profit" and row["entry_bar"] == DAY + 5
