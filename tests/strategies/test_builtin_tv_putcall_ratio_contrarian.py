"""tv_putcall_ratio_contrarian: its rule on a hand-made put/call ratio, and the missing-data error
on the sample (the registry suite checks the rest, on a generated ratio)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import run_backtest

NAME = "tv_putcall_ratio_contrarian"
P = {"smooth": 1, "lookback": 10}


def _expected(ratio, smooth, lookback, entry_z=1.5, exit_z=0.0):
    """The rule written out: P = SMA_smooth(ratio); Z = (P - mean) / population std of P over the
    last lookback sessions; buy while Z > entry_z, sell while Z < exit_z."""
    p = pd.Series(ratio, dtype=float).rolling(smooth).mean()
    z = (p - p.rolling(lookback).mean()) / p.rolling(lookback).std(ddof=0)
    return np.flatnonzero(z > entry_z).tolist(), np.flatnonzero(z < exit_z).tolist()


#                                                           spike (fear)  back to normal
RATIO = [0.9, 0.8, 1.0, 0.9, 0.8, 1.0, 0.9, 0.8, 1.0, 0.9, 0.9, 1.6, 1.2, 0.95, 0.8, 0.9]


def _bars(ratio):
    r = np.asarray(ratio, dtype=float)
    return make_bars(np.full(len(r), 50.0), extra={"put_call_ratio": r[:, None]})


def test_buys_a_put_call_spike_and_sells_when_it_is_back_below_normal():
    buys, sells = _expected(RATIO, **P)
    assert buys == [11] and sells == [13, 14, 15]
    sig = signals_of(NAME, _bars(RATIO), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, _bars(RATIO), **P).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (12, 14, "signal")


def test_near_miss_a_rise_that_stays_inside_its_usual_range():
    mild = [*RATIO[:11], 1.0, 0.95, 0.9, 0.8, 0.9]
    assert _expected(mild, **P)[0] == []
    assert not signals_of(NAME, _bars(mild), **P).long_entry.any()
    # A session without a ratio gives no value and no signal.
    gap = [*RATIO[:11], np.nan, *RATIO[12:]]
    assert not signals_of(NAME, _bars(gap), **P).long_entry.any()


def test_on_the_sample_the_run_fails_naming_the_put_call_ratio_and_how_to_upload_it():
    with pytest.raises(DataError) as err:
        run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert err.value.field == "put_call_ratio"
    assert "POST /api/v2/data/put-call-ratio" in err.value.message
    assert "docs/data.md" in err.value.message
