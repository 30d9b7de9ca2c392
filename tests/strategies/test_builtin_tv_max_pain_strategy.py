"""tv_max_pain_strategy: its rule on a hand-made max-pain strike and expiry clock, and the
missing-data error on the sample (the registry suite checks the rest, on generated open
interest; tests/data/test_data_positioning.py computes max pain by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import run_backtest

NAME = "tv_max_pain_strategy"


def _expected(close, mp, days, entry_gap=0.03, exit_gap=0.0, max_days=10):
    """The rule written out: buy while within max_days of the expiry and the close is more than
    entry_gap below max pain; sell at max pain (less exit_gap) or once the expiry is past."""
    buys = [t for t in range(len(close)) if days[t] <= max_days and close[t] < mp[t] * (1 - entry_gap)]  # fmt: skip
    sells = [t for t in range(len(close)) if close[t] >= mp[t] * (1 - exit_gap) or days[t] > max_days]  # fmt: skip
    return buys, sells


#       0    1    2   3   4   5   6   7   8    9   10   11
CLOSE = [100, 99, 97, 95, 95, 96, 98, 99, 101, 100, 96, 95]
MP = [100.0] * 12
DAYS = [14, 13, 12, 11, 8, 7, 6, 5, 4, 3, 31, 30]


def _bars(close, mp, days):
    return make_bars(
        np.asarray(close, float),
        extra={
            "max_pain": np.asarray(mp, float)[:, None],
            "days_to_expiry": np.asarray(days, float)[:, None],
        },
    )


def test_buys_below_max_pain_near_expiry_and_sells_at_it():
    buys, sells = _expected(CLOSE, MP, DAYS)
    assert buys == [4, 5] and sells == [0, 1, 2, 3, 8, 9, 10, 11]
    sig = signals_of(NAME, _bars(CLOSE, MP, DAYS))
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, _bars(CLOSE, MP, DAYS)).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (5, 9, "signal")


def test_near_misses_far_from_expiry_or_not_far_enough_below():
    far = [30] * 12  # the same closes a month from the expiry
    assert _expected(CLOSE, MP, far)[0] == []
    assert not signals_of(NAME, _bars(CLOSE, MP, far)).long_entry.any()
    close = [100, 99, 98, 97.5, 97.1, 97.5, 98, 99, 101, 100, 98, 98]  # never 3% below
    assert _expected(close, MP, DAYS)[0] == []
    assert not signals_of(NAME, _bars(close, MP, DAYS)).long_entry.any()


def test_on_the_sample_the_run_fails_naming_open_interest_and_how_to_upload_it():
    with pytest.raises(DataError) as err:
        run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert err.value.field == "open_interest"
    assert "POST /api/v2/data/open-interest" in err.value.message
    assert "docs/data.md" in err.value.message
