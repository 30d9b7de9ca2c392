"""tv_gamma_exposure_strategy: its rule on a hand-made options chain, and the missing-data error
on the sample (the registry suite checks the rest, on a generated chain)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import run_backtest

NAME = "tv_gamma_exposure_strategy"


def _bars(tilt: list[float]):
    """Call gamma 1 + tilt and put gamma 1 - tilt (so the balance is the tilt), flat prices."""
    t = np.asarray(tilt, dtype=float)
    return make_bars(
        np.full(len(t), 100.0),
        extra={"call_gamma": (1 + t)[:, None], "put_gamma": (1 - t)[:, None]},
    )


def _expected(cg, pg, entry, exit_):
    """The rule written out: balance b = (CG - PG) / (CG + PG); buy when b(t-1) <= entry < b(t),
    sell when b(t) < exit."""
    b = (pd.Series(cg) - pd.Series(pg)) / (pd.Series(cg) + pd.Series(pg))
    buy = (b > entry) & (b.shift() <= entry)
    return np.flatnonzero(buy).tolist(), np.flatnonzero(b < exit_).tolist()


TILT = [-0.5, -0.5, 0.0, 0.1, 0.5, 0.3, 0.0, -0.1, -0.3, -0.3, 0.0]


def test_buys_when_dealer_gamma_turns_positive_and_sells_when_puts_dominate():
    bars = _bars(TILT)
    buys, sells = _expected(
        bars.extra["call_gamma"][:, 0], bars.extra["put_gamma"][:, 0], 0.2, -0.2
    )
    assert buys == [4] and sells == [0, 1, 8, 9]
    sig = signals_of(NAME, bars)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    t = trade(NAME, bars).trades.row(0, named=True)
    assert (t["entry_bar"], t["exit_bar"], t["exit_reason"]) == (5, 9, "signal")


def test_near_miss_the_balance_reaching_the_level_without_passing_it():
    tilt = [-0.5, 0.0, 0.1, 0.2, 0.15, 0.2, 0.0]
    bars = _bars(tilt)
    assert (
        _expected(bars.extra["call_gamma"][:, 0], bars.extra["put_gamma"][:, 0], 0.2, -0.2)[0] == []
    )
    assert not signals_of(NAME, bars).long_entry.any()
    # A session without a snapshot gives no signal, nor a cross on the next one.
    cg = np.array([[0.9], [np.nan], [1.5]])
    gap = make_bars(np.full(3, 100.0), extra={"call_gamma": cg, "put_gamma": 2 - cg})
    assert not signals_of(NAME, gap).long_entry.any()


def test_on_the_sample_the_run_fails_naming_the_options_chain_and_how_to_upload_it():
    with pytest.raises(DataError) as err:
        run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert err.value.field == "options_chain"
    assert "options chain" in err.value.message
    assert "POST /api/v2/data/options-chain" in err.value.message
    assert "docs/data.md" in err.value.message
