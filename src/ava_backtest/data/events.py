"""Corporate actions recovered from an adjustment factor, for sources that ship no event list.

Yahoo-style sources give ``adj_close`` next to the as-traded ``close``; their ratio ``f = adj/close``
steps up on every ex-date. The step ``q_t = f_t / f_{t-1}`` is a split ratio (2.0 for 2:1), a
dividend factor ``1 / (1 - D / close_{t-1})``, or both on the same day. Recovering them lets the
engine trade as-traded prices while the strategy reads adjusted ones, and the two stay consistent.

Float noise is real: NVDA's source is float32, whose factor wobbles by up to ~2e-4 between bars, so
smaller steps are ignored (which also hides NVDA's smallest post-2022 dividends; see docs/data.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

NOISE = 2e-4
"""|q - 1| at or below this is float noise, not an event."""

SPLIT_MIN = 1.2
"""Smaller factor steps are dividends: no listed company splits 6:5 or finer."""

SPLIT_TOLERANCE = 0.01
"""A step within 1% of a common ratio is that split (the rest is a same-day dividend)."""

SPLIT_RATIOS: tuple[float, ...] = (
    1.25,
    4 / 3,
    1.5,
    2.0,
    2.5,
    3.0,
    4.0,
    5.0,
    6.0,
    7.0,
    8.0,
    10.0,
    15.0,
    20.0,
    25.0,
    30.0,
    40.0,
    50.0,
    100.0,
)


def match_split_ratio(q: float, tolerance: float = SPLIT_TOLERANCE) -> float | None:
    """The common split ratio within ``tolerance`` of ``q`` (>= 1), or None."""
    if not np.isfinite(q) or q < SPLIT_MIN * (1 - tolerance):
        return None
    best = min(SPLIT_RATIOS, key=lambda r: abs(q / r - 1))
    return best if abs(q / best - 1) <= tolerance else None


@dataclass(frozen=True, slots=True)
class Events:
    """Per-bar events aligned with the input bars.

    ``split_ratio`` is 1.0 where there is none, 2.0 for a 2:1 split, 0.1 for a 1:10 reverse split,
    applied before the open of that bar. ``dividend`` is cash per as-traded (post-split) share, paid
    to holders at the previous close, 0.0 where there is none.
    """

    split_ratio: np.ndarray
    dividend: np.ndarray

    @property
    def split_index(self) -> np.ndarray:
        return np.flatnonzero(self.split_ratio != 1.0)

    @property
    def dividend_index(self) -> np.ndarray:
        return np.flatnonzero(self.dividend != 0.0)


def derive_events(close: np.ndarray, adj_close: np.ndarray) -> Events:
    """Split ratios and cash dividends from as-traded ``close`` and ``adj_close`` (same length).

    Bars where either factor is missing carry no event. A factor that falls (rather than rises) and
    is not a reverse split is not a corporate action this model knows; it yields no event here and
    the validator reports it.
    """
    close = np.asarray(close, dtype=np.float64)
    f = np.asarray(adj_close, dtype=np.float64) / close
    n = len(close)
    split = np.ones(n)
    dividend = np.zeros(n)
    if n < 2:
        return Events(split, dividend)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = f[1:] / f[:-1]
    candidates = np.flatnonzero(np.isfinite(q) & (np.abs(q - 1.0) > NOISE)) + 1
    for t in candidates:
        qt = q[t - 1]
        ratio = match_split_ratio(qt)
        if ratio is None and qt > 0:
            reverse = match_split_ratio(1.0 / qt)
            ratio = 1.0 / reverse if reverse is not None else None
        rest = qt / ratio if ratio is not None else qt
        if ratio is not None:
            split[t] = ratio
        if rest - 1.0 > NOISE:
            # Yahoo's dividend factor: f_{t-1} / f_t = 1 - D / close_{t-1}, in post-split shares.
            prev_close = close[t - 1] / (ratio or 1.0)
            dividend[t] = prev_close * (1.0 - 1.0 / rest)
    return Events(split, dividend)


def events_frame(dates: pl.Series, events: Events) -> pl.DataFrame:
    """Only the bars with an event, as a frame: ``date, split_ratio, dividend``."""
    mask = (events.split_ratio != 1.0) | (events.dividend != 0.0)
    return pl.DataFrame(
        {
            "date": dates.filter(pl.Series(mask)),
            "split_ratio": events.split_ratio[mask],
            "dividend": events.dividend[mask],
        }
    )
