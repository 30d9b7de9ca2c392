"""The sizing overlays (docs/sizing.md): Kelly and Monte Carlo sizing learnt in the kernel from an
account's own closed trades, and the risk-parity allocator; each pinned by hand, proven to use
only trades closed before the bar it sizes, and cash-safe on random markets (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ava_backtest.analytics.trade_stats import TradeStats, trade_metrics
from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import KellySizing, MonteCarloSizing, RiskParitySizing
from ava_backtest.domain.errors import ConfigError
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.allocation import erc_weights, held_sides, risk_parity_weights
from ava_backtest.engine.backtest import EngineSettings, simulate
from ava_backtest.engine.kernel import _mix_seed, kelly_fraction, monte_carlo_fraction
from ava_backtest.markets.costs import cost_model

DATES = (np.datetime64("2021-01-04") + np.arange(400)).astype("datetime64[ns]")


def _panel(close: np.ndarray) -> Panel:
    """Open = high = low = close: every fill is at a price written in the test."""
    c = np.asarray(close, dtype=np.float64)
    c = c[:, None] if c.ndim == 1 else c
    names = [f"S{j}" for j in range(c.shape[1])]
    return Panel.from_prices(DATES[: len(c)], names, c, c, c, c, np.full(c.shape, 1e9))


def _flags(n: int, bars: list[int], cols: int = 1, col: int = 0) -> np.ndarray:
    a = np.zeros((n, cols), dtype=bool)
    a[bars, col] = True
    return a


# Three round trips, then a fourth entry. Signals at a close fill at the next open (= close):
# buy 10 -> sell 11 (+10%), buy 10 -> sell 12 (+20%), buy 10 -> sell 9 (-10%), buy 10.
PRICES = [10, 10, 10, 11, 10, 10, 10, 12, 10, 10, 10, 9, 10, 10, 10]
ENTRIES = [0, 4, 8, 12]
EXITS = [2, 6, 10]


def _history_run(sizing: str, **options) -> tuple[Panel, object]:
    panel = _panel(np.array(PRICES, dtype=float))
    n = len(PRICES)
    sig = Signals(long_entry=_flags(n, ENTRIES), long_exit=_flags(n, EXITS))
    extra = {}
    if sizing == "kelly":
        extra["kelly"] = KellySizing(**options)
    elif sizing == "monte_carlo":
        extra["monte_carlo"] = MonteCarloSizing(**options)
    return panel, simulate(panel, sig, EngineSettings(sizing_mode=sizing, **extra))


def test_kelly_size_by_hand_from_a_known_trade_history():
    _, res = _history_run("kelly", multiplier=0.5, cap=0.25, min_trades=3)
    entries = res.fills.filter(res.fills["reason"] == "entry")
    assert entries["bar"].to_list() == [1, 5, 9, 13]
    # Equal slots (all in, one symbol) until three trades have closed:
    # 100,000 -> 10,000 sh x (11 - 10) -> 110,000 -> 11,000 sh x 2 -> 132,000 -> 13,200 sh x -1.
    assert entries["qty"].to_list()[:3] == [10_000, 11_000, 13_200]
    assert res.equity[12, 0] == pytest.approx(118_800.0)
    # Trades closed before bar 13: +10%, +20%, -10%. W = 2/3, R = 15% / 10% = 1.5,
    # Kelly = W - (1 - W) / R = 2/3 - 2/9 = 4/9; half-Kelly 2/9 of 118,800 = 26,400 -> 2,640 sh.
    assert entries["qty"].to_list()[3] == 2_640
    assert kelly_fraction(3, 2, 0.30, 1, -0.10, 0.5, 0.25) == pytest.approx(2 / 9)
    # The same fraction as the run's own Kelly metric over those three trades, halved.
    closed = res.trades
    stats = trade_metrics(
        TradeStats(
            pnl_net=closed["pnl_net"].to_numpy(),
            return_pct=closed["return_pct"].to_numpy(),
            bars_held=closed["bars_held"].to_numpy(),
            fees=closed["fees"].to_numpy(),
        )
    )
    assert 0.5 * stats["kelly"] == pytest.approx(2 / 9)


def test_kelly_cap_and_multiplier_and_the_edge_cases():
    assert kelly_fraction(3, 2, 0.30, 1, -0.10, 1.0, 0.25) == 0.25  # 4/9 capped at 25%
    assert kelly_fraction(3, 2, 0.30, 1, -0.10, 1.0, 1.0) == pytest.approx(4 / 9)
    assert kelly_fraction(4, 1, 0.05, 3, -0.30, 0.5, 0.25) == 0.0  # no edge: stake nothing
    assert kelly_fraction(5, 0, 0.0, 5, -0.5, 0.5, 0.25) == 0.0  # never won
    assert kelly_fraction(4, 3, 0.3, 0, 0.0, 0.5, 1.0) == pytest.approx(0.375)  # no loss: W
    assert np.isnan(kelly_fraction(0, 0, 0.0, 0, 0.0, 0.5, 0.25))


def test_kelly_with_no_edge_skips_the_entry_naming_why():
    # Losers only: after two closed trades the Kelly fraction is 0 and the entry is skipped.
    prices = [10, 10, 10, 9, 10, 10, 10, 9, 10, 10, 10]
    panel = _panel(np.array(prices, dtype=float))
    n = len(prices)
    sig = Signals(long_entry=_flags(n, [0, 4, 8]), long_exit=_flags(n, [2, 6]))
    res = simulate(panel, sig, EngineSettings(sizing_mode="kelly", kelly=KellySizing(min_trades=2)))
    assert res.fills.filter(res.fills["reason"] == "entry")["bar"].to_list() == [1, 5]
    assert res.skipped["reason"].to_list() == ["no_edge"]
    assert res.skipped["time"].to_numpy()[0] == res.dates[9]


def test_a_trade_closing_on_the_entry_bar_does_not_size_it():
    # S0 closes its third trade at the open of bar 11; S1 enters at that same open. With
    # min_trades = 3, S1 is still sized by equal slots (half the equity of two slots), and only
    # an entry at a later bar would see the third trade.
    n = len(PRICES)
    close = np.column_stack([PRICES, np.full(n, 20.0)])
    panel = _panel(close)
    le = _flags(n, [0, 4, 8], 2)
    le[10, 1] = True
    sig = Signals(long_entry=le, long_exit=_flags(n, EXITS, 2))
    res = simulate(
        panel,
        sig,
        EngineSettings(sizing_mode="kelly", kelly=KellySizing(min_trades=3, cap=1.0)),
    )
    s1 = res.fills.filter((res.fills["symbol"] == "S1") & (res.fills["reason"] == "entry"))
    assert s1["bar"].to_list() == [11]
    # Equity after S0's exit at that open: nothing moves after it (S1 stays at 20, no costs).
    after_exit = res.equity[11, 0]
    assert after_exit == pytest.approx(109_725.0)
    assert s1["qty"].to_list() == [int(after_exit / 2 / 20.0)]  # 2,743; Kelly's 2/9 is 1,219


def test_monte_carlo_fraction_by_hand_on_a_history_of_equal_losses():
    # Every resampled path is the same ten losses of 10%: drawdown 1 - (1 - 0.1 f)^10, which is
    # 18.3% for f = 0.2 and 20.4% for f = 0.225; the largest within a 20% budget is 0.2.
    grid = np.array([0.05, 0.1, 0.2, 0.225, 0.25])
    f = monte_carlo_fraction(np.full(7, -0.1), grid, 0.2, 95.0, 200, 10, 1)
    assert 1 - (1 - 0.1 * 0.2) ** 10 <= 0.2 < 1 - (1 - 0.1 * 0.225) ** 10
    assert f == 0.2
    assert monte_carlo_fraction(np.full(7, 0.05), grid, 0.01, 95.0, 50, 10, 1) == 0.25
    assert monte_carlo_fraction(np.full(7, -0.5), grid, 0.1, 95.0, 50, 10, 1) == 0.0


def test_monte_carlo_fraction_is_seeded_and_tightens_with_the_budget():
    rets = np.random.default_rng(3).normal(0.01, 0.1, 60)
    grid = np.array(MonteCarloSizing().fractions)
    a = monte_carlo_fraction(rets, grid, 0.2, 95.0, 1000, 100, 11)
    assert a == monte_carlo_fraction(rets, grid, 0.2, 95.0, 1000, 100, 11)
    tight = monte_carlo_fraction(rets, grid, 0.05, 95.0, 1000, 100, 11)
    loose = monte_carlo_fraction(rets, grid, 0.6, 95.0, 1000, 100, 11)
    assert tight <= a <= loose and tight < loose


def test_monte_carlo_sizes_the_entry_from_the_trades_closed_before_it():
    opts = {"min_trades": 3, "resamples": 200, "horizon": 5, "fractions": [0.1, 0.3, 0.6]}
    _, res = _history_run("monte_carlo", max_drawdown=0.3, **opts)
    rets = res.trades["return_pct"].to_numpy()
    np.testing.assert_allclose(rets, [0.1, 0.2, -0.1])
    f = monte_carlo_fraction(rets, np.array([0.1, 0.3, 0.6]), 0.3, 95.0, 200, 5, _mix_seed(0, 3))
    assert f > 0
    entries = res.fills.filter(res.fills["reason"] == "entry")
    assert entries["qty"].to_list() == [10_000, 11_000, 13_200, int(118_800 * f / 10)]


def _market(seed: int, n_bars: int, n_sym: int, drift: float = 0.0) -> Panel:
    rng = np.random.default_rng(seed)
    c = 50 * np.exp(np.cumsum(rng.normal(drift, 0.02, (n_bars, n_sym)), axis=0))
    o = c * np.exp(rng.normal(0, 0.01, c.shape))
    h = np.maximum(o, c) * (1 + rng.uniform(0, 0.02, c.shape))
    lo = np.minimum(o, c) * (1 - rng.uniform(0, 0.02, c.shape))
    return Panel.from_prices(
        DATES[:n_bars], [f"S{j}" for j in range(n_sym)], o, h, lo, c, np.full(c.shape, 1e7)
    )


def _random_signals(seed: int, shape: tuple[int, int], p: float = 0.08) -> Signals:
    rng = np.random.default_rng(seed + 1)
    return Signals(long_entry=rng.random(shape) < p, long_exit=rng.random(shape) < p)


def _overlay_settings(mode: str, **kw) -> EngineSettings:
    extra = {
        "kelly": {"kelly": KellySizing(min_trades=4, cap=0.5)},
        "monte_carlo": {"monte_carlo": MonteCarloSizing(min_trades=4, resamples=100, horizon=20)},
        "risk_parity": {"risk_parity": RiskParitySizing(window=10, rebalance_bars=5)},
    }[mode]
    return EngineSettings(sizing_mode=mode, **extra, **kw)


@pytest.mark.parametrize("mode", ["kelly", "monte_carlo", "risk_parity"])
@pytest.mark.parametrize("fill", ["next_open", "close"])
def test_no_size_depends_on_anything_after_its_bar(mode, fill):
    """A prefix test: change every price and signal after bar t, and the fills up to bar t (their
    quantities included) stay the same."""
    # Rising prices: the learnt fractions stay positive, so the run keeps trading.
    panel = _market(5, 300, 3, drift=0.003)
    sig = _random_signals(5, panel.trade_close.shape)
    cfg = _overlay_settings(mode, fill=fill, cost_model=cost_model("US"))
    base = simulate(panel, sig, cfg)
    assert base.trades.height > 20
    for t in (60, 150, 240):
        other = _market(99 + t, 300, 3, drift=-0.003)
        prices = {
            name: np.vstack([getattr(panel, name)[: t + 1], getattr(other, name)[t + 1 :]])
            for name in ("trade_open", "trade_high", "trade_low", "trade_close")
        }
        bars = panel.bars
        changed_panel = Panel.from_prices(
            panel.dates, list(panel.symbols), prices["trade_open"], prices["trade_high"],
            prices["trade_low"], prices["trade_close"], bars.volume,
        )  # fmt: skip
        flip = _random_signals(7 + t, sig.shape, 0.3)
        changed = Signals(
            long_entry=np.vstack([sig.long_entry[: t + 1], flip.long_entry[t + 1 :]]),
            long_exit=np.vstack([sig.long_exit[: t + 1], flip.long_exit[t + 1 :]]),
        )
        res = simulate(changed_panel, changed, cfg)
        upto = base.fills.filter(base.fills["bar"] <= t)
        assert upto.height > 0
        assert res.fills.filter(res.fills["bar"] <= t).equals(upto), (mode, t)


def test_the_trade_history_is_per_account_in_independent_mode():
    # Each column is its own account: a column's sizes are those of its single run.
    panel = _market(8, 250, 3)
    sig = _random_signals(8, panel.trade_close.shape, 0.1)
    cfg = _overlay_settings("kelly", portfolio="independent")
    together = simulate(panel, sig, cfg)
    for j in range(3):
        one = Panel.from_prices(
            panel.dates, [panel.symbols[j]], panel.trade_open[:, [j]], panel.trade_high[:, [j]],
            panel.trade_low[:, [j]], panel.trade_close[:, [j]], panel.bars.volume[:, [j]],
        )  # fmt: skip
        alone = simulate(
            one,
            Signals(long_entry=sig.long_entry[:, [j]], long_exit=sig.long_exit[:, [j]]),
            _overlay_settings("kelly"),
        )
        mine = together.fills.filter(together.fills["symbol"] == panel.symbols[j])
        assert mine["qty"].to_list() == alone.fills["qty"].to_list()


# -- risk parity -------------------------------------------------------------------------------


def _alternating(n: int, a: float, start: float = 100.0) -> np.ndarray:
    """Prices whose one-bar returns alternate +a, -a: their volatility is a (known exactly)."""
    r = np.where(np.arange(1, n) % 2 == 1, a, -a)
    return start * np.concatenate([[1.0], np.cumprod(1 + r)])


@pytest.mark.parametrize("method", [0, 1])  # erc, inverse_vol
def test_risk_parity_weights_of_two_assets_with_known_volatilities(method):
    # Volatilities 1% and 2%: both methods give w_i proportional to 1 / vol_i (for two assets
    # equal risk contribution is inverse volatility whatever the correlation): 2/3 and 1/3.
    n = 41
    close = np.column_stack([_alternating(n, 0.01), _alternating(n, 0.02)])
    sides = np.ones((n, 2), dtype=np.int8)
    w, unweighted = risk_parity_weights(close, sides, np.zeros(2, np.int64), 1, method, 20, 10)
    assert unweighted[:20].sum() == 2 * 2  # rebalance rows 0 and 10: no 20-return window yet
    np.testing.assert_allclose(w[20], [2 / 3, 1 / 3], rtol=1e-9)
    np.testing.assert_allclose(w[30], [2 / 3, 1 / 3], rtol=1e-9)
    assert np.isnan(w[21]).all()  # between scheduled rebalances: leave the portfolio alone


def test_erc_contributions_are_equal_on_a_correlated_covariance():
    rng = np.random.default_rng(2)
    x = rng.normal(0, 1, (300, 4)) @ rng.normal(0, 1, (4, 4)) * 0.01
    cov = np.cov(x, rowvar=False)
    w = erc_weights(cov)
    contrib = w * (cov @ w)
    assert w.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(contrib, contrib.mean(), rtol=1e-6)


def test_held_sides_follow_the_kernels_reading_of_the_signals():
    n = 8
    le = _flags(n, [1, 5])
    lx = _flags(n, [3, 5])
    se = _flags(n, [6])
    sides = held_sides(le, lx, se, np.zeros((n, 1), bool), True)
    # flat, long from 1, exit at 3, flat, long at 5 (entry wins while flat), short at 6.
    assert sides[:, 0].tolist() == [0, 1, 1, 0, 0, 1, -1, -1]
    # Without shorts the short entry closes the long (the kernel's reversal whose entry leg is
    # refused), and opens nothing when flat.
    no_shorts = held_sides(le, lx, se, np.zeros((n, 1), bool), False)[:, 0].tolist()
    assert no_shorts == [0, 1, 1, 0, 0, 1, 0, 0]
    assert held_sides(se, lx, le, lx, False)[:, 0].tolist() == [0, 0, 0, 0, 0, 0, 1, 1]


def test_the_allocator_holds_the_weights_in_the_engine():
    n = 61
    close = np.column_stack([_alternating(n, 0.01), _alternating(n, 0.02), np.full(n, 50.0)])
    panel = _panel(close)
    le = np.zeros((n, 3), bool)
    le[0, :2] = True  # the third symbol is never held
    res = simulate(
        panel,
        Signals(long_entry=le),
        EngineSettings(
            sizing_mode="risk_parity",
            fractional=True,
            risk_parity=RiskParitySizing(window=20, rebalance_bars=20),
        ),
    )
    buys = res.fills.filter(res.fills["bar"] == 21)  # weights at the close of 20, next open
    value = (buys["qty"] * buys["price"]).to_numpy()
    assert buys["symbol"].to_list() == ["S0", "S1"]
    assert value[0] / value[1] == pytest.approx(2.0, rel=1e-9)
    assert value.sum() == pytest.approx(100_000.0, rel=1e-9)


# -- cash never goes negative --------------------------------------------------------------------

cases = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 10_000),
        "n_bars": st.integers(30, 160),
        "n_sym": st.integers(1, 4),
        "p": st.floats(0.03, 0.4),
        "mode": st.sampled_from(["kelly", "monte_carlo", "risk_parity"]),
        "costs": st.booleans(),
        "slippage": st.sampled_from([0.0, 5.0, 50.0]),
        "fill": st.sampled_from(["next_open", "close"]),
        "portfolio": st.sampled_from(["shared", "independent"]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=cases)
def test_cash_never_goes_negative_under_the_overlays(c):
    panel = _market(c["seed"], c["n_bars"], c["n_sym"])
    sig = _random_signals(c["seed"], panel.trade_close.shape, c["p"])
    cfg = _overlay_settings(
        c["mode"],
        initial_cash=10_000,
        fill=c["fill"],
        slippage_bps=c["slippage"],
        portfolio=c["portfolio"],
        cost_model=cost_model("US") if c["costs"] else None,
    )
    res = simulate(panel, sig, cfg)
    assert (res.cash >= -1e-6).all()
    assert np.isfinite(res.equity).all()


def test_risk_parity_refuses_a_strategy_with_its_own_target_weights():
    panel = _market(1, 40, 2)
    sig = Signals(long_entry=np.ones((40, 2), bool), target_weight=np.full((40, 2), 0.5))
    with pytest.raises(ConfigError) as err:
        simulate(panel, sig, _overlay_settings("risk_parity"))
    assert err.value.field == "sizing.mode"


@pytest.mark.parametrize("shorts", [True, False])
def test_the_engine_holds_what_the_allocator_weighs_on_each_side(shorts):
    # Random entries, exits and short entries: after each rebalance row, the positions at the
    # next close have the weights' signs (fractional quantities, no costs: nothing rounds away).
    from ava_backtest.engine.allocation import risk_parity_signals

    panel = _market(21, 200, 4)
    rng = np.random.default_rng(21)
    shape = panel.trade_close.shape
    sig = Signals(
        long_entry=rng.random(shape) < 0.1,
        long_exit=rng.random(shape) < 0.1,
        short_entry=rng.random(shape) < 0.1,
        short_exit=rng.random(shape) < 0.1,
    )
    rp = RiskParitySizing(window=10, rebalance_bars=7)
    cfg = EngineSettings(
        sizing_mode="risk_parity", risk_parity=rp, fractional=True, allow_short=shorts
    )
    res = simulate(panel, sig, cfg)
    weights = risk_parity_signals(
        panel.bars.close, sig, np.zeros(4, np.int64), 1, "erc", 10, 7, shorts
    )[0].target_weight
    pos = np.zeros(shape)
    for f in res.fills.iter_rows(named=True):
        j = panel.symbols.index(f["symbol"])
        pos[f["bar"] :, j] += f["qty"] if f["side"] == "buy" else -f["qty"]
    rows = [t for t in range(shape[0] - 1) if np.isfinite(weights[t]).any()]
    assert len(rows) > 10 and np.nanmax(np.abs(weights)) > 0
    for t in rows:
        np.testing.assert_array_equal(np.sign(np.round(pos[t + 1], 9)), np.sign(weights[t]))
    assert (np.nanmin(weights) < 0) == shorts
    assert shorts or (pos >= -1e-9).all()
