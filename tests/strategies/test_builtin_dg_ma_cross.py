"""dg_ma_cross: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of

from ava_backtest.domain.errors import ParameterError
from ava_backtest.strategies import get_strategy

NAME = "dg_ma_cross"


def _expected(fast: pd.Series, slow: pd.Series, warmup: int) -> tuple[list[int], list[int]]:
    """The spec: buy at t if F[t-1] > S[t-1] and F[t-2] <= S[t-2]; sell on the mirror image;
    nothing before bar ``warmup``."""
    f1, s1, f2, s2 = fast.shift(1), slow.shift(1), fast.shift(2), slow.shift(2)
    t = np.arange(len(fast)) >= warmup
    entry = ((f1 > s1) & (f2 <= s2)).to_numpy() & t
    exit_ = ((f1 < s1) & (f2 >= s2)).to_numpy() & t
    return np.flatnonzero(entry).tolist(), np.flatnonzero(exit_).tolist()


CLOSE = [10, 10, 10, 10, 10, 12, 14, 16, 14, 10, 8, 8, 8, 8, 11, 13, 13, 13]


def test_sma_cross_fires_one_bar_after_the_cross():
    c = pd.Series(CLOSE, dtype=float)
    entry, exit_ = _expected(c.rolling(2).mean(), c.rolling(3).mean(), 3 + 2)
    assert entry == [6, 15] and exit_ == [10]  # the crosses are on bars 5, 14 and 9
    sig = signals_of(
        NAME, make_bars(CLOSE), fast_period=2, slow_period=3, fast_type="SMA", slow_type="sma"
    )
    assert signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_


def test_ema_and_wma_types_seeded_as_the_spec_says():
    c = pd.Series(CLOSE, dtype=float)
    fast = c.ewm(span=2, adjust=False).mean()  # EMA_first: seeded with close[0]
    w = np.arange(1, 4)
    slow = c.rolling(3).apply(lambda x: float((x * w).sum() / w.sum()), raw=True)
    entry, exit_ = _expected(fast, slow, 5)
    assert entry and exit_
    sig = signals_of(
        NAME, make_bars(CLOSE), fast_period=2, slow_period=3, fast_type="EMA", slow_type="WMA"
    )
    assert signal_bars(sig.long_entry) == entry
    assert signal_bars(sig.long_exit) == exit_


def test_near_miss_a_touch_is_not_a_cross_and_nothing_fires_inside_the_warm_up():
    # The fast SMA rises to meet the slow one and falls back without exceeding it.
    touch = [10, 10, 10, 10, 10, 10, 9, 8, 8, 8, 8, 8]
    sig = signals_of(
        NAME, make_bars(touch), fast_period=2, slow_period=3, fast_type="SMA", slow_type="SMA"
    )
    assert signal_bars(sig.long_entry) == []
    # A cross on bar 1 would be confirmed on bar 2, inside the 5-bar warm-up.
    early = [10, 12, 14, 16, 18, 20, 22, 24]
    sig = signals_of(
        NAME, make_bars(early), fast_period=2, slow_period=3, fast_type="EMA", slow_type="EMA"
    )
    assert signal_bars(sig.long_entry) == []


def test_an_unknown_ma_type_is_refused_naming_the_parameter():
    cls = get_strategy(NAME)
    with pytest.raises(ParameterError) as err:
        cls(slow_type="HMA")
    assert err.value.field == "params.slow_type"
    assert cls(fast_type="rma").params["fast_type"] == "RMA"
