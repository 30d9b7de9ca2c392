"""Proof of causality: a strategy's signals (and display series) on bars[0..t) equal those on the
full history, for many t. A strategy that peeks at the future fails with the first bar where they differ.

``timing = "open"`` strategies get a stricter check: at the decision bar only the open is known,
so the bar's high, low, close and volume are replaced by the open (and 0) before computing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import ARRAY_FIELDS, ENTRY_SIDE, Signals
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.evaluate import compute_signals


@dataclass(frozen=True, slots=True)
class Difference:
    bar: int
    date: str
    symbol: str
    array: str
    full: object
    prefix: object
    prefix_length: int

    def __str__(self) -> str:
        return (
            f"{self.array} differs at bar {self.bar} ({self.date}, {self.symbol}): "
            f"{self.full!r} on the full history, {self.prefix!r} on bars[0..{self.prefix_length})"
        )


@dataclass(frozen=True, slots=True)
class LookaheadReport:
    strategy: str
    points: tuple[int, ...]
    first_difference: Difference | None

    @property
    def ok(self) -> bool:
        return self.first_difference is None


def check_points(n_bars: int, warmup: int, points: int) -> list[int]:
    """Prefix lengths to test: spread from just after the warm-up to the end."""
    lo = min(max(warmup + 2, 3), n_bars)
    return sorted({int(x) for x in np.linspace(lo, n_bars - 1, num=max(points, 2))} - {0})


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype == np.bool_:
        return a == b
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _arrays(sig: Signals) -> dict[str, np.ndarray | None]:
    """Every per-bar array of ``sig``: the signal arrays and the display series (a chart that
    peeks is as wrong as a signal that does)."""
    out: dict[str, np.ndarray | None] = {name: getattr(sig, name) for name in ARRAY_FIELDS}
    out.update({f"series.{k}": np.asarray(v, dtype=np.float64) for k, v in sig.series.items()})
    return out


def _first_diff(
    full: Signals, part: Signals, rows: slice, names: tuple[str, ...] | None, bars: Bars, k: int
) -> Difference | None:
    best: Difference | None = None
    fulls, parts = _arrays(full), _arrays(part)
    for name in names or sorted(set(fulls) | set(parts)):
        fa, pa = fulls.get(name), parts.get(name)
        if fa is None and pa is None:
            continue
        if fa is None or pa is None:
            fa = np.zeros_like(pa) if fa is None else fa
            pa = np.zeros_like(fa) if pa is None else pa
        fa, pa = fa[rows], pa[rows]
        bad = ~_equal(np.asarray(fa), np.asarray(pa))
        if bad.any():
            r, c = np.argwhere(bad)[0]
            bar = (rows.start or 0) + int(r)
            if best is None or bar < best.bar:
                best = Difference(
                    bar=bar,
                    date=str(bars.dates[bar])[:19].replace("T00:00:00", ""),
                    symbol=bars.symbols[int(c)],
                    array=name,
                    full=fa[r, c].item(),
                    prefix=pa[r, c].item(),
                    prefix_length=k,
                )
    return best


def _known_at_open(bars: Bars, k: int) -> Bars:
    """bars[0..k] where bar k shows only its open: what a decision at that open can know."""
    p = bars.prefix(k + 1)
    o = p.open[k]
    high, low, close, vol = p.high.copy(), p.low.copy(), p.close.copy(), p.volume.copy()
    high[k], low[k], close[k], vol[k] = o, o, o, 0.0
    return replace(p, high=high, low=low, close=close, volume=vol)


def check_lookahead(strategy: Strategy, bars: Bars, points: int = 16) -> LookaheadReport:
    """Compare signals on many prefixes with the signals on the full history."""
    full = compute_signals(strategy, bars)
    ks = check_points(bars.n_bars, strategy.warmup(), points)
    first: Difference | None = None
    for k in ks:
        part = compute_signals(strategy, bars.prefix(k))
        d = _first_diff(full, part, slice(0, k), None, bars, k)
        if strategy.timing == "open" and k < bars.n_bars:
            at_open = compute_signals(strategy, _known_at_open(bars, k))
            d2 = _first_diff(full, at_open, slice(k, k + 1), ENTRY_SIDE, bars, k)
            d = d2 if d is None or (d2 is not None and d2.bar < d.bar) else d
        if d is not None and (first is None or d.bar < first.bar):
            first = d
    return LookaheadReport(strategy=strategy.name, points=tuple(ks), first_difference=first)
