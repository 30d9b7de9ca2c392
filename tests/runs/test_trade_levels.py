"""A trade's stop/target levels, derived again from the strategy's signals, agree with what the
engine did: every stop or target exit filled at the level of its exit bar (or at a worse open
that gapped through it), and no earlier bar of the trade's life reached a level the engine would
have exited at."""

from __future__ import annotations

import itertools
import math

import polars as pl
import pytest

from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs.execute import build_strategy, load_run_panel, run_backtest
from ava_backtest.runs.trade_levels import level_inputs, levels_of, trade_levels

CASES = [
    # ATR trailing stop (absolute distance), long and short, reversals
    ("modified_turtle", {}),
    # fractional stop and target, long only
    ("tv_flawless_victory", {}),
    # fixed stops on both sides
    ("fifty_two_week_high", {}),
    ("stop_loss_hunt_reversal", {}),
    # the same with slippage on every fill, and with fills at the signal bar's close
    ("tv_flawless_victory", {"slippage_bps": 7}),
    ("modified_turtle", {"fill": "close"}),
    ("trend_following_macd", {"fill": "close", "slippage_bps": 3}),
]
LEVEL_EXITS = ("stop_loss", "take_profit", "trailing_stop")


def _config(name: str, extra: dict) -> RunConfig:
    return RunConfig.model_validate({"strategy_name": name, "universe": "us_sample", **extra})


@pytest.mark.parametrize(("name", "extra"), CASES)
def test_levels_match_the_engines_exits(name: str, extra: dict) -> None:
    config = _config(name, extra)
    result = run_backtest(config)
    trades = result.trades.filter(pl.col("exit_reason").is_in(LEVEL_EXITS))
    assert trades.height >= 10, f"{name}: too few level exits to test ({trades.height})"
    inputs = level_inputs(config)
    panel, info = load_run_panel(config, build_strategy(config))
    first = info.first_index
    slip = config.slippage_bps / 10_000.0
    gaps = 0
    for t in trades.iter_rows(named=True):
        trade = {
            **t,
            "entry_time": t["entry_time"].isoformat(),
            "exit_time": t["exit_time"].isoformat(),
        }
        lv = levels_of(inputs, trade)
        long = t["direction"] == "long"
        key = "target" if t["exit_reason"] == "take_profit" else "stop"
        series = lv[key]
        assert series is not None, f"{name}: trade {t} exited by {t['exit_reason']} without a level"
        assert series[0]["time"] == trade["entry_time"][: len(series[0]["time"])]
        assert series[-1]["time"] == trade["exit_time"][: len(series[-1]["time"])]
        if t["exit_reason"] == "trailing_stop":
            assert lv["trailing"]
        level = series[-1]["value"]
        j = panel.symbols.index(t["symbol"])
        bar = first + t["exit_bar"]
        o = float(panel.trade_open[bar, j])
        # a sell (long exit) gets price x (1 - slippage), a buy-to-cover x (1 + slippage)
        raw = t["exit_price"] / ((1.0 - slip) if long else (1.0 + slip))
        # a long's stop or a short's target the open opened below fills at the open, and the
        # other way round
        gapped = (o < level) if (key == "stop") == long else (o > level)
        if gapped:
            gaps += 1
            assert raw == pytest.approx(o, rel=1e-9), f"{name}: gap exit not at the open: {t}"
        else:
            assert raw == pytest.approx(level, rel=1e-9), f"{name}: exit {t} not at level {level}"
        # No earlier bar of the life reached the level in force on it (else the engine would have
        # exited there); the entry bar of a fill at the close was never tested.
        lows = panel.trade_low[first + t["entry_bar"] : bar, j]
        highs = panel.trade_high[first + t["entry_bar"] : bar, j]
        start = 1 if config.fill == "close" else 0
        for k in range(start, len(series) - 1):
            for which, pts in (("stop", lv["stop"]), ("target", lv["target"])):
                if pts is None or pts[k]["value"] is None or math.isnan(lows[k]):
                    continue
                v = pts[k]["value"]
                hit = (
                    (lows[k] <= v if long else highs[k] >= v)
                    if which == "stop"
                    else (highs[k] >= v if long else lows[k] <= v)
                )
                assert not hit, f"{name}: {which} {v} reached on bar {k} of {t} before its exit"
    assert gaps < trades.height  # the levels, not only the opens, were compared


def test_a_trailing_stop_moves_and_only_tightens() -> None:
    config = _config("modified_turtle", {})
    trades = run_backtest(config).trades.filter(pl.col("exit_reason") == "trailing_stop")
    inputs = level_inputs(config)
    moved = 0
    for t in trades.head(60).iter_rows(named=True):
        trade = {
            **t,
            "entry_time": t["entry_time"].isoformat(),
            "exit_time": t["exit_time"].isoformat(),
        }
        values = [p["value"] for p in levels_of(inputs, trade)["stop"]]
        steps = [b - a for a, b in itertools.pairwise(values)]
        if t["direction"] == "long":
            assert all(s >= -1e-9 for s in steps)
        else:
            assert all(s <= 1e-9 for s in steps)
        moved += any(abs(s) > 1e-9 for s in steps)
    assert moved > 10


def test_a_strategy_without_levels_has_none() -> None:
    config = RunConfig.model_validate(
        {
            "strategy_name": "sma_crossover",
            "symbols": ["AAPL"],
            "params": {"fast_period": 10, "slow_period": 30},
        }
    )
    t = run_backtest(config).trades.row(0, named=True)
    trade = {
        **t,
        "entry_time": t["entry_time"].isoformat(),
        "exit_time": t["exit_time"].isoformat(),
    }
    assert trade_levels(config, trade) == {
        "stop": None,
        "target": None,
        "trailing": False,
        "prices": "as_traded",
    }


def test_a_trade_not_of_todays_data_is_named() -> None:
    config = _config("tv_flawless_victory", {})
    t = run_backtest(config).trades.row(0, named=True)
    trade = {**t, "entry_time": "1999-01-02T00:00:00", "exit_time": t["exit_time"].isoformat()}
    with pytest.raises(ConfigError, match="entry_time"):
        trade_levels(config, trade)
