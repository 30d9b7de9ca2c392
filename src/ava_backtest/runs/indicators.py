"""A run's display series: the strategy's own indicator values for one symbol, computed the way the
run computed its signals (same config, same warm-up, same prices), for the price chart.

The browser draws these instead of recomputing indicators itself, so an overlay can never show a
crossover the strategy did not trade on (it used adjusted prices; a browser-side moving average of
as-traded prices jumps at every split).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ava_backtest.data.panel import LoadInfo
from ava_backtest.data.universes import Universe
from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.runs.execute import build_strategy, load_run_panel, with_required_data
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.evaluate import compute_signals


def _floats(a: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in a.tolist()]


def _stamps(dates: np.ndarray) -> list[str]:
    """Dates as YYYY-MM-DD for daily bars, with the time of day for intraday ones."""
    days = dates.astype("datetime64[D]")
    if (dates == days.astype(dates.dtype)).all():
        return np.datetime_as_string(days).tolist()
    return np.datetime_as_string(dates.astype("datetime64[s]")).tolist()


def display_series(
    config: RunConfig,
    symbol: str,
    *,
    universe: Universe | None = None,
    fingerprint: str | None = None,
    loaded: tuple[Strategy, Panel, LoadInfo] | None = None,
) -> dict[str, Any]:
    """The strategy's declared display series for ``symbol`` over the run's dates.

    ``factor`` is adjusted / as-traded per date (1 where they are the same): dividing a price
    series by it gives the as-traded scale, for the chart's as-traded view. ``fingerprint`` is the
    run's data fingerprint: when today's data differ, ``notes`` says so. ``loaded``: the run's
    strategy and data (``build_strategy``, ``load_run_panel``) when the caller has them already.
    """
    if loaded is None:
        strategy = build_strategy(config)
        panel, info = load_run_panel(config, strategy, universe)
    else:
        strategy, panel, info = loaded
    name = symbol.strip().upper()
    if name not in panel.symbols:
        raise ConfigError(
            f"symbol {symbol!r} is not in this run; its symbols are: {', '.join(panel.symbols)}",
            field="symbol",
        )
    j = panel.symbols.index(name)
    bars = with_required_data(strategy, panel, config.market)
    signals = compute_signals(strategy, bars)
    rows = slice(info.first_index, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = bars.close[rows, j] / panel.trade_close[rows, j]
    declared = strategy.describe(strategy.params)["display"]
    missing = [d["name"] for d in declared if d["name"] not in signals.series]
    if missing:  # a declared series the strategy did not return is its defect, not a blank pane
        raise ValueError(
            f"strategy {strategy.name!r} declares display series {', '.join(missing)} "
            "but its signals did not return them"
        )
    series = [{**d, "values": _floats(signals.series[d["name"]][rows, j])} for d in declared]
    notes = []
    if fingerprint and panel.fingerprint and fingerprint != panel.fingerprint:
        notes.append("the data changed since this run; the series are computed on today's data")
    return {
        "symbol": name,
        "strategy": strategy.name,
        "prices": "as_traded" if config.adjustment == "none" else "adjusted",
        "dates": _stamps(panel.dates[rows]),
        "factor": _floats(factor),
        "series": series,
        "notes": notes,
    }
