"""Target weights: the engine rebalances toward weight x equity, reductions first, within a band."""

from __future__ import annotations

import numpy as np
import pytest

import ava_backtest.engine.backtest as backtest
from ava_backtest.domain.bars import Panel
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineSettings, simulate


def _panel(prices: np.ndarray) -> Panel:
    dates = (np.datetime64("2021-01-04") + np.arange(len(prices))).astype("datetime64[ns]")
    syms = [f"S{j}" for j in range(prices.shape[1])]
    return Panel.from_prices(dates, syms, prices, prices, prices, prices)


def _weights(shape, rows: dict[int, list[float]]) -> Signals:
    s = Signals.empty(shape)
    w = np.full(shape, np.nan)
    for t, row in rows.items():
        w[t] = row
    s.target_weight = w
    return s


def test_weights_buy_then_rotate_with_reductions_first():
    prices = np.array([[10.0, 20.0], [10.0, 20.0], [12.0, 20.0], [12.0, 20.0], [12.0, 20.0]])
    sig = _weights(prices.shape, {0: [0.5, 0.5], 2: [1.0, 0.0]})
    r = simulate(_panel(prices), sig, EngineSettings(initial_cash=1000))
    f = r.fills
    # bar 1 open: 500 / 10 = 50 of S0 and 500 / 20 = 25 of S1
    first = f.filter(f["bar"] == 1)
    assert first["qty"].to_list() == [50, 25] and set(first["reason"]) == {"rebalance"}
    # bar 3 open: equity = 50*12 + 25*20 + 0 cash = 1100; S1 sold first (25), then S0 to
    # floor(1100 / 12) = 91 -> buys 41 more.
    third = f.filter(f["bar"] == 3)
    assert third.select("symbol", "side", "qty").rows() == [
        ("S1", "sell", 25.0),
        ("S0", "buy", 41.0),
    ]
    op = r.open_positions.row(0, named=True)
    assert op["qty"] == 91
    assert op["entry_price"] == pytest.approx((50 * 10 + 41 * 12) / 91)  # averaged on the add
    assert r.trades["symbol"].to_list() == ["S1"] and r.trades["exit_reason"].to_list() == [
        "rebalance"
    ]
    assert r.equity[-1, 0] == pytest.approx(1100)


def test_drift_band_skips_small_trades():
    prices = np.array([[10.0], [10.0], [10.5], [10.5]])
    sig = _weights(prices.shape, {0: [0.5], 2: [0.5]})
    banded = simulate(
        _panel(prices), sig, EngineSettings(initial_cash=1000, rebalance_threshold=0.05)
    )
    assert banded.fills.height == 1  # the second rebalance moves 1 share (~1% of equity): skipped
    tight = simulate(_panel(prices), sig, EngineSettings(initial_cash=1000))
    assert tight.fills.height == 2


def test_negative_weights_short_only_when_allowed():
    prices = np.full((4, 1), 10.0)
    sig = _weights(prices.shape, {0: [-0.5]})
    r = simulate(_panel(prices), sig, EngineSettings(initial_cash=1000))
    assert r.open_positions.row(0, named=True)["direction"] == "short"
    r2 = simulate(_panel(prices), sig, EngineSettings(initial_cash=1000, allow_short=False))
    assert r2.fills.height == 0


def test_more_trades_than_estimated_reruns_with_room(monkeypatch):
    rng = np.random.default_rng(3)
    prices = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (300, 3)), axis=0))
    w = rng.uniform(0, 0.33, (300, 3))
    sig = Signals.empty(prices.shape)
    sig.target_weight = w
    roomy = simulate(_panel(prices), sig, EngineSettings(initial_cash=100_000))
    monkeypatch.setattr(backtest, "_record_capacity", lambda *a: 40)
    tight = simulate(_panel(prices), sig, EngineSettings(initial_cash=100_000))
    assert tight.fills.height == roomy.fills.height > 300
    np.testing.assert_array_equal(tight.equity, roomy.equity)
    # equity = cash + marked positions, rebuilt from the fills alone
    pos = np.zeros(prices.shape)
    for f in roomy.fills.iter_rows(named=True):
        pos[f["bar"] :, int(f["symbol"][1:])] += f["qty"] if f["side"] == "buy" else -f["qty"]
    np.testing.assert_allclose(
        roomy.equity[:, 0], roomy.cash[:, 0] + (pos * prices).sum(axis=1), rtol=1e-9
    )
