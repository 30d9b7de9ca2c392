"""Bars.extra holds (bars,) market-wide series and (bars, symbols) per-symbol blocks; selecting
columns, taking a prefix and the per-symbol (gappy) evaluation keep each symbol's own column."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.evaluate import compute_signals


def _bars(close: np.ndarray, extra: dict[str, np.ndarray]) -> Bars:
    t = close.shape[0]
    dates = np.arange(t).astype("datetime64[D]").astype("datetime64[ns]")
    syms = tuple(f"S{j}" for j in range(close.shape[1]))
    return Bars(dates, syms, close, close, close, close, np.ones_like(close), extra)


def test_select_and_prefix_keep_per_symbol_columns_and_market_series():
    close = np.arange(12.0).reshape(4, 3) + 1
    per = np.arange(12.0).reshape(4, 3) * 10
    mkt = np.arange(4.0)
    b = _bars(close, {"earnings": per, "vix": mkt})
    s = b.select([2, 0])
    assert np.array_equal(s.extra["earnings"], per[:, [2, 0]])
    assert np.array_equal(s.extra["vix"], mkt)
    p = b.prefix(2)
    assert p.extra["earnings"].shape == (2, 3) and p.extra["vix"].shape == (2,)


def test_a_block_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="columns"):
        _bars(np.ones((4, 3)), {"earnings": np.ones((4, 2))})


class _Echo(Strategy, register=False):
    """Enters where the symbol's own earnings flag is set (and shows the flag it saw)."""

    name = "test_echo_extra"
    display = ()

    def signals(self, bars: Bars) -> Signals:
        flag = bars.need("earnings")
        return Signals(long_entry=flag > 0, size=flag + bars.need("vix")[:, None])


def test_gappy_symbols_see_their_own_rows_of_per_symbol_blocks():
    close = np.ones((6, 3))
    close[2, 1] = np.nan  # symbol 1 has an interior gap: evaluated on its own rows
    flag = np.zeros((6, 3))
    flag[3, 1] = 1.0
    flag[4, 0] = 1.0
    flag[1, 2] = 1.0
    mkt = np.arange(6.0) * 100
    sig = compute_signals(_Echo(), _bars(close, {"earnings": flag, "vix": mkt}))
    assert np.array_equal(sig.long_entry, flag > 0)
    expected = flag + mkt[:, None]
    expected[2, 1] = np.nan  # no bar, no signal
    assert np.array_equal(sig.size, expected, equal_nan=True)
