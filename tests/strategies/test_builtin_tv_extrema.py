"""tv_extrema: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of

from ava_backtest.strategies import ParameterError, get_strategy

NAME = "tv_extrema"
P = {"base": 2.0, "factor": 1.0, "crop": 1, "max_periods": 2}  # ladder 2, 4


def _expected(high, low, periods):
    """The catalogue's ladder, written out: OR over the periods of a falling rolling min (rising
    rolling max), min_periods=1; entry when a fall run ends, exit when a rise run ends."""
    h, lo = pd.Series(high), pd.Series(low)
    fall = np.zeros(len(h), dtype=bool)
    rise = np.zeros(len(h), dtype=bool)
    for p in periods:
        rmin = lo.rolling(p, min_periods=1).min()
        rmax = h.rolling(p, min_periods=1).max()
        fall |= (rmin < rmin.shift()).to_numpy()
        rise |= (rmax > rmax.shift()).to_numpy()
    entry = [t for t in range(1, len(h)) if fall[t - 1] and not fall[t]]
    exit_ = [t for t in range(1, len(h)) if rise[t - 1] and not rise[t] and t not in entry]
    return entry, exit_


# flat start; a run of new lows (bars 5-7) ends at bar 8; a run of new highs (11-13) ends at 14;
# bar 16 dips to 9.9, below bar 15's low 10 but not below bar 14's 9.8 (two-bar window): no
# fall at 16, so nothing fires at 17
LOW = [10, 10, 10, 10, 10, 9.5, 9, 8.5, 8.6, 8.7, 8.8, 9.2, 9.6, 10, 9.8, 10, 9.9, 10, 10]
HIGH = [11, 11, 11, 11, 11, 10.5, 10, 9.5, 9.6, 9.7, 9.8, 10.2, 11.2, 11.6, 11.5, 11, 11, 11, 11]


def test_entry_when_a_run_of_new_lows_ends_and_exit_when_new_highs_end():
    expected = _expected(HIGH, LOW, [2, 4])
    assert expected == ([8], [14])
    close = [(h + lo) / 2 for h, lo in zip(HIGH, LOW, strict=True)]
    sig = signals_of(NAME, make_bars(close, high=HIGH, low=LOW), **P)
    assert signal_bars(sig.long_entry) == expected[0]
    assert signal_bars(sig.long_exit) == expected[1]


def test_a_ladder_longer_than_ten_years_is_refused():
    with pytest.raises(ParameterError) as err:
        get_strategy(NAME)(base=4.0, crop=6)
    assert err.value.field == "params.max_periods"
