"""A trade's stop and target levels over its life, as the engine tested them.

Trade records do not store their levels: the engine derives them from the strategy's signals at
the entry and keeps them in its per-position state. This module derives them again from the same
inputs the run used — the run's data, the strategy's signals moved where the engine reads them
(``timed_for_engine``), absolute distances carried to the as-traded scale — and replays the
kernel's rules for one position (engine/kernel.py):

* distances are read at the entry's signal bar (the last bar of the symbol before the fill with
  ``fill = next_open``, the fill bar itself with ``fill = close``): fractions of the entry fill
  price, or absolute price distances with the strategy's ``*_abs`` flags;
* stop = fill -/+ distance, target = fill +/- distance (long/short); a trailing stop starts at
  fill -/+ trail and moves at every close the position is held (from the high for a long, the low
  for a short), only ever tightening; the stop tested is the tighter of the fixed and the trailing
  one;
* a split while held divides every level (and an absolute trail) by its ratio, before the open of
  its ex-date.

Each bar of the trade's life gets the level in force during that bar (what the bar's range was
tested against), on the as-traded price scale of that bar — the scale of the trade's fill prices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ava_backtest.data.panel import Panel
from ava_backtest.data.universes import Universe
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import _distance_scale
from ava_backtest.runs.execute import (
    _slice_panel,
    _slice_signals,
    build_strategy,
    load_run_panel,
    run_sizing,
    timed_for_engine,
    with_required_data,
)
from ava_backtest.runs.indicators import _stamps
from ava_backtest.runs.square_off import square_off
from ava_backtest.strategies.evaluate import compute_signals

_TRADE_FIELDS = ("symbol", "direction", "entry_time", "exit_time", "entry_price")


def _points(stamps: list[str], values: np.ndarray) -> list[dict[str, Any]] | None:
    if not np.isfinite(values).any():
        return None
    return [
        {"time": s, "value": float(v) if math.isfinite(v) else None}
        for s, v in zip(stamps, values.tolist(), strict=True)
    ]


def _index_of(dates: np.ndarray, stamp: str, what: str) -> int:
    t = np.datetime64(stamp.replace("Z", "").split("+")[0], "ns")
    i = int(np.searchsorted(dates, t))
    if i >= len(dates) or dates[i] != t:
        raise ConfigError(
            f"the trade's {what} {stamp} is not a bar of today's data for this run "
            "(the data changed since the run)",
            field=what,
        )
    return i


@dataclass(frozen=True, slots=True)
class LevelInputs:
    """What the levels of any trade of one run derive from: the run's panel and the strategy's
    signals as the engine read them (after the warm-up slice), or None without levels."""

    fill: str
    panel: Panel | None
    signals: Signals | None
    scale: np.ndarray | None


def level_inputs(config: RunConfig, *, universe: Universe | None = None) -> LevelInputs:
    """Load the run's data and compute its signals once, for the levels of many trades."""
    strategy = build_strategy(config)
    if run_sizing(config, strategy).mode == "risk_parity":
        # the allocator replaces entries, sizes and levels with target weights
        return LevelInputs(config.fill, None, None, None)
    panel, info = load_run_panel(config, strategy, universe)
    bars = with_required_data(strategy, panel, config.market)
    signals = timed_for_engine(strategy, compute_signals(strategy, bars))
    signals = square_off(config, strategy, signals, bars.dates)
    sig = _slice_signals(signals, info.first_index)
    if sig.stop_loss is None and sig.take_profit is None and sig.trail is None:
        return LevelInputs(config.fill, None, None, None)
    run = _slice_panel(panel, info.first_index)
    return LevelInputs(config.fill, run, sig, _distance_scale(run, config.fill))


def trade_levels(
    config: RunConfig, trade: dict[str, Any], *, universe: Universe | None = None
) -> dict[str, Any]:
    """The stop and target of ``trade`` per bar from its entry to its exit bar (see
    ``levels_of``)."""
    return levels_of(level_inputs(config, universe=universe), trade)


def levels_of(inputs: LevelInputs, trade: dict[str, Any]) -> dict[str, Any]:
    """The stop and target of ``trade`` (a trade record: symbol, direction, entry/exit time,
    entry fill price) per bar from its entry to its exit bar.

    Returns ``{stop, target, trailing, prices}``: ``stop`` and ``target`` are ``[{time, value}]``
    or None when the strategy set no such level for this entry; ``stop`` is the level the engine
    tested (the tighter of the fixed and the trailing stop); ``trailing`` says whether a trailing
    stop was part of it.
    """
    missing = [f for f in _TRADE_FIELDS if trade.get(f) in (None, "")]
    if missing:
        raise ValueError(f"trade record lacks {', '.join(missing)}")
    empty = {"stop": None, "target": None, "trailing": False, "prices": "as_traded"}
    run, sig = inputs.panel, inputs.signals
    if run is None or sig is None:
        return empty
    name = str(trade["symbol"]).upper()
    if name not in run.symbols:
        raise ConfigError(f"symbol {name!r} is not in this run", field="symbol")
    j = run.symbols.index(name)

    dates = run.dates
    t0 = _index_of(dates, str(trade["entry_time"]), "entry_time")
    te = _index_of(dates, str(trade["exit_time"]), "exit_time")
    if te < t0:
        raise ValueError("trade exits before it enters")
    close = run.trade_close[:, j]
    if inputs.fill == "close":
        sb = t0
    else:
        before = np.flatnonzero(np.isfinite(close[:t0]))
        if not len(before):
            raise ConfigError("the trade's entry has no signal bar before it", field="entry_time")
        sb = int(before[-1])
    ratio = 1.0 if inputs.scale is None else float(inputs.scale[sb, j])

    def distance(arr: np.ndarray | None, absolute: bool) -> float:
        if arr is None:
            return math.nan
        d = float(arr[sb, j])
        return d * ratio if absolute else d

    sgn = 1.0 if trade["direction"] == "long" else -1.0
    fpx = float(trade["entry_price"])
    sl = distance(sig.stop_loss, sig.stop_loss_abs)
    tp = distance(sig.take_profit, sig.take_profit_abs)
    tr = distance(sig.trail, sig.trail_abs)
    life = slice(t0, te + 1)
    n = te - t0 + 1
    # Everything is tracked on the entry bar's price scale (a split while held divides levels and
    # prices alike) and carried back to each bar's as-traded scale at the end.
    splits = run.split_ratio[life, j].copy()
    splits[0] = 1.0  # the entry bar's split came before the fill
    splits = np.where(np.isfinite(splits) & (splits > 0), splits, 1.0)
    cum = np.cumprod(splits)
    ones = np.ones(n)
    stop = ones * (fpx - sgn * (sl if sig.stop_loss_abs else sl * fpx))
    target = ones * (fpx + sgn * (tp if sig.take_profit_abs else tp * fpx))
    trailing = math.isfinite(tr)
    if trailing:
        start = fpx - sgn * (tr if sig.trail_abs else tr * fpx)
        extreme = (run.trade_high if sgn > 0 else run.trade_low)[life, j] * cum
        moved = extreme - sgn * tr if sig.trail_abs else extreme * (1.0 - sgn * tr)
        # The close of bar t sets the level of bar t + 1; bars without a close move nothing, and
        # with fill = close the entry bar's own close came before the position.
        moved[~np.isfinite(close[life])] = np.nan
        if inputs.fill == "close":
            moved[0] = np.nan
        level = np.concatenate([[start], moved[:-1]])
        acc = np.fmax if sgn > 0 else np.fmin
        trail_level = acc.accumulate(level)
        stop = (np.fmax if sgn > 0 else np.fmin)(stop, trail_level)
    stamps = _stamps(dates[life])
    return {
        "stop": _points(stamps, stop / cum),
        "target": _points(stamps, target / cum),
        "trailing": trailing,
        "prices": "as_traded",
    }
