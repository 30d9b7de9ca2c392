"""The exchange's published schedule (sessions, opens, closes) from exchange_calendars, built per
calendar for whole years and cached, so runs on nested date ranges share one build. Calendar
features, higher timeframes and intraday session grids all read it from here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from ava_backtest.domain.errors import DataError


@dataclass(frozen=True, slots=True)
class Schedule:
    """Sessions (datetime64[D]) and their opens/closes (naive UTC, datetime64[ns]) of one calendar,
    known for the days ``first_day`` .. ``last_day`` inclusive."""

    calendar: str
    sessions: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    first_day: np.datetime64
    last_day: np.datetime64


@lru_cache(maxsize=16)
def _bounds(calendar: str) -> tuple[np.datetime64 | None, np.datetime64 | None]:
    cls = type(xcals.get_calendar(calendar))

    def as_day(t: pd.Timestamp | None) -> np.datetime64 | None:
        return None if t is None else np.datetime64(pd.Timestamp(t).date(), "D")

    return as_day(cls.bound_min()), as_day(cls.bound_max())


@lru_cache(maxsize=32)
def _build(calendar: str, start: str, end: str) -> Schedule:
    cal = xcals.get_calendar(calendar, start=start, end=end)

    def naive(x: pd.DatetimeIndex | pd.Series) -> np.ndarray:
        idx = pd.DatetimeIndex(x)
        idx = idx.tz_convert("UTC").tz_localize(None) if idx.tz is not None else idx
        out = idx.to_numpy().astype("datetime64[ns]")
        out.setflags(write=False)
        return out

    sessions = naive(cal.sessions).astype("datetime64[D]")
    sessions.setflags(write=False)
    return Schedule(
        calendar=calendar,
        sessions=sessions,
        opens=naive(cal.opens),
        closes=naive(cal.closes),
        first_day=np.datetime64(start, "D"),
        last_day=np.datetime64(end, "D"),
    )


def session_schedule(calendar: str, first: np.datetime64, last: np.datetime64) -> Schedule:
    """The calendar from January 1 of ``first``'s year to December 31 of the year after ``last``'s,
    clipped to the range exchange_calendars can build. Year-aligned so that runs on nested date
    ranges (prefixes) share one cached build and see the same schedule."""
    y0 = int(np.datetime64(first, "Y").astype(np.int64)) + 1970
    y1 = int(np.datetime64(last, "Y").astype(np.int64)) + 1970 + 1
    start, end = np.datetime64(f"{y0:04d}-01-01", "D"), np.datetime64(f"{y1:04d}-12-31", "D")
    lo, hi = _bounds(calendar)
    if lo is not None and start < lo:
        start = lo
    if hi is not None and end > hi:
        end = hi
    if end < start:
        raise DataError(
            f"calendar {calendar} is known only from {lo} to {hi}; dates run from "
            f"{np.datetime64(first, 'D')} to {np.datetime64(last, 'D')}",
            field="dates",
        )
    return _build(calendar, str(start), str(end))
