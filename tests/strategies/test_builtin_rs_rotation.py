"""rs_rotation: its ranking, regime filter and rotation on hand-made bars (the registry suite
checks the rest)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.errors import DataError

NAME = "rs_rotation"
P = {"rebalance_freq": 5, "lookback": 3, "market_filter_sma": 4}
N = 30
T = np.arange(N)
A = 100 * 1.02**T  # the leader
B = np.full(N, 100.0)  # the middle
C = 100 * 0.97**T  # the laggard
BULL = 100 + T.astype(float)
TURN = np.where(T < 17, 100 + T, 116 - 3 * (T - 17)).astype(float)  # bear from bar 18 on


def _expected(close: np.ndarray, bench: np.ndarray, thr: float = -0.05):
    """The rule: on bars t % 5 == 0 (t >= max(3, 4) + 5), RS = 3-bar return minus the median of
    the three; bull if bench[t-1] > mean(bench[t-4..t-1]); long RS > 0 in a bull regime, short
    RS < thr in a bear regime."""
    longs: dict[int, list[int]] = {0: [], 1: [], 2: []}
    shorts: dict[int, list[int]] = {0: [], 1: [], 2: []}
    for t in range(9, len(bench)):
        if t % 5:
            continue
        ret = close[t] / close[t - 3] - 1
        rs = ret - np.median(ret)
        sma = bench[t - 4 : t].mean()
        for j in range(3):
            if bench[t - 1] > sma and rs[j] > 0:
                longs[j].append(t)
            if bench[t - 1] < sma and rs[j] < thr:
                shorts[j].append(t)
    return longs, shorts


def _bars(bench: np.ndarray, c: np.ndarray = C):
    close = np.column_stack([A, B, c])
    return close, make_bars(close, extra={"benchmark": bench}, symbols=["A", "B", "C"])


def test_leaders_are_bought_in_a_bull_market_and_laggards_shorted_in_a_bear_market():
    close, bars = _bars(TURN)
    longs, shorts = _expected(close, TURN)
    assert longs == {0: [10, 15], 1: [], 2: []} and shorts == {0: [], 1: [], 2: [20, 25]}
    sig = signals_of(NAME, bars, **P)
    for j in range(3):
        assert signal_bars(sig.long_entry, j) == longs[j]
        assert signal_bars(sig.short_entry, j) == shorts[j]
    # rotation: at the bear rebalance the leader's long is closed
    assert 20 in signal_bars(sig.long_exit, 0)


def test_near_miss_no_short_in_a_bull_market_nor_for_a_small_lag():
    close, bars = _bars(BULL)
    longs, shorts = _expected(close, BULL)
    assert longs[0] == [10, 15, 20, 25] and shorts == {0: [], 1: [], 2: []}
    sig = signals_of(NAME, bars, **P)
    assert not sig.short_entry.any()
    assert signal_bars(sig.long_entry, 0) == longs[0]
    mild = 100 * 0.99**T  # trails the median by about 3% over 3 bars: above the -5% threshold
    close, bars = _bars(TURN, mild)
    assert _expected(close, TURN)[1][2] == []
    assert signal_bars(signals_of(NAME, bars, **P).short_entry, 2) == []


def test_it_opens_a_short_on_the_laggard_and_covers_it_when_the_market_turns():
    back = np.where(T <= 21, TURN, TURN[21] + 5.0 * (T - 21))  # bull again by bar 25
    close, bars = _bars(back)
    assert _expected(close, back)[1][2] == [20]
    trades = trade(NAME, bars, **P).trades
    short = trades.filter(trades["direction"] == "short").row(0, named=True)
    assert short["symbol"] == "C"
    dates = list(bars.dates)
    assert dates.index(np.datetime64(short["entry_time"], "ns")) == 21
    assert dates.index(np.datetime64(short["exit_time"], "ns")) == 26


def test_without_a_benchmark_it_fails_naming_it():
    close = np.column_stack([A, B, C])
    with pytest.raises(DataError) as err:
        signals_of(NAME, make_bars(close), **P)
    assert err.value.field == "benchmark"
