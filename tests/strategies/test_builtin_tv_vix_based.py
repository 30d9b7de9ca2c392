"""tv_vix_based: its rule on a hand-made VIX, the run's VIX-window note, and the error when the
VIX covers none of a run (the registry suite checks the rest)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import run_backtest

NAME = "tv_vix_based"
P = {"vol_lookback": 10, "vol_ma_length": 8, "min_hold_days": 3}


def _expected(v, dates, vol_lookback, vol_ma_length, min_hold_days, hi=0.8, lo=0.2):
    """The rule written out: nearest-rank quantiles of the last L VIX closes (index round((L-1)q)
    half up), SMA_M; fear = above QH, falling, above SMA; calm = below QL, rising, below SMA, at
    least min_hold_days calendar days after the last fear bar."""
    buys, sells, last_fear = [], [], None
    for t in range(len(v)):
        if t < max(vol_lookback, vol_ma_length) - 1 or t == 0:
            continue
        w = sorted(v[t - vol_lookback + 1 : t + 1])
        qh = w[math.floor((vol_lookback - 1) * hi + 0.5)]
        ql = w[math.floor((vol_lookback - 1) * lo + 0.5)]
        m = sum(v[t - vol_ma_length + 1 : t + 1]) / vol_ma_length
        if v[t] > qh and v[t] < v[t - 1] and v[t] > m:
            buys.append(t)
            last_fear = dates[t]
        elif v[t] < ql and v[t] > v[t - 1] and v[t] < m:
            held = None if last_fear is None else (dates[t] - last_fear).days
            if held is not None and held >= min_hold_days:
                sells.append(t)
    return buys, sells


#    0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16 17  18  19  20
VIX = [15, 15, 16, 15, 16, 15, 16, 18, 25, 30, 27, 22, 20, 17, 15, 13, 12, 9, 10, 14, 15]


def _bars(vix):
    return make_bars(np.full(len(vix), 100.0), extra={"vix": np.asarray(vix, dtype=float)})


def test_buys_the_vix_turning_down_from_its_highs_and_sells_it_turning_up_from_its_lows():
    bars = _bars(VIX)
    dates = [d.astype("datetime64[D]").item() for d in bars.dates]
    buys, sells = _expected(VIX, dates, **P)
    assert buys == [10] and sells == [18]
    sig = signals_of(NAME, bars, **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, bars, **P).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (11, 19, "signal")


def test_near_misses_a_vix_still_rising_and_a_sell_too_soon_after_the_fear():
    rising = [*VIX[:10], 31, 32, 33, 34, 35]
    assert _expected(rising, list(range(15)), **P)[0] == []
    assert not signals_of(NAME, _bars(rising), **P).long_entry.any()
    # The same fear at bar 10, but the calm bar comes within min_hold_days (here 30 days).
    bars = _bars(VIX)
    assert not signals_of(NAME, bars, **{**P, "min_hold_days": 30}).long_exit.any()
    # No VIX, no entry; and a held position is sold where the VIX ends.
    gap = np.array(VIX, dtype=float)
    gap[5:] = np.nan
    sig = signals_of(NAME, _bars(gap), **P)
    assert not sig.long_entry.any() and signal_bars(sig.long_exit) == list(range(5, len(VIX)))


def test_the_runs_notes_state_where_the_vix_covers_it():
    r = run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    note = [n for n in r.notes if n.startswith("VIX:")]
    assert note and "2014-01-03 .. 2019-01-03" in note[0] and "no signal" in note[0]
    assert r.trades.height > 0
    entries = r.trades["entry_time"].cast(dt.datetime).to_list()
    assert min(entries).date() > dt.date(2014, 1, 3) and max(entries).date() <= dt.date(2019, 1, 7)


def test_a_run_the_vix_does_not_cover_at_all_fails_naming_the_vix():
    cfg = RunConfig(
        strategy_name=NAME,
        universe="us_sample",
        start_date=dt.date(2005, 1, 3),
        end_date=dt.date(2010, 12, 31),
    )
    with pytest.raises(DataError) as err:
        run_backtest(cfg)
    assert "VIX" in err.value.message
