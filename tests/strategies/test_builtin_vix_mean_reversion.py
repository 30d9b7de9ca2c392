"""vix_mean_reversion: its rule on a hand-made VIX (spike, cool-down, complacency), the real
time exit, and the error when the VIX covers none of a run (the registry suite checks the rest)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import run_backtest

NAME = "vix_mean_reversion"
P = {"short_vol_period": 2, "long_vol_period": 4, "hold_days": 2}


def _expected(vix, short_vol_period, long_vol_period, hold_days, spike=1.5, calm=0.7):
    """The catalogue's state machine on RATIO = SMA_short / SMA_long of the VIX: flat -> buy on
    RATIO > spike, else sell on RATIO < calm; either sets a cool-down whose counter must pass
    hold_days before the next signal."""
    v = pd.Series(vix, dtype=float)
    ratio = (v.rolling(short_vol_period).mean() / v.rolling(long_vol_period).mean()).to_numpy()
    buys, sells, busy, count = [], [], False, 0
    for t, r in enumerate(ratio):
        if np.isnan(r):
            continue
        if not busy:
            if r > spike:
                buys.append(t)
                busy, count = True, 0
            elif r < calm:
                sells.append(t)
                busy, count = True, 0
        else:
            count += 1
            busy = count <= hold_days
    return buys, sells


#      0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18
VIX = [10, 10, 10, 10, 10, 40, 40, 40, 40, 40, 12, 8, 6, 6, 6, 6, 6, 6, 6]


def _bars(vix):
    return make_bars(np.linspace(100, 110, len(vix)), extra={"vix": np.asarray(vix, float)})


def test_buys_the_spike_sells_the_calm_after_the_cool_down_and_holds_at_most_hold_days():
    buys, sells = _expected(VIX, **P)
    assert buys == [6] and sells == [11]
    sig = signals_of(NAME, _bars(VIX), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    assert sig.max_hold == 2
    # Filled at bar 7's open, held two bars, closed by the time exit before the calm sell.
    t = trade(NAME, _bars(VIX), **P).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (7, 9, "max_hold")


def test_near_miss_a_rise_short_of_the_spike_multiple():
    mild = [10, 10, 10, 10, 10, 40, 20, 20, 20, 20]  # the ratio peaks at 1.43
    assert _expected(mild, **P)[0] == []
    assert not signals_of(NAME, _bars(mild), **P).long_entry.any()


def test_a_run_the_vix_does_not_cover_at_all_fails_naming_the_vix():
    cfg = RunConfig(
        strategy_name=NAME,
        symbols=["NVDA"],
        start_date=dt.date(2020, 1, 2),
        end_date=dt.date(2021, 12, 31),
    )
    with pytest.raises(DataError) as err:
        run_backtest(cfg)
    assert "VIX" in err.value.message
