"""bollinger_bands: the catalogue's parameters, trades on the sample, pinned trades, causality."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ParameterError
from ava_backtest.runs.execute import load_run_panel, run_backtest, with_required_data
from ava_backtest.strategies.lookahead import check_lookahead
from ava_backtest.strategies.registry import get_strategy

NAME = "bollinger_bands"
SPEC = Path(
    os.environ.get(
        "AVA_STRATEGY_SPEC",
        str(
            Path(__file__).resolve().parents[3] / "shared" / "spec" / "strategies" / "builtin.yaml"
        ),
    )
)  # the catalogue entry this strategy implements
ARRAYS = ("long_entry", "long_exit", "short_entry", "short_exit", "size", "priority")


def _spec_entry() -> dict:
    if not SPEC.exists():
        pytest.skip(f"strategy catalogue not found at {SPEC} (set AVA_STRATEGY_SPEC)")
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
    s = cls()
    assert s.warmup() == eval(str(spec["warmup_bars"]), {"max": max}, dict(s.params))


def test_trades_on_the_us_sample_with_defaults():
    r = run_backtest(RunConfig(strategy_name=NAME, universe="us_sample"))
    assert r.trades.height >= 1


def _expected_signal_bars(close: pd.Series, n: int, k: float):
    """The catalogue's rule, written out: SMA middle, population std, level tests on bar t."""
    mid = close.rolling(n).mean()
    sd = close.rolling(n).std(ddof=0)
    low = mid - k * sd
    c = close.to_numpy()
    with np.errstate(invalid="ignore"):
        return c < low.to_numpy(), c > mid.to_numpy()


def _walk(entry: np.ndarray, exit_: np.ndarray, n: int) -> list[tuple[int, int]]:
    """(entry signal bar, exit signal bar) pairs of a one-position book filled at the next open."""
    out, t = [], 0
    while len(out) < n:
        e = np.flatnonzero(entry[t:])
        if e.size == 0:
            break
        e = t + e[0]
        x = np.flatnonzero(exit_[e + 1 :])
        if x.size == 0:
            break
        x = e + 1 + x[0]
        out.append((e, x))
        t = x + 1
    return out


def test_first_trades_on_ibm_match_the_rule_bar_for_bar():
    cfg = RunConfig(strategy_name=NAME, symbols=["IBM"], costs={"model": "none"})
    _, panel, bars, info = _load(cfg)
    assert info.first_index == 0
    close = pd.Series(bars.close[:, 0])
    entry, exit_ = _expected_signal_bars(close, 20, 2.0)
    expected = _walk(entry, exit_, 4)
    assert len(expected) == 4
    trades = run_backtest(cfg).trades.head(4)
    dates = panel.dates
    for (e, x), row in zip(expected, trades.iter_rows(named=True), strict=True):
        assert row["symbol"] == "IBM"
        assert np.datetime64(row["entry_time"], "ns") == dates[e + 1]
        assert np.datetime64(row["exit_time"], "ns") == dates[x + 1]
        assert row["entry_price"] == pytest.approx(panel.trade_open[e + 1, 0])


def test_signals_are_prefix_invariant():
    strategy, _, bars, _ = _load(RunConfig(strategy_name=NAME, universe="us_sample"))
    full = strategy.signals(bars)
    assert full.long_entry.any() and full.long_exit.any()
    for k in (40, 300, 1000, 2500, 5000, bars.n_bars - 1):
        part = strategy.signals(bars.prefix(k))
        for name in ARRAYS:
            a, b = getattr(full, name), getattr(part, name)
            assert (a is None) == (b is None), name
            if a is not None:
                np.testing.assert_array_equal(a[:k], b, err_msg=f"{name} at prefix {k}")
    assert check_lookahead(strategy, bars, points=10).ok


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bb_period": 9}, "params.bb_period"),
        ({"bb_period": 51}, "params.bb_period"),
        ({"bb_period": 20.5}, "params.bb_period"),
        ({"bb_std_dev": 0.5}, "params.bb_std_dev"),
        ({"bb_std_dev": 3.5}, "params.bb_std_dev"),
        ({"bb_std_dev": "wide"}, "params.bb_std_dev"),
        ({"nope": 1}, "params.nope"),
    ],
)
def test_bad_params_are_rejected_naming_the_parameter(params, field):
    with pytest.raises(ParameterError) as err:
        get_strategy(NAME)(**params)
    assert err.value.field == field
