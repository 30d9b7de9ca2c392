"""Parameter sweeps: every combination simulated in one kernel call.

Each combination's signals are computed with shared indicator results (a window used by many
combinations is computed once), laid side by side as columns, and simulated in ``independent``
mode, so the sweep gives exactly what the single runs would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ava_backtest.domain.bars import Bars, Panel, as_block
from ava_backtest.domain.signals import ARRAY_FIELDS, ENTRY_SIDE, EXIT_SIDE, Signals
from ava_backtest.engine.backtest import EngineResult, EngineSettings, simulate
from ava_backtest.indicators.cache import indicator_cache
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.evaluate import compute_signals, offered_sweep_signals

_STACKED = (*ENTRY_SIDE, *EXIT_SIDE)  # target weights do not stack into a sweep


def sweep(
    strategy: type[Strategy], grid: list[dict[str, Any]], panel: Panel, settings: EngineSettings
) -> tuple[list[dict[str, Any]], EngineResult]:
    """Simulate ``strategy`` on a one-symbol ``panel`` for every parameter set in ``grid``.

    Returns the validated parameter sets and one result whose accounts are the combinations, in
    grid order.
    """
    if panel.trade_close.shape[1] != 1:
        raise ValueError(
            "a sweep runs on one symbol; run a universe screen in independent mode instead"
        )
    instances = [strategy(**p) for p in grid]
    with indicator_cache():
        stacked = side_by_side_signals(instances, panel.bars)
    labels = tuple(",".join(f"{k}={v}" for k, v in s.params.items()) for s in instances)
    return [s.params for s in instances], simulate_stacked(panel, stacked, settings, labels)


def side_by_side_signals(strategies: Sequence[Strategy], bars: Bars) -> Signals:
    """The signals of each of ``strategies`` (instances of one class) on the one-symbol ``bars``,
    as one (bars, len(strategies)) set: from the class's ``sweep_signals`` where it offers them
    for these bars (one symbol, no interior gap), else each instance's ``compute_signals``
    stacked. Either way column j is what ``strategies[j]`` alone gives."""
    offered = offered_sweep_signals(strategies, bars)
    if offered is not None:
        return offered
    return stack_signals([compute_signals(s, bars) for s in strategies], bars.n_bars)


def simulate_side_by_side(
    panel: Panel,
    parts: list[Signals],
    settings: EngineSettings,
    labels: tuple[str, ...],
    *,
    wide: Panel | None = None,
) -> EngineResult:
    """One kernel call for many signal sets on the same one-symbol ``panel``: each set is a
    column with its own account (``independent``), so each gives exactly its single run.

    ``wide``: ``tile(panel, len(parts), materialize=True)`` made once by a caller that runs many
    such calls (a study's chunks), so the kernel's price blocks are not copied again per call."""
    return simulate_stacked(
        panel, stack_signals(parts, panel.bars.n_bars), settings, labels, wide=wide
    )


def signal_columns(stacked: Signals, lo: int, hi: int) -> Signals:
    """Columns ``lo`` .. ``hi`` - 1 of side-by-side signals (views; the engine copies what it
    reads): the signal sets of accounts ``lo`` .. ``hi`` - 1 alone."""
    sliced = {
        name: arr[:, lo:hi] for name in ARRAY_FIELDS if (arr := getattr(stacked, name)) is not None
    }
    return replace(stacked, **sliced, series={})


def simulate_stacked(
    panel: Panel,
    stacked: Signals,
    settings: EngineSettings,
    labels: tuple[str, ...],
    *,
    wide: Panel | None = None,
) -> EngineResult:
    """``simulate_side_by_side`` of signal sets already side by side (``stack_signals``,
    ``side_by_side_signals``): column j of ``stacked`` is account j."""
    n = stacked.shape[1]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} labels for {n} signal columns")
    if wide is None:
        wide = tile(panel, n, labels)
    else:
        if wide.trade_close.shape != (panel.bars.n_bars, n):
            raise ValueError(
                f"wide panel has shape {wide.trade_close.shape}, expected {(panel.bars.n_bars, n)}"
            )
        wide = replace(wide, bars=replace(wide.bars, symbols=labels))
    return simulate(wide, stacked, replace(settings, portfolio="independent"))


def stack_signals(parts: list[Signals], n_bars: int) -> Signals:
    """One-column signal sets side by side as one (bars, len(parts)) set."""
    n = len(parts)
    stacked = Signals.empty((n_bars, n))
    for name in _STACKED:
        cols = [getattr(p, name) for p in parts]
        if all(c is None for c in cols):
            continue
        fill = False if name.endswith(("_entry", "_exit")) else np.nan
        setattr(
            stacked,
            name,
            as_block(np.hstack([np.full((n_bars, 1), fill) if c is None else c for c in cols]),
                     np.bool_ if fill is False else np.float64),
        )  # fmt: skip
    for flag in ("stop_loss_abs", "take_profit_abs", "trail_abs"):
        setattr(stacked, flag, getattr(parts[0], flag))
    holds = {p.max_hold for p in parts}
    if len(holds) > 1:
        # The kernel's time stop is one number for the whole call; never drop it silently.
        raise ValueError(
            f"these combinations use different time stops ({sorted(holds, key=str)}); "
            "sweep the time stop as separate runs"
        )
    stacked.max_hold = parts[0].max_hold
    return stacked


_KERNEL_PRICES = ("trade_open", "trade_high", "trade_low", "trade_close")
"""The price blocks the kernel always reads (the engine copies a view into a C block)."""


def tile(
    panel: Panel, n: int, labels: tuple[str, ...] | None = None, *, materialize: bool = False
) -> Panel:
    """The one-symbol ``panel`` as ``n`` identical columns: read-only views that repeat its column
    (stride 0), not copies; the engine copies what its kernel reads. With ``materialize``, the
    price blocks the kernel reads are those C-contiguous copies already, made once for a caller
    that simulates many times on the same shape (the kernel never writes its inputs). An array
    shared by two fields stays shared, as the engine checks for that."""
    views: dict[int, np.ndarray] = {}
    labels = labels if labels is not None else tuple(str(i) for i in range(n))
    copied = {id(getattr(panel, name)) for name in _KERNEL_PRICES} if materialize else set()

    def t(a: np.ndarray) -> np.ndarray:
        if id(a) not in views:
            view = np.broadcast_to(a, (a.shape[0], n))
            views[id(a)] = np.ascontiguousarray(view, np.float64) if id(a) in copied else view
        return views[id(a)]

    b = panel.bars
    bars = replace(
        b,
        symbols=labels,
        open=t(b.open),
        high=t(b.high),
        low=t(b.low),
        close=t(b.close),
        volume=t(b.volume),
    )
    return replace(
        panel,
        bars=bars,
        trade_open=t(panel.trade_open),
        trade_high=t(panel.trade_high),
        trade_low=t(panel.trade_low),
        trade_close=t(panel.trade_close),
        split_ratio=t(panel.split_ratio),
        dividend=t(panel.dividend),
        synthetic=tuple(panel.synthetic[:1] * n) if panel.synthetic else (),
    )
