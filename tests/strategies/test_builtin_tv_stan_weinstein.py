"""tv_stan_weinstein: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade
from rule_check import load_for

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError

NAME = "tv_stan_weinstein"
P = {"rs_period": 3, "volume_ma_length": 2, "price_ma_length": 3, "highest_lookback": 4}

# A flat base, a slight drift up (bars 5-7), a breakout on triple volume (bar 8), two more up
# bars, a close under the 3-bar average (bar 11).
CLOSE = [100.0] * 5 + [100.2, 100.4, 100.6, 102, 103, 104, 101, 100]
HIGH = [c + 1 for c in CLOSE[:8]] + [102.5, 103.5, 104.5, 104, 101]
VOLUME = [1000.0] * 8 + [3000, 1500, 1500, 1500, 1500]
FLAT = [100.0] * len(CLOSE)  # the comparison symbol, flat: the stock outperforms it
RISING = [100.0] * 5 + [100.5, 101, 101.5, 102, 102.5, 103, 103.5, 104]  # beats the stock


def _bars(bench):
    return make_bars(CLOSE, high=HIGH, volume=VOLUME, extra={"benchmark_symbol": bench})


def _spec(bench, rs_n=3, vma_n=2, pma_n=3, hh_n=4):
    c, h, v, b = (np.asarray(x, dtype=float) for x in (CLOSE, HIGH, VOLUME, bench))

    def rolling(x, n, f):
        return np.array([f(x[i - n + 1 : i + 1]) if i >= n - 1 else np.nan for i in range(len(x))])

    pma, vma, hh = rolling(c, pma_n, np.mean), rolling(v, vma_n, np.mean), rolling(h, hh_n, max)

    def ret(x):
        return np.array([x[i] / x[i - rs_n] - 1 if i >= rs_n else np.nan for i in range(len(x))])

    rs = ret(c) - ret(b)
    t_ = range(1, len(c))
    buys = [
        t
        for t in t_
        if c[t] > pma[t - 1] and rs[t - 1] > 0 and v[t] > vma[t - 1] and c[t] > hh[t - 1]
    ]
    sells = [t for t in t_ if c[t] < pma[t - 1] and t not in buys]
    return buys, sells


def test_breakout_while_outperforming_buys_and_a_close_under_the_average_sells():
    buys, sells = _spec(FLAT)
    assert buys == [8] and sells == [11, 12]
    sig = signals_of(NAME, _bars(FLAT), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, _bars(FLAT), **P).trades.row(0, named=True)
    assert (row["entry_price"], row["exit_price"]) == (CLOSE[9], CLOSE[12])


def test_near_miss_the_comparison_symbol_rose_more():
    # The same breakout, but the comparison symbol gained 1.5% over the 3 bars to bar 7 against
    # the stock's 0.6%: RS < 0, no buy (the original's fake benchmark would have bought).
    buys, _ = _spec(RISING)
    assert buys == []
    sig = signals_of(NAME, _bars(RISING), **P)
    assert signal_bars(sig.long_entry) == []
    assert sig.series["rs"][7, 0] < 0


def test_a_comparison_symbol_the_market_lacks_is_an_error_naming_it():
    with pytest.raises(DataError) as err:
        load_for(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert err.value.field == "params.comparative_symbol" and "SPY" in err.value.message
    _, _, bars, _ = load_for(
        RunConfig(strategy_name=NAME, universe="us_sample", params={"comparative_symbol": "GSPC"})
    )
    assert np.isfinite(bars.extra["benchmark_symbol"]).any()


def test_a_run_states_where_the_comparison_symbol_covers_it():
    import datetime as dt

    from ava_backtest.runs.execute import run_backtest

    # GSPC ships for 1999-01-04 .. 2018-12-31: a run from 2015 to 2020 is told where it compares.
    cfg = RunConfig(
        strategy_name=NAME,
        symbols=["NVDA", "AMZN"],
        start_date="2015-01-02",
        end_date="2020-12-31",
        params={"comparative_symbol": "GSPC"},
    )
    notes = [n for n in run_backtest(cfg).notes if n.startswith("GSPC (comparative_symbol)")]
    assert len(notes) == 1 and "2015-01-02 .. 2018-12-31" in notes[0], notes
    # From 2019-01-15 GSPC covers only the warm-up bars loaded before the start: nothing to run on.
    with pytest.raises(DataError) as err:
        run_backtest(cfg.model_copy(update={"start_date": dt.date(2019, 1, 15)}))
    assert err.value.field == "params.comparative_symbol"
    assert "GSPC has no value between 2019-01-15" in err.value.message
