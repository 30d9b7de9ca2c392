"""tv_iv_percentile_mean_reversion: its rule on a hand-made IV history, and the missing-data
error on the sample (the registry suite checks the rest, on a generated IV history)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import make_bars, signal_bars, signals_of, trade

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import run_backtest

NAME = "tv_iv_percentile_mean_reversion"
P = {"lookback": 5, "entry_percentile": 80.0, "exit_percentile": 40.0}


def _expected(iv: list[float], n: int, entry: float, exit_: float):
    """The rule written out: IVP(t) = 100 x #{j in t-n+1..t : iv(j) < iv(t)} / n; buy IVP >=
    entry, sell IVP <= exit."""
    buys, sells = [], []
    for t in range(n - 1, len(iv)):
        ivp = 100 * sum(iv[j] < iv[t] for j in range(t - n + 1, t + 1)) / n
        if ivp >= entry:
            buys.append(t)
        if ivp <= exit_:
            sells.append(t)
    return buys, sells


def _bars(iv: list[float]):
    return make_bars(np.full(len(iv), 50.0), extra={"implied_volatility": np.asarray(iv)[:, None]})


def test_buys_an_iv_spike_and_sells_when_iv_is_back_in_the_lower_range():
    iv = [0.20, 0.21, 0.22, 0.23, 0.24, 0.30, 0.25, 0.22, 0.20, 0.21, 0.23]
    buys, sells = _expected(iv, 5, 80.0, 40.0)
    # Bars 4 and 5: above the four IVs before them (80); bar 7: 0.22 above none of its window
    # (0.23 0.24 0.30 0.25), bars 8 and 9 low too (0, 20).
    assert buys == [4, 5] and sells == [7, 8, 9]
    sig = signals_of(NAME, _bars(iv), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    res = trade(NAME, _bars(iv), **P).trades.row(0, named=True)
    assert res["entry_bar"] == 5 and res["exit_bar"] == sells[0] + 1


def test_near_miss_iv_rising_but_not_to_the_top_of_its_range():
    iv = [0.20, 0.30, 0.21, 0.22, 0.23, 0.24, 0.22]  # 0.30 stays in the window: ranks reach 60
    assert _expected(iv, 5, 80.0, 40.0)[0] == []
    assert not signals_of(NAME, _bars(iv), **P).long_entry.any()
    assert _expected(iv, 5, 60.0, 40.0)[0] == [4, 5]
    sig = signals_of(NAME, _bars(iv), **{**P, "entry_percentile": 60.0})
    assert signal_bars(sig.long_entry) == [4, 5]


def test_on_the_sample_the_run_fails_naming_the_iv_history_and_how_to_upload_it():
    with pytest.raises(DataError) as err:
        run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert err.value.field == "implied_volatility"
    assert "POST /api/v2/data/implied-volatility" in err.value.message
    assert "docs/data.md" in err.value.message
