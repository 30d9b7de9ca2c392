"""Hand-made intraday bars on real US session times, with the session clock the data layer adds
for strategies that declare ``intraday:...``."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ava_backtest.data.intraday import intraday_extras, session_grid
from ava_backtest.domain.bars import Bars


def intraday_bars(
    minutes: int,
    close: np.ndarray,
    *,
    open: np.ndarray | None = None,
    high: np.ndarray | None = None,
    low: np.ndarray | None = None,
    volume: np.ndarray | None = None,
    start: dt.date = dt.date(2024, 3, 4),
) -> Bars:
    """``minutes``-minute bars from ``start``'s 09:30 New York on, one per entry of ``close``."""
    grid = session_grid("US", start, start + dt.timedelta(days=30), minutes)[: len(close)]
    c = np.asarray(close, dtype=np.float64)[:, None]
    o = c.copy() if open is None else np.asarray(open, dtype=np.float64)[:, None]
    h = np.maximum(o, c) if high is None else np.asarray(high, dtype=np.float64)[:, None]
    lo = np.minimum(o, c) if low is None else np.asarray(low, dtype=np.float64)[:, None]
    v = np.full_like(c, 1000.0) if volume is None else np.asarray(volume, float)[:, None]
    extra = intraday_extras(f"intraday:{minutes}m", grid, "US", "test")
    return Bars(grid, ("S0",), o, h, lo, c, v, extra)
