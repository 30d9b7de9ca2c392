"""Ava's trades and equity equal those of independent engines on the same data and signals.

backtesting.py runs the GOOG sample bar by bar with its own SMA and crossover; vectorbt runs the
us_sample universe from the same signals, per symbol (``independent``) and with one cash account
(``shared``, on sizes where cash never binds). vectorbt compiles for seconds in every process, so
its portfolios are built once per session.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from oracles import oracle

from ava_backtest.data.panel import load_panel_with_info
from ava_backtest.domain.config import RunConfig
from ava_backtest.engine.backtest import EngineSettings, simulate
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

US_SAMPLE = ["AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"]
# Every us_sample symbol has bars over this range, so both engines see the same sessions.
START, END = dt.date(2004, 9, 1), dt.date(2013, 3, 1)


def _goog_frame() -> pd.DataFrame:
    panel, _ = load_panel_with_info("US", ["GOOG"], None, None)
    idx = pd.DatetimeIndex(panel.dates)
    return pd.DataFrame(
        {
            "Open": panel.trade_open[:, 0],
            "High": panel.trade_high[:, 0],
            "Low": panel.trade_low[:, 0],
            "Close": panel.trade_close[:, 0],
            "Volume": panel.bars.volume[:, 0],
        },
        index=idx,
    )


def test_sma_crossover_on_goog_matches_backtesting_py_trade_for_trade():
    bt = oracle("backtesting")
    Backtest, BtStrategy = bt.Backtest, bt.Strategy
    crossover = oracle("backtesting.lib").crossover

    def rolling_mean(x: np.ndarray, n: int) -> np.ndarray:
        return pd.Series(x).rolling(n).mean().to_numpy()

    class SmaCross(BtStrategy):
        def init(self) -> None:
            self.fast = self.I(rolling_mean, self.data.Close, 10)
            self.slow = self.I(rolling_mean, self.data.Close, 30)

        def next(self) -> None:
            if crossover(self.fast, self.slow):
                self.buy()
            elif crossover(self.slow, self.fast):
                self.position.close()

    stats = Backtest(_goog_frame(), SmaCross, cash=100_000, commission=0.0).run()
    theirs = stats._trades

    result = run_backtest(
        RunConfig(
            strategy_name="sma_crossover",
            params={"fast_period": 10, "slow_period": 30},
            symbols=["GOOG"],
            initial_capital=100_000,
            costs={"model": "none"},
        )
    )
    ours = result.trades
    assert ours.height == len(theirs) > 20
    assert ours["entry_time"].to_list() == [t.to_pydatetime() for t in theirs["EntryTime"]]
    assert ours["exit_time"].to_list() == [t.to_pydatetime() for t in theirs["ExitTime"]]
    np.testing.assert_array_equal(ours["entry_price"].to_numpy(), theirs["EntryPrice"].to_numpy())
    np.testing.assert_array_equal(ours["exit_price"].to_numpy(), theirs["ExitPrice"].to_numpy())
    np.testing.assert_array_equal(ours["qty"].to_numpy(), theirs["Size"].to_numpy().astype(float))
    np.testing.assert_allclose(ours["pnl_net"].to_numpy(), theirs["PnL"].to_numpy(), rtol=1e-12)
    # The position open at the end is marked to market by both.
    assert result.equity[-1] == pytest.approx(stats["Equity Final [$]"], rel=1e-12)
    np.testing.assert_allclose(result.equity, stats._equity_curve["Equity"].to_numpy(), rtol=1e-12)


@pytest.fixture(scope="session")
def us_sample_case():
    """Adjusted us_sample bars (peers trade adjusted prices) and sma_crossover(10, 30) signals."""
    panel, info = load_panel_with_info(
        "US", US_SAMPLE, START, END, adjustment="adjusted", warmup_bars=31
    )
    strat = get_strategy("sma_crossover")(fast_period=10, slow_period=30)
    sig = compute_signals(strat, panel.bars)
    first = info.first_index
    from ava_backtest.runs.execute import _slice_panel, _slice_signals

    panel, sig = _slice_panel(panel, first), _slice_signals(sig, first)
    assert not np.isnan(panel.trade_close).any()
    return panel, sig


@pytest.fixture(scope="session")
def vbt():
    return oracle("vectorbt")


def _vbt_frames(panel, sig):
    idx = pd.DatetimeIndex(panel.dates)
    cols = list(panel.symbols)

    def frame(a):
        return pd.DataFrame(a, index=idx, columns=cols)

    # Next-open fills: the signal of bar t is an order at bar t+1's open.
    entries = frame(sig.long_entry).shift(1, fill_value=False)
    exits = frame(sig.long_exit).shift(1, fill_value=False)
    return frame(panel.trade_close), frame(panel.trade_open), entries, exits


def _vbt_trades(pf) -> pd.DataFrame:
    t = pf.trades.records_readable
    return (
        t[t["Status"] == "Closed"].sort_values(["Column", "Entry Timestamp"]).reset_index(drop=True)
    )


def _ours_sorted(ours):
    return ours.sort(["symbol", "entry_time"])


def test_independent_mode_matches_vectorbt_without_cash_sharing(us_sample_case, vbt):
    panel, sig = us_sample_case
    close, open_, entries, exits = _vbt_frames(panel, sig)
    pf = vbt.Portfolio.from_signals(
        close,
        entries,
        exits,
        price=open_,
        size=np.inf,
        init_cash=100_000,
        size_granularity=1,
        freq="1D",
    )
    res = simulate(panel, sig, EngineSettings(initial_cash=100_000, portfolio="independent"))
    np.testing.assert_allclose(res.equity, pf.value().to_numpy(), rtol=1e-9)
    theirs = _vbt_trades(pf)
    ours = _ours_sorted(res.trades)
    assert ours.height == len(theirs) > 100
    assert ours["symbol"].to_list() == theirs["Column"].to_list()
    np.testing.assert_array_equal(ours["qty"].to_numpy(), theirs["Size"].to_numpy())
    np.testing.assert_allclose(
        ours["entry_price"].to_numpy(), theirs["Avg Entry Price"].to_numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        ours["exit_price"].to_numpy(), theirs["Avg Exit Price"].to_numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(ours["pnl_net"].to_numpy(), theirs["PnL"].to_numpy(), rtol=1e-9)


def test_shared_mode_matches_vectorbt_with_cash_sharing(us_sample_case, vbt):
    panel, sig = us_sample_case
    close, open_, entries, exits = _vbt_frames(panel, sig)
    # 10,000 per entry from 1,000,000 shared across six symbols: cash never binds.
    pf = vbt.Portfolio.from_signals(
        close, entries, exits, price=open_, size=10_000, size_type="value", init_cash=1_000_000,
        size_granularity=1, cash_sharing=True, group_by=True, call_seq="auto", freq="1D",
    )  # fmt: skip
    settings = EngineSettings(initial_cash=1_000_000, sizing_mode="fixed_cash", sizing_value=10_000)
    res = simulate(panel, sig, settings)
    assert res.skipped.height == 0
    np.testing.assert_allclose(res.equity[:, 0], pf.value().to_numpy(), rtol=1e-9)
    theirs = _vbt_trades(pf)
    ours = _ours_sorted(res.trades)
    assert ours.height == len(theirs) > 100
    np.testing.assert_array_equal(ours["qty"].to_numpy(), theirs["Size"].to_numpy())
    np.testing.assert_allclose(ours["pnl_net"].to_numpy(), theirs["PnL"].to_numpy(), rtol=1e-9)
