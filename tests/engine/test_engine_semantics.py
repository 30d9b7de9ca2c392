"""The engine contract of DESIGN §4, pinned with small hand-computed scenarios."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ava_backtest.domain.bars import Panel
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineSettings, simulate


def _panel(o, h, lo, c, n_sym=1, volume=None):
    o, h, lo, c = (np.asarray(x, dtype=float).reshape(len(x), -1) for x in (o, h, lo, c))
    dates = np.arange(len(o)).astype("datetime64[D]").astype("datetime64[ns]")
    syms = [f"S{i}" for i in range(o.shape[1])]
    return Panel.from_prices(dates, syms, o, h, lo, c, volume)


def _sig(shape, **marks):
    s = Signals.empty(shape)
    for name, cells in marks.items():
        arr = getattr(s, name)
        for cell in cells:
            arr[cell if isinstance(cell, tuple) else (cell, 0)] = True
    return s


FLAT = [10.0] * 6


def test_entry_fills_at_next_open_with_whole_shares():
    o = [10, 11, 12, 13, 14, 15]
    p = _panel(o, [x + 1 for x in o], [x - 1 for x in o], [x + 0.5 for x in o])
    s = _sig((6, 1), long_entry=[1], long_exit=[3])
    r = simulate(p, s, EngineSettings(initial_cash=1000))
    t = r.trades.row(0, named=True)
    # signal at close of bar 1 -> buy at open of bar 2: floor(1000 / 12) = 83 shares
    assert t["entry_bar"] == 2 and t["entry_price"] == 12 and t["qty"] == 83
    # exit signal at close of bar 3 -> sell at open of bar 4 (14)
    assert t["exit_bar"] == 4 and t["exit_price"] == 14
    assert t["pnl_gross"] == pytest.approx(83 * 2)
    assert t["bars_held"] == 3
    assert r.equity[-1, 0] == pytest.approx(1000 + 83 * 2)


def test_fill_at_close_mode_fills_on_signal_bar():
    o = [10, 11, 12, 13, 14, 15]
    c = [x + 0.5 for x in o]
    p = _panel(o, [x + 1 for x in o], [x - 1 for x in o], c)
    s = _sig((6, 1), long_entry=[1], long_exit=[3])
    r = simulate(p, s, EngineSettings(initial_cash=1000, fill="close"))
    t = r.trades.row(0, named=True)
    assert (t["entry_bar"], t["entry_price"], t["qty"]) == (1, 11.5, 86)  # floor(1000/11.5)=86
    assert (t["exit_bar"], t["exit_price"]) == (3, 13.5)


def test_stop_loss_inside_bar_fills_at_level_and_gap_fills_at_open():
    # bar 2 entry at 10; stop 10% -> 9. Bar 3 low 8.5 -> stop at 9.
    o = [10, 10, 10, 9.8, 9.0, 9.0]
    h = [10.5, 10.5, 10.5, 10.0, 9.5, 9.5]
    lo = [9.5, 9.5, 9.6, 8.5, 8.8, 8.8]
    c = [10, 10, 10, 9.2, 9.0, 9.0]
    s = _sig((6, 1), long_entry=[1])
    s.stop_loss = np.full((6, 1), 0.10)
    r = simulate(_panel(o, h, lo, c), s, EngineSettings(initial_cash=1000))
    t = r.trades.row(0, named=True)
    assert (
        t["exit_reason"] == "stop_loss"
        and t["exit_bar"] == 3
        and t["exit_price"] == pytest.approx(9.0)
    )

    # Gap: bar 3 opens at 8.0, below the 9.0 stop -> fills at the open.
    o2 = [10, 10, 10, 8.0, 8.0, 8.0]
    r2 = simulate(
        _panel(o2, h, [9.5, 9.5, 9.6, 7.5, 7.5, 7.5], c), s, EngineSettings(initial_cash=1000)
    )
    t2 = r2.trades.row(0, named=True)
    assert t2["exit_price"] == 8.0 and t2["exit_bar"] == 3


def test_stop_wins_when_stop_and_target_both_inside_the_bar():
    o = [10, 10, 10, 10, 10]
    h = [10, 10, 10, 12, 10]
    lo = [10, 10, 10, 8, 10]
    s = _sig((5, 1), long_entry=[1])
    s.stop_loss = np.full((5, 1), 0.05)
    s.take_profit = np.full((5, 1), 0.05)
    r = simulate(_panel(o, h, lo, o), s, EngineSettings(initial_cash=1000))
    # entry bar 2 range [10, 10] touches neither; bar 3 touches both -> stop first
    assert r.trades["exit_reason"].to_list() == ["stop_loss"]
    assert r.trades["exit_price"][0] == pytest.approx(9.5)


def test_trailing_stop_ratchets_on_highs():
    o = [10, 10, 10, 11, 12, 12, 12]
    h = [10, 10, 10, 12, 13, 12, 12]
    lo = [10, 10, 10, 10.5, 11.8, 11.0, 11]
    s = _sig((7, 1), long_entry=[1])
    s.trail = np.full((7, 1), 0.1)
    r = simulate(_panel(o, h, lo, o), s, EngineSettings(initial_cash=1000))
    t = r.trades.row(0, named=True)
    # trail after bar 4's close: 13 * 0.9 = 11.7; bar 5 low 11.0 -> trailing stop at 11.7
    assert t["exit_reason"] == "trailing_stop" and t["exit_bar"] == 5
    assert t["exit_price"] == pytest.approx(11.7)


def test_short_and_reversal():
    o = [10, 10, 10, 8, 8, 9, 9]
    s = _sig((7, 1), short_entry=[1], long_entry=[3])
    r = simulate(_panel(o, o, o, o), s, EngineSettings(initial_cash=1000))
    tr = r.trades
    assert tr["direction"].to_list() == ["short"]
    assert tr["exit_reason"].to_list() == ["reversal"]
    # short 100 @10 (bar 2), covered @8 (bar 4): +200; then long floor(1200/8)=150 @8 open at the end
    assert tr["pnl_gross"][0] == pytest.approx(200)
    op = r.open_positions.row(0, named=True)
    assert op["direction"] == "long" and op["qty"] == 150
    assert r.equity[-1, 0] == pytest.approx(1200 + 150 * (9 - 8))


def test_max_hold_counts_the_fill_bar_as_bar_one():
    o = [10] * 8
    s = _sig((8, 1), long_entry=[1])
    r = simulate(_panel(o, o, o, o), s, EngineSettings(initial_cash=1000, max_hold_bars=3))
    t = r.trades.row(0, named=True)
    # filled bar 2 (held 1), bar 3 (2), bar 4 (3) -> exit decided at close of 4, filled at open of 5
    assert t["exit_reason"] == "max_hold" and t["entry_bar"] == 2 and t["exit_bar"] == 5


def test_data_end_closes_at_last_close_and_run_end_stays_open():
    o = np.array([[10, 20], [10, 20], [10, 20], [11, 21], [np.nan, 22], [np.nan, 23]], dtype=float)
    s = _sig((6, 2), long_entry=[(1, 0), (1, 1)])
    r = simulate(_panel(o, o, o, o), s, EngineSettings(initial_cash=1000))
    tr = r.trades
    assert tr["symbol"].to_list() == ["S0"]
    assert tr["exit_reason"].to_list() == ["data_end"]
    assert tr["exit_bar"][0] == 3 and tr["exit_price"][0] == 11
    assert r.open_positions["symbol"].to_list() == ["S1"]


def test_split_scales_quantity_and_keeps_equity_continuous():
    o = [100.0, 100, 100, 50, 50]
    p = _panel(o, o, o, o)
    ratio = np.ones((5, 1))
    ratio[3, 0] = 2.0
    p = type(p)(
        **{**{f: getattr(p, f) for f in p.__slots__}, "split_ratio": ratio, "adjustment": "events"}
    )
    s = _sig((5, 1), long_entry=[0])
    r = simulate(p, s, EngineSettings(initial_cash=1000))
    op = r.open_positions.row(0, named=True)
    # Held now: 20 shares; filled: 10 at 100 (the fill is reported as it happened, not rewritten).
    assert (op["qty"], op["entry_qty"], op["entry_price"]) == (20, 10, 100)
    assert np.allclose(r.equity[:, 0], 1000)


def test_a_trade_across_a_split_reports_its_real_fills_and_the_adjusted_scale_beside_them():
    # As traded: 100 before a 2:1 split on bar 3, 50 after; the signal prices are split-adjusted
    # (50 throughout), as with adjustment="events".
    o = np.array([100.0, 100, 100, 50, 55, 55])[:, None]
    p = _panel(o, o, o, o)
    ratio = np.ones((6, 1))
    ratio[3, 0] = 2.0
    adj = o.copy()
    adj[:3] /= 2.0
    bars = replace(p.bars, open=adj, high=adj, low=adj, close=adj)
    p = replace(p, bars=bars, split_ratio=ratio, adjustment="events")
    r = simulate(p, _sig((6, 1), long_entry=[0], long_exit=[3]), EngineSettings(initial_cash=1000))
    t = r.trades.row(0, named=True)
    assert (t["entry_bar"], t["entry_price"], t["qty"]) == (1, 100.0, 10.0)  # bought 10 at 100
    assert (t["exit_bar"], t["exit_price"], t["exit_qty"]) == (4, 55.0, 20.0)  # sold 20 at 55
    assert (t["entry_price_adj"], t["exit_price_adj"], t["qty_adj"]) == (50.0, 55.0, 20.0)
    assert t["pnl_gross"] == pytest.approx(20 * 55 - 10 * 100)


def test_dividend_credits_cash_on_ex_date_and_debits_shorts():
    o = [10.0] * 5
    p = _panel(o, o, o, o)
    div = np.zeros((5, 1))
    div[3, 0] = 0.5
    p = type(p)(**{**{f: getattr(p, f) for f in p.__slots__}, "dividend": div})
    r = simulate(p, _sig((5, 1), long_entry=[0]), EngineSettings(initial_cash=1000))
    assert r.equity[-1, 0] == pytest.approx(1000 + 100 * 0.5)
    r2 = simulate(p, _sig((5, 1), short_entry=[0]), EngineSettings(initial_cash=1000))
    assert r2.equity[-1, 0] == pytest.approx(1000 - 100 * 0.5)


def test_entries_compete_for_cash_by_priority_then_symbol():
    o = np.full((4, 3), 10.0)
    s = _sig((4, 3), long_entry=[(0, 0), (0, 1), (0, 2)])
    s.priority = np.array([[1.0, 3.0, 2.0]] * 4)
    r = simulate(_panel(o, o, o, o), s, EngineSettings(initial_cash=1000, max_positions=2))
    assert sorted(r.open_positions["symbol"].to_list()) == ["S1", "S2"]
    assert r.skipped["reason"].to_list() == ["max_positions"]
    # equal slots: 1000 / 2 = 500 -> 50 shares each
    assert r.open_positions["qty"].to_list() == [50, 50]


def test_scale_out_closes_part_of_the_position():
    o = [10.0] * 6
    s = _sig((6, 1), long_entry=[0])
    s.exit_fraction = np.full((6, 1), np.nan)
    s.exit_fraction[2, 0] = 0.5
    r = simulate(_panel(o, o, o, o), s, EngineSettings(initial_cash=1000))
    assert r.trades["qty"].to_list() == [50] and r.trades["exit_reason"].to_list() == ["scale_out"]
    assert r.open_positions["qty"].to_list() == [50]


def test_independent_mode_gives_each_symbol_its_own_capital():
    o = np.array([[10, 20]] * 4, dtype=float)
    s = _sig((4, 2), long_entry=[(0, 0), (0, 1)])
    r = simulate(_panel(o, o, o, o), s, EngineSettings(initial_cash=1000, portfolio="independent"))
    assert r.equity.shape == (4, 2)
    assert r.open_positions["qty"].to_list() == [100, 50]


def test_slippage_moves_fills_against_the_trader():
    o = [10.0] * 5
    s = _sig((5, 1), long_entry=[0], long_exit=[2])
    r = simulate(_panel(o, o, o, o), s, EngineSettings(initial_cash=1000, slippage_bps=100))
    t = r.trades.row(0, named=True)
    assert t["entry_price"] == pytest.approx(10.1) and t["exit_price"] == pytest.approx(9.9)
    assert t["qty"] == 99  # floor(1000 / 10.1)


def test_fixed_units_and_fractional_sizing():
    o = [10.0] * 4
    s = _sig((4, 1), long_entry=[0])
    r = simulate(_panel(o, o, o, o), s, EngineSettings(sizing_mode="fixed_units", sizing_value=7))
    assert r.open_positions["qty"].to_list() == [7]
    r2 = simulate(
        _panel([3.0] * 4, [3.0] * 4, [3.0] * 4, [3.0] * 4),
        s,
        EngineSettings(initial_cash=1000, fractional=True),
    )
    assert r2.open_positions["qty"][0] == pytest.approx(1000 / 3)


def test_leverage_buying_power_and_short_proceeds_not_spendable():
    o = np.full((4, 2), 10.0)
    # Short S0 with all buying power, then try to buy S1: proceeds are not spendable at 1x.
    s = _sig((4, 2), short_entry=[(0, 0)], long_entry=[(1, 1)])
    r = simulate(_panel(o, o, o, o), s, EngineSettings(initial_cash=1000, max_positions=1))
    assert r.skipped["reason"].to_list() == ["max_positions"]
    # Short 600 of S0: cash is 1,600, but at 1x the proceeds are not buying power (1,000 - 600 =
    # 400 is left), so the 600 asked for S1 buys 40 shares. Spendable proceeds would buy 60.
    fixed = EngineSettings(
        initial_cash=1000, max_positions=2, sizing_mode="fixed_cash", sizing_value=600
    )
    r2 = simulate(_panel(o, o, o, o), s, fixed)
    assert r2.cash[1, 0] == pytest.approx(1600)
    assert r2.open_positions.select("symbol", "direction", "qty").rows() == [
        ("S0", "short", 60),
        ("S1", "long", 40),
    ]
    # Asked for everything, the short leaves nothing to buy S1 with.
    all_in = simulate(_panel(o, o, o, o), s, replace(fixed, sizing_value=1000))
    assert all_in.open_positions["symbol"].to_list() == ["S0"]
    assert all_in.skipped["reason"].to_list() == ["insufficient_buying_power"]
    r3 = simulate(
        _panel(o, o, o, o), s, EngineSettings(initial_cash=1000, max_positions=2, leverage=2)
    )
    # equal slots at 2x: each slot is 2 x 1000 / 2 = 1000 -> 100 shares each, within buying power
    assert r3.open_positions["qty"].to_list() == [100, 100]
    assert r3.exposure[-1, 0] == pytest.approx(2000)


def test_an_absolute_stop_distance_is_carried_from_signal_prices_to_traded_prices():
    # Traded at 100; the strategy sees split-adjusted prices at half that (a later 2:1 split), and
    # asks for a stop 5 below the fill *in its prices*: 10 below in traded prices, i.e. at 90.
    o = np.array([100.0, 100, 100, 95, 89, 89])[:, None]
    lo = np.array([99.0, 99, 99, 92, 88, 88])[:, None]
    p = _panel(o, o + 1, lo, o)
    bars = replace(p.bars, open=o / 2, high=(o + 1) / 2, low=lo / 2, close=o / 2)
    p = replace(p, bars=bars, adjustment="events")
    s = _sig((6, 1), long_entry=[0])
    s.stop_loss = np.full((6, 1), 5.0)
    s.stop_loss_abs = True
    t = simulate(p, s, EngineSettings(initial_cash=1000)).trades.row(0, named=True)
    # Not stopped on bar 3 (low 92 > 90); stopped on bar 4, which opens through 90: fill at the open.
    assert (t["exit_reason"], t["exit_bar"], t["exit_price"]) == ("stop_loss", 4, 89.0)
