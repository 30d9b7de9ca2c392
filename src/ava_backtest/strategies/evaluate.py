"""Running a strategy's ``signals`` over a panel, so each symbol's signals come from its own bars.

A symbol with no bar on some sessions (a halt, a late listing inside the range) would otherwise
see NaN holes in its indicator windows. Columns with interior gaps are evaluated on their own
compressed bars and scattered back; gap-free columns go through in one vectorised call.
Cross-sectional strategies see every column at once, as their rule needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba as nb
import numpy as np

from ava_backtest.domain.bars import Bars, as_block
from ava_backtest.domain.signals import ARRAY_FIELDS, Signals
from ava_backtest.indicators.cache import memoized
from ava_backtest.strategies.base import Strategy


def _gappy_columns(close: np.ndarray) -> np.ndarray:
    """The columns with a missing bar between their first and last bar (not all-missing ones)."""
    c = np.asarray(close, dtype=np.float64)
    if c.ndim == 1:
        c = c[:, None]
    gappy = np.zeros(c.shape[1], dtype=np.bool_)
    _find_gaps(c, gappy)
    return np.flatnonzero(gappy)


@nb.njit(cache=True)
def _find_gaps(close: np.ndarray, gappy: np.ndarray) -> None:
    """One pass along rows: per column, the first and last valid bar and the valid count."""
    t, n = close.shape
    first = np.full(n, -1)
    last = np.full(n, -1)
    count = np.zeros(n, dtype=np.int64)
    for i in range(t):
        for j in range(n):
            ok = not np.isnan(close[i, j])
            count[j] += ok
            last[j] = i if ok else last[j]
            first[j] = i if ok and first[j] < 0 else first[j]
    for j in range(n):
        gappy[j] = count[j] > 0 and count[j] < last[j] - first[j] + 1


# A sweep asks once per combination about the same bars: answered once per cache scope.
_gappy_columns = memoized(_gappy_columns, counted=False)


def compute_signals(strategy: Strategy, bars: Bars) -> Signals:
    """The strategy's signals over ``bars``, with every array checked for shape."""
    gappy = (
        [] if getattr(strategy, "cross_sectional", False) else _gappy_columns(bars.close).tolist()
    )
    if not gappy:
        return _checked(strategy.signals(bars), bars.close.shape)
    dense = [j for j in range(bars.n_symbols) if j not in set(gappy)]
    out = Signals.empty(bars.close.shape)
    if dense:
        _scatter(
            out,
            _checked(strategy.signals(bars.select(dense)), (bars.n_bars, len(dense))),
            None,
            dense,
        )
    for j in gappy:
        rows = np.flatnonzero(~np.isnan(bars.close[:, j]))
        sub = Bars(
            dates=bars.dates[rows],
            symbols=(bars.symbols[j],),
            open=as_block(bars.open[rows, j : j + 1]),
            high=as_block(bars.high[rows, j : j + 1]),
            low=as_block(bars.low[rows, j : j + 1]),
            close=as_block(bars.close[rows, j : j + 1]),
            volume=as_block(bars.volume[rows, j : j + 1]),
            extra={
                k: v[rows, j : j + 1] if v.ndim == 2 else v[rows] for k, v in bars.extra.items()
            },
        )
        _scatter(out, _checked(strategy.signals(sub), (len(rows), 1)), rows, [j])
    return out


def offered_sweep_signals(strategies: Sequence[Strategy], bars: Bars) -> Signals | None:
    """The (bars, len(strategies)) signals the strategies' class offers through
    ``Strategy.sweep_signals`` for these bars, checked for shape; None where it offers none or
    the bars are not one symbol without interior gaps (its contract)."""
    if not strategies:
        raise ValueError("no strategies to lay side by side")
    cls = type(strategies[0])
    if any(type(s) is not cls for s in strategies):
        raise ValueError("side-by-side signals need instances of one strategy class")
    if bars.n_symbols != 1 or len(_gappy_columns(bars.close)):
        return None
    offered = cls.sweep_signals(bars, strategies)
    return None if offered is None else _checked(offered, (bars.n_bars, len(strategies)))


def _checked(sig: Signals, shape: tuple[int, int]) -> Signals:
    for name in ARRAY_FIELDS:
        arr = getattr(sig, name)
        if arr is not None and arr.shape != shape:
            raise ValueError(f"strategy returned {name} of shape {arr.shape}, expected {shape}")
    for name, arr in sig.series.items():
        if np.shape(arr) != shape:
            raise ValueError(
                f"strategy returned series {name!r} of shape {np.shape(arr)}, expected {shape}"
            )
    return sig


def _scatter(out: Signals, part: Signals, rows: np.ndarray | None, cols: list[int]) -> None:
    for name in ARRAY_FIELDS:
        src = getattr(part, name)
        if src is None:
            continue
        dst = getattr(out, name)
        if dst is None:
            dst = np.full(out.shape, np.nan)
            setattr(out, name, dst)
        if rows is None:
            dst[:, cols] = src
        else:
            dst[np.ix_(rows, cols)] = src
    for name, src in part.series.items():
        dst = out.series.setdefault(name, np.full(out.shape, np.nan))
        if rows is None:
            dst[:, cols] = src
        else:
            dst[np.ix_(rows, cols)] = src
    for flag in ("stop_loss_abs", "take_profit_abs", "trail_abs"):
        if getattr(part, flag):
            setattr(out, flag, True)
    if part.max_hold is not None:
        out.max_hold = part.max_hold
