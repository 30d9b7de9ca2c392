"""ema_crossover: the catalogue's parameters, the rule bar for bar, trades, causality."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import yaml

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ParameterError
from ava_backtest.runs.execute import load_run_panel, run_backtest, with_required_data
from ava_backtest.strategies.lookahead import check_lookahead
from ava_backtest.strategies.registry import get_strategy

NAME = "ema_crossover"
SPEC = Path(
    os.environ.get("AVA_STRATEGY_SPEC_CUSTOM1", "/work/shared/spec/strategies/custom-1.yaml")
)  # the catalogue entry this strategy implements
ARRAYS = ("long_entry", "long_exit", "short_entry", "short_exit")


def _spec_entry() -> dict:
    if not SPEC.exists():
        pytest.skip(f"strategy catalogue not found at {SPEC} (set AVA_STRATEGY_SPEC_CUSTOM1)")
    return next(e for e in yaml.safe_load(SPEC.read_text()) if e["name"] == NAME)


def _load(cfg: RunConfig):
    strategy = get_strategy(cfg.strategy_name)(**cfg.params)
    panel, info = load_run_panel(cfg, strategy)
    return strategy, panel, with_required_data(strategy, panel, cfg.market), info


def test_registered_with_the_catalogue_parameters():
    spec = _spec_entry()
    cls = get_strategy(NAME)
    assert (cls.name, cls.version, cls.category) == (NAME, spec["version"], spec["category"])
    assert cls.direction == spec["direction"] and cls.timeframe == spec["timeframe"]
    assert list(cls.parameters) == [p["name"] for p in spec["params"]]
    for p in spec["params"]:
        param = cls.parameters[p["name"]]
        assert param.kind == {"integer": "int", "number": "float"}[p["type"]], p["name"]
        assert (param.default, param.minimum, param.maximum) == (p["default"], p["min"], p["max"])
    assert cls().warmup() == 27 and cls(slow_period=40).warmup() == 41


def _ema_sma_seeded(x: np.ndarray, n: int) -> np.ndarray:
    """The catalogue's EMA_sma(n), written out: the mean of the first n at n-1, then a = 2/(n+1)."""
    out = np.full(len(x), np.nan)
    a = 2.0 / (n + 1)
    y = x[:n].mean()
    out[n - 1] = y
    for i in range(n, len(x)):
        y = y + a * (x[i] - y)
        out[i] = y
    return out


def _expected(close: np.ndarray, fast: int, slow: int) -> tuple[np.ndarray, np.ndarray]:
    f, s = _ema_sma_seeded(close, fast), _ema_sma_seeded(close, slow)
    up = np.zeros(len(close), bool)
    down = np.zeros(len(close), bool)
    with np.errstate(invalid="ignore"):
        up[1:] = (f[:-1] <= s[:-1]) & (f[1:] > s[1:])
        down[1:] = (f[:-1] >= s[:-1]) & (f[1:] < s[1:])
    ready = np.arange(len(close)) >= slow + 1  # the original's loop started at the warm-up
    return up & ready, down & ready


@pytest.mark.parametrize(("fast", "slow"), [(12, 26), (5, 10), (20, 60)])
def test_signals_match_the_rule_bar_for_bar(fast, slow):
    _, _, bars, _ = _load(RunConfig(strategy_name=NAME, universe="us_sample"))
    strategy = get_strategy(NAME)(fast_period=fast, slow_period=slow)
    sig = strategy.signals(bars)
    assert not sig.short_entry.any() and not sig.short_exit.any()
    for j, sym in enumerate(bars.symbols):
        valid = ~np.isnan(bars.close[:, j])
        rows = np.flatnonzero(valid)
        assert rows[-1] - rows[0] + 1 == rows.size, f"{sym} has interior gaps"
        up, down = _expected(bars.close[rows, j], fast, slow)
        np.testing.assert_array_equal(sig.long_entry[rows, j], up, err_msg=sym)
        np.testing.assert_array_equal(sig.long_exit[rows, j], down, err_msg=sym)
        assert up.sum() > 10 and not sig.long_entry[~valid, j].any()


def test_trades_on_the_us_sample_with_defaults():
    r = run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert r.trades.height >= 50
    assert set(r.trades["symbol"].unique()) == {"AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"}


def test_signals_are_prefix_invariant():
    strategy, _, bars, _ = _load(RunConfig(strategy_name=NAME, universe="us_sample"))
    full = strategy.signals(bars)
    assert full.long_entry.any() and full.long_exit.any()
    for k in (20, 27, 28, 300, 2500, 5000, bars.n_bars - 1):
        part = strategy.signals(bars.prefix(k))
        for name in ARRAYS:
            np.testing.assert_array_equal(
                getattr(full, name)[:k], getattr(part, name), err_msg=f"{name} at prefix {k}"
            )
    assert check_lookahead(strategy, bars, points=10).ok


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"fast_period": 4}, "params.fast_period"),
        ({"fast_period": 51}, "params.fast_period"),
        ({"slow_period": 9}, "params.slow_period"),
        ({"slow_period": 101}, "params.slow_period"),
        ({"fast_period": 30, "slow_period": 30}, "params.fast_period"),
        ({"fast_period": 1.5}, "params.fast_period"),
        ({"nope": 1}, "params.nope"),
    ],
)
def test_bad_params_are_rejected_naming_the_parameter(params, field):
    with pytest.raises(ParameterError) as err:
        get_strategy(NAME)(**params)
    assert err.value.field == field
