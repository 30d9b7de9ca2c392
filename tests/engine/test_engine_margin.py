"""The margin model: a maintenance margin on gross exposure, margin calls at the next open, ruin.

Hand-built paths pin where and at what price a call fills; hypothesis checks that any leverage
keeps the books finite and balanced.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ava_backtest.domain.bars import Panel
from ava_backtest.domain.errors import ConfigError
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineSettings, maintenance_margin, simulate
from ava_backtest.markets.costs import cost_model


def _panel(o, c, h=None, lo=None) -> Panel:
    o = np.asarray(o, dtype=float).reshape(len(o), -1)
    c = np.asarray(c, dtype=float).reshape(len(c), -1)
    h = np.maximum(o, c) if h is None else np.asarray(h, dtype=float).reshape(c.shape)
    lo = np.minimum(o, c) if lo is None else np.asarray(lo, dtype=float).reshape(c.shape)
    dates = np.arange(len(o)).astype("datetime64[D]").astype("datetime64[ns]")
    return Panel.from_prices(dates, [f"S{j}" for j in range(c.shape[1])], o, h, lo, c)


def _sig(shape, **marks) -> Signals:
    s = Signals.empty(shape)
    for name, cells in marks.items():
        arr = getattr(s, name)
        for cell in cells:
            arr[cell if isinstance(cell, tuple) else (cell, 0)] = True
    return s


# A 10x long: 1,000 of equity buys 1,000 shares at 10 (gross 10,000, cash -9,000). At 10x the
# default maintenance margin is half the initial margin: 5% of gross exposure.
#          bar 0  1     2     3     4     5     6
OPEN_ = [10.0, 10.0, 9.7, 9.55, 9.30, 9.40, 9.50]
CLOSE = [10.0, 10.0, 9.6, 9.45, 9.35, 9.45, 9.50]
# Close 2: equity 600 >= 5% x 9,600 = 480. Close 3: equity 450 < 5% x 9,450 = 472.5 -> called.


def test_default_maintenance_margin_is_25_percent_or_half_the_initial_margin():
    assert maintenance_margin(1.0) == 0.25
    assert maintenance_margin(2.0) == 0.25  # Reg T: 50% initial, 25% maintenance
    assert maintenance_margin(4.0) == 0.125
    assert maintenance_margin(10.0) == 0.05
    assert maintenance_margin(10.0, 0.08) == 0.08


def test_a_10x_long_is_called_at_the_open_after_the_close_below_maintenance():
    # An exit signal at the same close would fill at the same open: the call takes its place.
    s = _sig((7, 1), long_entry=[0], long_exit=[3])
    r = simulate(
        _panel(OPEN_, CLOSE), s, EngineSettings(initial_cash=1000, leverage=10, slippage_bps=10)
    )
    # Bought at 10 x 1.001 = 10.01: floor(10,000 / 10.01) = 999 shares, cash 1000 - 9,999.99.
    # Close 3: equity -8,999.99 + 999 x 9.45 = 440.56 < 5% x 9,440.55 = 472.03 -> called.
    assert r.trades.height == 1
    t = r.trades.row(0, named=True)
    assert (t["entry_bar"], t["entry_price"], t["qty"]) == (1, pytest.approx(10.01), 999)
    assert (t["exit_reason"], t["exit_bar"]) == ("margin_call", 4)
    assert t["exit_price"] == pytest.approx(9.30 * 0.999)  # the open, after slippage
    np.testing.assert_allclose(r.equity[4:, 0], 1000 - 9999.99 + 999 * 9.30 * 0.999)
    assert r.open_positions.height == 0
    assert not r.ruined and r.ruined_at.tolist() == [-1]
    assert r.fills["reason"].to_list() == ["entry", "margin_call"]


def test_equity_above_maintenance_is_not_called():
    # The same path with a maintenance margin of 4%: close 3 keeps 450 >= 378, so the exit
    # signal fills as a signal at the same open.
    s = _sig((7, 1), long_entry=[0], long_exit=[3])
    r = simulate(
        _panel(OPEN_, CLOSE),
        s,
        EngineSettings(initial_cash=1000, leverage=10, maintenance_margin=0.04),
    )
    t = r.trades.row(0, named=True)
    assert (t["qty"], t["exit_reason"], t["exit_bar"], t["exit_price"]) == (1000, "signal", 4, 9.3)


def test_a_margin_call_fills_at_the_next_open_in_fill_close_mode_too():
    s = _sig((7, 1), long_entry=[1])
    r = simulate(
        _panel(OPEN_, CLOSE), s, EngineSettings(initial_cash=1000, leverage=10, fill="close")
    )
    t = r.trades.row(0, named=True)
    # Bought 1,000 at the close of bar 1 (10.0); called at close 3, filled at open 4.
    assert (t["entry_bar"], t["qty"]) == (1, 1000)
    assert (t["exit_reason"], t["exit_bar"], t["exit_price"]) == ("margin_call", 4, 9.3)


def test_a_call_closes_every_position_and_voids_the_orders_of_its_close():
    # S0 and S1 bought at 10x in two slots of 5,000 (500 shares each, cash -9,000); S2 flat.
    o = [[10, 10, 10], [10, 10, 10], [10, 10, 10], [9.0, 10, 10], [8.8, 10, 10], [8.8, 10, 10]]
    c = [[10, 10, 10], [10, 10, 10], [9.2, 10, 10], [8.9, 10, 10], [8.8, 10, 10], [8.8, 10, 10]]
    s = _sig((6, 3), long_entry=[(0, 0), (0, 1)])
    # Decided at the call's close (3): void. S1's exit would fill as a signal, S2's entry would
    # fill at open 4 with the equity left after the call.
    s.long_exit[3, 1] = True
    s.long_entry[3, 2] = True
    s.long_entry[4, 2] = True  # after the call: trading goes on (the account is not ruined)
    r = simulate(_panel(o, c), s, EngineSettings(initial_cash=1000, leverage=10, max_positions=2))
    # Close 3: equity -9,000 + 500 x 8.9 + 500 x 10 = 450 < 5% x 9,450 -> both called.
    assert r.trades["symbol"].to_list() == ["S0", "S1"]
    assert r.trades["exit_reason"].to_list() == ["margin_call", "margin_call"]
    assert r.trades["exit_bar"].to_list() == [4, 4]
    assert r.trades["exit_price"].to_list() == [8.8, 10.0]
    # Nothing else at open 4; S2's entry of close 4 fills at open 5: 400 x 10 / 2 = 2,000 -> 200.
    assert r.fills.filter(r.fills["bar"] == 4)["reason"].to_list() == ["margin_call"] * 2
    entry = r.fills.filter(r.fills["bar"] == 5).row(0, named=True)
    assert (entry["symbol"], entry["reason"], entry["qty"]) == ("S2", "entry", 200)


def test_equity_at_or_below_zero_ruins_the_account_and_it_never_orders_again():
    #          bar 0  1     2    3    4     5     6     7
    o = [10.0, 10.0, 9.0, 8.4, 8.5, 9.0, 10.0, 11.0]
    c = [10.0, 10.0, 8.5, 8.4, 8.7, 9.5, 10.5, 11.0]
    # 1,000 shares at 10 on 1,000 of equity. Close 2 at 8.5: equity 1000 - 1,500 = -500 ->
    # ruined; the position goes at open 3 (8.4), the exit signal of close 2 is void.
    s = _sig((8, 1), long_entry=[0, 3, 4, 5], long_exit=[2])
    r = simulate(_panel(o, c), s, EngineSettings(initial_cash=1000, leverage=10))
    assert r.ruined and r.ruined_at.tolist() == [2]
    t = r.trades.row(0, named=True)
    assert (t["exit_reason"], t["exit_bar"], t["exit_price"]) == ("margin_call", 3, 8.4)
    assert r.fills["bar"].to_list() == [1, 3]  # nothing after the liquidation
    assert r.skipped.height == 0  # the later signals never became orders
    np.testing.assert_allclose(r.equity[3:, 0], 1000 - 1000 * 1.6)
    np.testing.assert_allclose(r.exposure[3:, 0], 0.0)


def test_a_short_at_1x_squeezed_to_ruin_is_closed_at_the_next_open():
    o = [10.0, 10.0, 12.0, 21.0, 22.0]
    # Short 100 at 10 (cash 2,000). Close 2 at 12: equity 800 >= 25% x 1,200. Close 3 at 21:
    # equity -100 -> ruined; bought back at open 4.
    s = _sig((5, 1), short_entry=[0])
    r = simulate(_panel(o, o), s, EngineSettings(initial_cash=1000))
    assert r.ruined_at.tolist() == [3]
    t = r.trades.row(0, named=True)
    assert (t["direction"], t["qty"], t["exit_reason"], t["exit_bar"], t["exit_price"]) == (
        "short", 100, "margin_call", 4, 22.0,
    )  # fmt: skip


def test_independent_accounts_are_called_and_ruined_on_their_own():
    o = [[10, 10], [10, 10], [8, 10], [8, 10], [8, 10]]
    s = _sig((5, 2), long_entry=[(0, 0), (0, 1), (3, 0)])
    r = simulate(
        _panel(o, o), s, EngineSettings(initial_cash=1000, leverage=10, portfolio="independent")
    )
    # S0's account: 1,000 shares at 10, close 2 at 8 -> equity -1,000: ruined, sold at open 3,
    # its entry signal of close 3 ignored. S1's account is untouched.
    assert r.ruined_at.tolist() == [2, -1]
    assert r.trades["exit_reason"].to_list() == ["margin_call"]
    assert r.open_positions["symbol"].to_list() == ["S1"]


@pytest.mark.parametrize(
    ("leverage", "mm", "field"),
    [(10.0, 0.1, "maintenance_margin"), (2.0, -0.1, "maintenance_margin"), (0.5, None, "leverage")],
)
def test_margin_settings_outside_their_range_are_refused_naming_the_field(leverage, mm, field):
    s = _sig((7, 1), long_entry=[0])
    with pytest.raises(ConfigError) as e:
        simulate(
            _panel(OPEN_, CLOSE),
            s,
            EngineSettings(initial_cash=1000, leverage=leverage, maintenance_margin=mm),
        )
    assert e.value.field == field


# --- any leverage: the books stay finite and balanced -------------------------------------------


def _wild_market(seed: int, n_bars: int, n_sym: int, vol: float) -> Panel:
    rng = np.random.default_rng(seed)
    c = 50 * np.exp(np.cumsum(rng.normal(0, vol, (n_bars, n_sym)), axis=0))
    o = c * np.exp(rng.normal(0, vol / 2, c.shape))
    h = np.maximum(o, c) * (1 + rng.uniform(0, vol, c.shape))
    lo = np.minimum(o, c) * (1 - rng.uniform(0, vol, c.shape))
    dates = (np.datetime64("2020-01-01") + np.arange(n_bars)).astype("datetime64[ns]")
    return Panel.from_prices(dates, [f"S{j}" for j in range(n_sym)], o, h, lo, c)


def _positions(panel: Panel, res) -> np.ndarray:
    pos = np.zeros(panel.trade_close.shape)
    sym = {s: j for j, s in enumerate(panel.symbols)}
    for f in res.fills.iter_rows(named=True):
        pos[f["bar"] :, sym[f["symbol"]]] += f["qty"] if f["side"] == "buy" else -f["qty"]
    return pos


cases = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 10_000),
        "n_bars": st.integers(5, 120),
        "n_sym": st.integers(1, 3),
        "vol": st.sampled_from([0.02, 0.08, 0.25]),
        "p": st.floats(0.05, 0.5),
        "leverage": st.floats(1.0, 10.0),
        "mm": st.one_of(st.none(), st.floats(0.0, 0.99)),
        "shorts": st.booleans(),
        "costs": st.booleans(),
        "fill": st.sampled_from(["next_open", "close"]),
        "portfolio": st.sampled_from(["shared", "independent"]),
    }
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_any_leverage_keeps_equity_finite_and_the_books_balanced(c):
    panel = _wild_market(c["seed"], c["n_bars"], c["n_sym"], c["vol"])
    rng = np.random.default_rng(c["seed"] + 1)
    shape = panel.trade_close.shape
    sig = Signals(
        long_entry=rng.random(shape) < c["p"],
        long_exit=rng.random(shape) < c["p"] / 3,
        short_entry=(rng.random(shape) < c["p"]) if c["shorts"] else np.zeros(shape, bool),
        short_exit=(rng.random(shape) < c["p"] / 3) if c["shorts"] else np.zeros(shape, bool),
    )
    mm = None if c["mm"] is None else min(c["mm"], 0.999 / c["leverage"])
    cfg = EngineSettings(
        initial_cash=10_000,
        leverage=c["leverage"],
        maintenance_margin=mm,
        fill=c["fill"],
        portfolio=c["portfolio"],
        cost_model=cost_model("US") if c["costs"] else None,
    )
    res = simulate(panel, sig, cfg)
    assert np.isfinite(res.equity).all() and np.isfinite(res.cash).all()
    assert np.isfinite(res.exposure).all() and (res.exposure >= 0).all()
    # Equity is cash plus the positions rebuilt from the fills, marked at the close.
    value = _positions(panel, res) * panel.trade_close
    if c["portfolio"] == "shared":
        np.testing.assert_allclose(
            res.equity[:, 0], res.cash[:, 0] + value.sum(axis=1), rtol=1e-9, atol=1e-6
        )
    else:
        np.testing.assert_allclose(res.equity, res.cash + value, rtol=1e-9, atol=1e-6)
    # Cash moves only by fills: the starting cash plus every fill's signed proceeds less fees.
    flows = np.zeros(res.cash.shape[1])
    acct = {s: (0 if c["portfolio"] == "shared" else j) for j, s in enumerate(panel.symbols)}
    for f in res.fills.iter_rows(named=True):
        sign = -1.0 if f["side"] == "buy" else 1.0
        flows[acct[f["symbol"]]] += sign * f["qty"] * f["price"] - f["fees"]
    np.testing.assert_allclose(res.cash[-1], 10_000 + flows, rtol=1e-9, atol=1e-6)
    # A ruined account places nothing after its liquidation; before it, equity stayed positive.
    for a, bar in enumerate(res.ruined_at):
        eq = res.equity[:, a]
        if bar < 0:
            assert (eq > 0).all()
            continue
        assert eq[bar] <= 0 and (eq[:bar] > 0).all()
        mine = [s for s, k in acct.items() if k == a]
        after = res.fills.filter(res.fills["bar"] > bar)
        after = after.filter(after["symbol"].is_in(mine))
        assert set(after["reason"].to_list()) <= {"margin_call"}
    # A margin call always fills at an open, the bar after a close below maintenance.
    calls = res.fills.filter(res.fills["reason"] == "margin_call")
    sym = {s: j for j, s in enumerate(panel.symbols)}
    for f in calls.iter_rows(named=True):
        assert f["price"] == pytest.approx(panel.trade_open[f["bar"], sym[f["symbol"]]])
