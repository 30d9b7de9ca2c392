"""tv_momentum_rotation: its rule against a hand-made benchmark, and the named benchmark on the
sample (SPY is refused naming it; GSPC runs) (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import run_backtest

NAME = "tv_momentum_rotation"
P = {"momentum_length": 2, "signal_length": 2}


def _expected(close, bench, momentum_length, signal_length):
    """The rule written out: RS = ROC_m(stock) - ROC_m(benchmark), SIG = SMA_s(RS); buy one bar
    after RS crosses above SIG while RS > 0, sell one bar after it crosses below while RS < 0."""
    c, b = pd.Series(close, dtype=float), pd.Series(bench, dtype=float)
    rs = c.pct_change(momentum_length) - b.pct_change(momentum_length)
    sig = rs.rolling(signal_length).mean()
    rs1, sig1, rs2, sig2 = rs.shift(1), sig.shift(1), rs.shift(2), sig.shift(2)
    buy = (rs2 <= sig2) & (rs1 > sig1) & (rs1 > 0)
    sell = (rs2 >= sig2) & (rs1 < sig1) & (rs1 < 0)
    return np.flatnonzero(buy).tolist(), np.flatnonzero(sell).tolist()


# The stock and its benchmark both rise; the stock pulls ahead, then falls behind.
CLOSE = [100, 101, 102, 103, 104, 108, 113, 118, 124, 112, 110, 108, 107, 106]
BENCH = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113]


def _bars(close, bench):
    return make_bars(np.asarray(close, float), extra={"benchmark_symbol": np.asarray(bench, float)})


def test_buys_the_lead_over_the_benchmark_crossing_up_and_sells_the_lag_crossing_down():
    buys, sells = _expected(CLOSE, BENCH, **P)
    assert buys == [6] and sells == [10]
    sig = signals_of(NAME, _bars(CLOSE, BENCH), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, _bars(CLOSE, BENCH), **P).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (7, 11, "signal")


def test_near_miss_the_same_stock_against_a_benchmark_rising_as_fast():
    bench = [c * 1.0 for c in CLOSE]  # RS is 0 everywhere: no lead, no cross
    assert _expected(CLOSE, bench, **P) == ([], [])
    sig = signals_of(NAME, _bars(CLOSE, bench), **P)
    assert not sig.long_entry.any() and not sig.long_exit.any()


def test_on_the_sample_spy_is_refused_naming_it_and_gspc_runs():
    with pytest.raises(DataError) as err:
        run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert err.value.field == "params.benchmark_symbol"
    assert "SPY" in err.value.message and "GSPC" in err.value.message
    cfg = RunConfig(strategy_name=NAME, universe="us_sample", params={"benchmark_symbol": "GSPC"})
    assert run_backtest(cfg).trades.height > 0
