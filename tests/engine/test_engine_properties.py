"""Invariants of the engine on random prices and random signals (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ava_backtest.domain.bars import Panel
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineSettings, simulate
from ava_backtest.markets.costs import cost_model


def _market(seed: int, n_bars: int, n_sym: int) -> Panel:
    rng = np.random.default_rng(seed)
    c = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_bars, n_sym)), axis=0))
    o = c * np.exp(rng.normal(0, 0.01, c.shape))
    h = np.maximum(o, c) * (1 + rng.uniform(0, 0.02, c.shape))
    lo = np.minimum(o, c) * (1 - rng.uniform(0, 0.02, c.shape))
    dates = (np.datetime64("2020-01-01") + np.arange(n_bars)).astype("datetime64[ns]")
    return Panel.from_prices(
        dates, [f"S{j}" for j in range(n_sym)], o, h, lo, c, rng.uniform(1e4, 1e6, c.shape)
    )


def _signals(seed: int, shape: tuple[int, int], p: float, shorts: bool, stops: bool) -> Signals:
    rng = np.random.default_rng(seed + 1)
    s = Signals(
        long_entry=rng.random(shape) < p,
        long_exit=rng.random(shape) < p,
        short_entry=(rng.random(shape) < p) if shorts else np.zeros(shape, bool),
        short_exit=(rng.random(shape) < p) if shorts else np.zeros(shape, bool),
    )
    if stops:
        s.stop_loss = np.full(shape, 0.03)
        s.take_profit = np.full(shape, 0.05)
        s.trail = np.where(rng.random(shape) < 0.5, 0.04, np.nan)
    return s


cases = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 10_000),
        "n_bars": st.integers(5, 120),
        "n_sym": st.integers(1, 4),
        "p": st.floats(0.02, 0.5),
        "stops": st.booleans(),
        "costs": st.booleans(),
        "slippage": st.sampled_from([0.0, 5.0, 50.0]),
        "fill": st.sampled_from(["next_open", "close"]),
        "portfolio": st.sampled_from(["shared", "independent"]),
        "max_positions": st.integers(1, 4),
    }
)


def _run(c: dict, shorts: bool):
    panel = _market(c["seed"], c["n_bars"], c["n_sym"])
    sig = _signals(c["seed"], panel.trade_close.shape, c["p"], shorts, c["stops"])
    cfg = EngineSettings(
        initial_cash=10_000,
        fill=c["fill"],
        slippage_bps=c["slippage"],
        portfolio=c["portfolio"],
        max_positions=c["max_positions"],
        cost_model=cost_model("US") if c["costs"] else None,
    )
    return panel, sig, simulate(panel, sig, cfg)


def _positions(panel: Panel, res) -> np.ndarray:
    """Quantities held at each close, rebuilt from the fills alone."""
    pos = np.zeros(panel.trade_close.shape)
    sym = {s: j for j, s in enumerate(panel.symbols)}
    for f in res.fills.iter_rows(named=True):
        signed = f["qty"] if f["side"] == "buy" else -f["qty"]
        pos[f["bar"] :, sym[f["symbol"]]] += signed
    return pos


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_long_only_cash_never_negative(c):
    _, _, res = _run(c, shorts=False)
    assert (res.cash >= -1e-7).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases, st.booleans())
def test_equity_is_cash_plus_marked_positions(c, shorts):
    panel, _, res = _run(c, shorts)
    pos = _positions(panel, res)
    marks = np.where(np.isnan(panel.trade_close), 0.0, panel.trade_close)
    value = pos * marks
    if c["portfolio"] == "shared":
        np.testing.assert_allclose(
            res.equity[:, 0], res.cash[:, 0] + value.sum(axis=1), rtol=1e-9, atol=1e-6
        )
    else:
        np.testing.assert_allclose(res.equity, res.cash + value, rtol=1e-9, atol=1e-6)
    # Nothing is ever held in a column where the rebuilt position is zero at the end, and vice versa.
    assert set(res.open_positions["symbol"].to_list()) == {
        s for j, s in enumerate(panel.symbols) if abs(pos[-1, j]) > 1e-9
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases, st.booleans())
def test_no_entry_fill_before_the_bar_after_its_signal(c, shorts):
    panel, sig, res = _run(c, shorts)
    sym = {s: j for j, s in enumerate(panel.symbols)}
    lag = 0 if c["fill"] == "close" else 1
    entries = res.fills.filter(res.fills["reason"] == "entry")
    for f in entries.iter_rows(named=True):
        j, b = sym[f["symbol"]], f["bar"] - lag
        assert b >= 0
        wanted = sig.long_entry if f["side"] == "buy" else sig.short_entry
        assert wanted[b, j], f"entry at bar {f['bar']} without a signal at bar {b}"


@settings(max_examples=30, deadline=None)
@given(cases)
def test_a_flat_strategy_never_trades_nor_pays_fees(c):
    panel = _market(c["seed"], c["n_bars"], c["n_sym"])
    sig = Signals.empty(panel.trade_close.shape)
    res = simulate(panel, sig, EngineSettings(initial_cash=10_000, cost_model=cost_model("IN")))
    assert res.fills.height == 0
    assert (res.equity == 10_000).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases, st.booleans())
def test_prefix_run_has_the_same_fills_up_to_its_end(c, shorts):
    """A run on bars[0..t] fills exactly as the full run does up to t (no look-ahead in the engine)."""
    panel, sig, full = _run(c, shorts)
    t = max(2, c["n_bars"] // 2)
    cut = Panel.from_prices(
        panel.dates[:t], list(panel.symbols), panel.trade_open[:t], panel.trade_high[:t],
        panel.trade_low[:t], panel.trade_close[:t], panel.bars.volume[:t],
    )  # fmt: skip
    part_sig = Signals(
        sig.long_entry[:t], sig.long_exit[:t], sig.short_entry[:t], sig.short_exit[:t],
        stop_loss=None if sig.stop_loss is None else sig.stop_loss[:t],
        take_profit=None if sig.take_profit is None else sig.take_profit[:t],
        trail=None if sig.trail is None else sig.trail[:t],
    )  # fmt: skip
    cfg = EngineSettings(
        initial_cash=10_000, fill=c["fill"], slippage_bps=c["slippage"], portfolio=c["portfolio"],
        max_positions=c["max_positions"], cost_model=cost_model("US") if c["costs"] else None,
    )  # fmt: skip
    part = simulate(cut, part_sig, cfg)
    # The last bar of the prefix is the end of that run; compare the bars before it.
    before = full.fills.filter(full.fills["bar"] < t - 1)
    assert part.fills.filter(part.fills["bar"] < t - 1).equals(before)
    np.testing.assert_array_equal(part.equity[: t - 1], full.equity[: t - 1])
