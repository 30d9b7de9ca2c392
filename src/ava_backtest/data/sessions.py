"""The exchange's session clock for intraday bars: which session a bar belongs to, how far it is
from the open and the close, and the grid of bar starts a session holds.

Bars count from the session's open (09:30 New York, 09:15 Mumbai), early closes included, from the
market's exchange calendar (``markets.schedule``); a 24/7 market's sessions are UTC days. Times are
bar *starts*, naive UTC. The validator, the panel loader, the intraday requirements
(``data.intraday``) and the Indian square-off all use this one clock.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ava_backtest.domain.errors import ConfigError
from ava_backtest.markets.registry import get_market
from ava_backtest.markets.schedule import session_schedule

MINUTE = np.timedelta64(1, "m")


def _session_bounds(market: str, first: np.datetime64, last: np.datetime64):
    mk = get_market(market)
    if mk.calendar == "24/7":
        days = np.arange(
            np.datetime64(first, "D"), np.datetime64(last, "D") + np.timedelta64(1, "D")
        )
        opens = days.astype("datetime64[ns]")
        return days, opens, opens + np.timedelta64(1, "D").astype("timedelta64[ns]")
    sched = session_schedule(mk.calendar, np.datetime64(first, "D"), np.datetime64(last, "D"))
    return sched.sessions, sched.opens, sched.closes


def session_grid(market: str, start: dt.date, end: dt.date, minutes: int) -> np.ndarray:
    """Bar starts (naive UTC, datetime64[ns]) of ``minutes``-minute bars on every session of
    ``market`` from ``start`` to ``end`` (dates of the sessions, inclusive)."""
    if minutes < 1:
        raise ConfigError("bar length must be at least one minute", field="timeframe")
    days, opens, closes = _session_bounds(market, np.datetime64(start), np.datetime64(end))
    keep = (days >= np.datetime64(start, "D")) & (days <= np.datetime64(end, "D"))
    opens, closes = opens[keep], closes[keep]
    step = np.timedelta64(minutes, "m").astype("timedelta64[ns]")
    counts = -(-(closes - opens) // step)
    counts = counts.astype(np.int64)
    first = np.repeat(opens, counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return first + offset * step


def session_clock(dates: np.ndarray, market: str) -> dict[str, np.ndarray]:
    """``session``, ``session_minute`` and ``minutes_to_close`` of each bar start (see the module
    docstring); NaN for a time outside every session. Each value depends on its own bar's time and
    the calendar only."""
    stamps = np.asarray(dates, dtype="datetime64[ns]")
    out = {
        k: np.full(len(stamps), np.nan) for k in ("session", "session_minute", "minutes_to_close")
    }
    if len(stamps) == 0:
        return out
    days, opens, closes = _session_bounds(
        market, stamps.min() - np.timedelta64(1, "D"), stamps.max() + np.timedelta64(1, "D")
    )
    k = np.searchsorted(opens, stamps, side="right") - 1
    ok = k >= 0
    kk = np.maximum(k, 0)
    ok &= stamps < closes[kk]
    out["session"][ok] = days[kk][ok].astype("datetime64[D]").astype(np.int64)
    out["session_minute"][ok] = ((stamps - opens[kk]) / MINUTE)[ok]
    out["minutes_to_close"][ok] = ((closes[kk] - stamps) / MINUTE)[ok]
    return out


def bar_minutes(dates: np.ndarray) -> int | None:
    """The bar length in minutes of an intraday grid (the most common step between bars of one
    day), or None for daily bars (every time at midnight)."""
    stamps = np.asarray(dates, dtype="datetime64[ns]")
    if len(stamps) == 0 or (stamps == stamps.astype("datetime64[D]")).all():
        return None
    steps = np.diff(stamps) / MINUTE
    same_day = stamps[1:].astype("datetime64[D]") == stamps[:-1].astype("datetime64[D]")
    steps = steps[same_day & (steps > 0)]
    if len(steps) == 0:
        return None
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])
