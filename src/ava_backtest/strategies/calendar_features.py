"""Calendar features from the market's exchange calendar, never from the data's future bars.

A calendar strategy ("buy the last 3 sessions of the month", "flat before a long weekend") needs to
know things about *tomorrow* today: is this the last session of the month, is the next weekday a
holiday. Reading that off the data (is bar t+1 in another month?) is look-ahead; the exchange
publishes its schedule in advance, so the features here come from exchange_calendars via the market
registry. Every feature of a date depends only on that date and the calendar, so features computed
on ``dates[:k]`` equal those computed on all of ``dates`` at indices < k.

Intraday timestamps are taken at their (naive UTC) date. Caveat: exchange_calendars also lists
unscheduled closures (9/11 2001, Hurricane Sandy 2012-10-29/30, national days of mourning) as
holidays; those were announced only days (Sandy: hours) ahead, so the features of the sessions just
before them know slightly more than a trader did at the time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ava_backtest.domain.errors import DataError
from ava_backtest.markets.registry import get_market
from ava_backtest.markets.schedule import session_schedule

_DAY = np.timedelta64(1, "D")
_OPTIONS_EXPIRY_MARKETS = ("US",)


# --------------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarFeatures:
    """Per-date calendar features, each an array of shape (T,) aligned with ``dates``.

    Session counts are over the exchange's sessions in the date's month (quarter). A date that is
    not a session (a bar on a day the calendar has closed) counts the sessions before/after it.
    """

    dates: np.ndarray  # datetime64[ns], as given
    market: str
    day_of_week: np.ndarray  # 0 = Monday .. 6 = Sunday
    day_of_month: np.ndarray  # 1..31
    month: np.ndarray  # 1..12
    is_session: np.ndarray  # the date is a session of the calendar
    session_of_month: np.ndarray  # 1 on the month's first session
    sessions_to_month_end: np.ndarray  # 0 on the month's last session
    is_month_start: np.ndarray
    is_month_end: np.ndarray
    sessions_to_quarter_end: np.ndarray  # 0 on the quarter's last session
    next_session: np.ndarray  # datetime64[ns], the first session after the date
    days_to_next_session: np.ndarray  # calendar days: 1 mid-week, 3 over a weekend
    next_session_is_holiday: np.ndarray  # the next weekday is not a session
    options_expiry: np.ndarray | None
    """Monthly equity-options expiry session (third Friday, or the session before it when that
    Friday is a holiday); only for markets with that rule (US), else None."""

    @property
    def is_options_expiry(self) -> np.ndarray:
        if self.options_expiry is None:
            raise DataError(
                f"options expiry dates are defined for {', '.join(_OPTIONS_EXPIRY_MARKETS)} only, "
                f"not {self.market}",
                field="is_options_expiry",
            )
        return self.options_expiry

    def __len__(self) -> int:
        return len(self.dates)


def _month_start(d: np.ndarray) -> np.ndarray:
    return d.astype("datetime64[M]").astype("datetime64[D]")


def _third_fridays(months: np.ndarray) -> np.ndarray:
    """Third Friday of each month (datetime64[M] in, datetime64[D] out)."""
    first = months.astype("datetime64[D]")
    dow = (first.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    return first + ((4 - dow) % 7 + 14).astype("timedelta64[D]")


def calendar_features(dates: np.ndarray, market: str) -> CalendarFeatures:
    """Calendar features of ``dates`` (shape (T,), datetime64, ascending or not) on ``market``'s
    exchange calendar (``get_market(market).calendar``).

    Only the calendar's schedule is used, never other dates in ``dates``: the result at each index
    depends on that date alone. Raises ``DataError`` when the calendar is not known far enough
    around the dates (from the first date's month start to the last date's quarter end and its
    next session).
    """
    mk = get_market(market)
    stamps = np.asarray(dates, dtype="datetime64[ns]")
    if stamps.ndim != 1:
        raise ValueError(f"dates must be 1-D, got shape {stamps.shape}")
    d = stamps.astype("datetime64[D]")
    t = len(d)
    if t == 0:
        empty = {
            f: np.zeros(0, bool if f.startswith("is_") or f.endswith("_holiday") else np.int64)
            for f in CalendarFeatures.__dataclass_fields__
            if f not in ("dates", "market", "next_session", "options_expiry")
        }
        return CalendarFeatures(
            dates=stamps,
            market=market,
            next_session=np.zeros(0, "datetime64[ns]"),
            options_expiry=np.zeros(0, bool) if market in _OPTIONS_EXPIRY_MARKETS else None,
            **empty,
        )

    lo_d, hi_d = d.min(), d.max()
    sched = session_schedule(mk.calendar, lo_d, hi_d)
    s = sched.sessions

    month = d.astype("datetime64[M]")
    m_int = month.astype(np.int64)
    q_start = (m_int - m_int % 3).astype("datetime64[M]")
    q_end_next = (q_start + 3).astype("datetime64[D]")  # first day after the quarter
    m_start = month.astype("datetime64[D]")
    m_end_next = (month + 1).astype("datetime64[D]")

    first_needed = m_start.min()
    last_needed = q_end_next.max() - _DAY
    il = np.searchsorted(s, d, side="left")
    ir = np.searchsorted(s, d, side="right")
    if first_needed < sched.first_day or last_needed > sched.last_day or ir.max() >= len(s):
        raise DataError(
            f"calendar {mk.calendar} is known from {sched.first_day} to {sched.last_day}; features "
            f"of {lo_d} .. {hi_d} need it from {first_needed} to past {max(last_needed, hi_d)}",
            field="dates",
        )

    dow = (d.astype(np.int64) + 3) % 7
    a = np.searchsorted(s, m_start, side="left")
    b = np.searchsorted(s, m_end_next, side="left")
    qb = np.searchsorted(s, q_end_next, side="left")
    session_of_month = il - a + 1
    to_month_end = b - ir
    nxt = s[ir]
    # The next weekday: Friday -> Monday (+3), Saturday -> Monday (+2), otherwise the next day.
    next_weekday = d + np.where(dow == 4, 3, np.where(dow == 5, 2, 1)).astype("timedelta64[D]")
    nw = np.searchsorted(s, next_weekday, side="left")
    next_weekday_is_session = (nw < len(s)) & (s[np.minimum(nw, len(s) - 1)] == next_weekday)

    expiry = None
    if market in _OPTIONS_EXPIRY_MARKETS:
        months = np.arange(month.min(), month.max() + 1)
        fridays = _third_fridays(months)
        sessions = s[np.searchsorted(s, fridays, side="right") - 1]  # on or before the Friday
        expiry = np.isin(d, sessions)

    return CalendarFeatures(
        dates=stamps,
        market=market,
        day_of_week=dow,
        day_of_month=(d - m_start).astype(np.int64) + 1,
        month=m_int % 12 + 1,
        is_session=ir > il,
        session_of_month=session_of_month,
        sessions_to_month_end=to_month_end,
        is_month_start=session_of_month == 1,
        is_month_end=to_month_end == 0,
        sessions_to_quarter_end=qb - ir,
        next_session=nxt.astype("datetime64[ns]"),
        days_to_next_session=(nxt - d).astype(np.int64),
        next_session_is_holiday=~next_weekday_is_session,
        options_expiry=expiry,
    )


def sessions_to_holiday(dates: np.ndarray, market: str) -> np.ndarray:
    """Per date, how many sessions from its session to the last session before the next market
    holiday (a weekday the exchange is closed): 0 on that last session, 1 on the one before...
    A date that is not a session counts from the next session. Shape (T,), float (NaN where the
    calendar does not reach the next holiday).

    Exchanges publish their holiday schedule a year or more ahead, so knowing today that a holiday
    follows in k sessions is not look-ahead (the module docstring's caveat about unscheduled
    closures applies).
    """
    stamps = np.asarray(dates, dtype="datetime64[ns]")
    out = np.full(len(stamps), np.nan)
    if len(stamps) == 0:
        return out
    d = stamps.astype("datetime64[D]")
    sched = session_schedule(get_market(market).calendar, d.min(), d.max())
    s = sched.sessions
    dow = (s.astype(np.int64) + 3) % 7
    next_weekday = s + np.where(dow == 4, 3, np.where(dow == 5, 2, 1)).astype("timedelta64[D]")
    pre_holiday = ~np.isin(next_weekday, s)
    pre_holiday[-1] = False  # the calendar ends: what follows is unknown, not a holiday
    idx = np.where(pre_holiday, np.arange(len(s)), len(s))
    nxt = np.minimum.accumulate(idx[::-1])[::-1]  # first pre-holiday session at or after k
    i = np.searchsorted(s, d, side="left")
    ok = i < len(s)
    k = np.minimum(i, len(s) - 1)
    found = ok & (nxt[k] < len(s))
    out[found] = (nxt[k] - k)[found]
    return out
