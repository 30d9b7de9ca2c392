"""Bars.ready / Bars.need and the Signals constructor: the small pieces every strategy leans on."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.errors import DataError
from ava_backtest.domain.signals import Signals


def _bars() -> Bars:
    close = np.arange(12.0).reshape(6, 2) + 1
    close[:2, 1] = np.nan  # the second symbol lists two bars later
    dates = np.arange(6).astype("datetime64[D]").astype("datetime64[ns]")
    return Bars(dates, ("A", "B"), close, close, close, close, np.ones_like(close))


def test_ready_counts_from_each_symbols_own_first_bar():
    ready = _bars().ready(3)
    assert ready[:, 0].tolist() == [False, False, False, True, True, True]
    assert ready[:, 1].tolist() == [False, False, False, False, False, True]


def test_need_names_missing_data_instead_of_substituting():
    with pytest.raises(DataError) as err:
        _bars().need("vix")
    assert err.value.field == "vix"


def test_signals_fill_unset_booleans_and_broadcast_numbers():
    entry = np.zeros((6, 2), dtype=np.bool_)
    entry[3, 1] = True
    s = Signals(long_entry=entry, stop_loss=0.05)
    assert s.shape == (6, 2) and not s.long_exit.any() and not s.short_entry.any()
    assert s.stop_loss.shape == (6, 2) and (s.stop_loss == 0.05).all()
    assert s.take_profit is None and s.series == {}
    with pytest.raises(ValueError, match="at least one array"):
        Signals(stop_loss=0.05)
