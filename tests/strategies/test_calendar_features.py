"""Calendar features: hand-checked dates, a loop oracle over the sessions, prefix invariance."""

from __future__ import annotations

import datetime as dt

import exchange_calendars as xcals
import numpy as np
import pytest

from ava_backtest.domain.errors import DataError
from ava_backtest.markets.registry import get_market
from ava_backtest.strategies.calendar_features import CalendarFeatures, calendar_features

FIELDS = [f for f in CalendarFeatures.__dataclass_fields__ if f not in ("market",)]


def _at(f: CalendarFeatures, day: str) -> dict[str, object]:
    i = int(np.flatnonzero(f.dates == np.datetime64(day, "ns"))[0])
    return {name: getattr(f, name)[i] for name in FIELDS if getattr(f, name) is not None}


@pytest.fixture(scope="module")
def us_sessions() -> np.ndarray:
    return get_market("US").sessions("2010-01-01", "2015-12-31")


@pytest.fixture(scope="module")
def us(us_sessions: np.ndarray) -> CalendarFeatures:
    return calendar_features(us_sessions, "US")


# --------------------------------------------------------------------------------------------------
# Hand-checked dates
# --------------------------------------------------------------------------------------------------


def test_us_days_before_holidays(us: CalendarFeatures) -> None:
    # Thanksgiving Thursday 2012-11-22: Wednesday's next weekday is closed; the next session is
    # Friday, two calendar days later.
    wed = _at(us, "2012-11-21")
    assert wed["next_session_is_holiday"] and wed["days_to_next_session"] == 2
    assert wed["next_session"] == np.datetime64("2012-11-23", "ns")
    assert not _at(us, "2012-11-20")["next_session_is_holiday"]
    fri = _at(us, "2012-11-23")
    assert not fri["next_session_is_holiday"] and fri["days_to_next_session"] == 3
    # Good Friday 2013-03-29: Thursday 03-28 is before a 4-day weekend and ends March and Q1.
    thu = _at(us, "2013-03-28")
    assert thu["next_session_is_holiday"] and thu["days_to_next_session"] == 4
    assert thu["sessions_to_month_end"] == 0 and thu["is_month_end"]
    assert thu["sessions_to_quarter_end"] == 0
    assert _at(us, "2013-03-27")["sessions_to_quarter_end"] == 1
    # Friday before Martin Luther King day (Monday 2013-01-21).
    mlk = _at(us, "2013-01-18")
    assert mlk["next_session_is_holiday"] and mlk["days_to_next_session"] == 4
    # An ordinary Friday: a weekend is not a holiday.
    plain = _at(us, "2013-02-08")
    assert not plain["next_session_is_holiday"] and plain["days_to_next_session"] == 3


def test_us_month_position(us: CalendarFeatures) -> None:
    last_feb = _at(us, "2013-02-28")  # Thursday, the last session of February 2013
    assert last_feb["sessions_to_month_end"] == 0 and last_feb["is_month_end"]
    assert _at(us, "2013-02-27")["sessions_to_month_end"] == 1
    assert not _at(us, "2013-02-27")["is_month_end"]
    first_mar = _at(us, "2013-03-01")
    assert first_mar["session_of_month"] == 1 and first_mar["is_month_start"]
    assert first_mar["day_of_week"] == 4 and first_mar["day_of_month"] == 1
    assert first_mar["month"] == 3
    # 2013 opened on Wednesday 01-02 (New Year's Day closed): the first session is the 2nd.
    jan2 = _at(us, "2013-01-02")
    assert jan2["session_of_month"] == 1 and jan2["day_of_month"] == 2
    assert jan2["sessions_to_quarter_end"] == 59  # Jan 20 + Feb 19 + Mar 20 sessions - 1


def test_options_expiry_third_friday_and_holiday(us: CalendarFeatures) -> None:
    assert _at(us, "2013-03-15")["options_expiry"]  # Fridays 1, 8, 15
    assert not _at(us, "2013-03-08")["options_expiry"]
    # April 2014: the third Friday (04-18) is Good Friday, so expiry moves to Thursday 04-17.
    assert np.datetime64("2014-04-18", "ns") not in us.dates
    assert _at(us, "2014-04-17")["options_expiry"]
    months = us.dates.astype("datetime64[M]")
    exp = us.dates[us.is_options_expiry]
    assert len(exp) == len(np.unique(months)) == 72  # one per month
    days = [d.item() for d in exp.astype("datetime64[D]")]
    assert all(d.weekday() == 4 and 15 <= d.day <= 21 for d in days if d != dt.date(2014, 4, 17))


def test_india_xbom() -> None:
    dates = get_market("IN").sessions("2012-01-01", "2013-12-31")
    f = calendar_features(dates, "IN")
    # Diwali Balipratipada 2012-11-14 (a Wednesday) is an XBOM holiday.
    assert _at(f, "2012-11-13")["next_session_is_holiday"]
    assert _at(f, "2012-11-13")["days_to_next_session"] == 2
    assert not _at(f, "2012-11-12")["next_session_is_holiday"]
    # Holi 2013-03-27 (Wednesday).
    assert _at(f, "2013-03-26")["next_session_is_holiday"]
    with pytest.raises(DataError, match="options expiry"):
        _ = f.is_options_expiry


def test_24x7_every_day_is_a_session() -> None:
    dates = np.arange("2021-10-01", "2021-10-10", np.timedelta64(6, "h"), dtype="datetime64[ns]")
    f = calendar_features(dates, "24x7")
    assert not f.next_session_is_holiday.any()
    assert (f.days_to_next_session == 1).all() and f.is_session.all()
    # Intraday timestamps count at their date: four bars per day share the day's features.
    assert (f.session_of_month == np.repeat(np.arange(1, 10), 4)).all()
    assert (f.sessions_to_month_end == 31 - np.repeat(np.arange(1, 10), 4)).all()


def test_non_session_dates_count_around_them() -> None:
    f = calendar_features(np.array(["2013-03-29", "2013-03-30"], dtype="datetime64[ns]"), "US")
    assert not f.is_session.any()
    assert (f.sessions_to_month_end == 0).all()  # no March session after them
    assert (f.next_session == np.datetime64("2013-04-01", "ns")).all()


# --------------------------------------------------------------------------------------------------
# Against a loop over the session list
# --------------------------------------------------------------------------------------------------


def test_matches_loop_oracle(us: CalendarFeatures, us_sessions: np.ndarray) -> None:
    wide = get_market("US").sessions("2009-12-01", "2016-03-31").astype("datetime64[D]")
    days = [d.item() for d in wide]
    session_set = set(days)
    q = lambda d: (d.year, (d.month - 1) // 3)  # noqa: E731
    for i, d in enumerate(d.item() for d in us_sessions.astype("datetime64[D]")):
        same_month = [s for s in days if (s.year, s.month) == (d.year, d.month)]
        same_q = [s for s in days if q(s) == q(d)] if i % 25 == 0 else None
        nxt = next(s for s in days if s > d)
        weekday = d + dt.timedelta(days={4: 3, 5: 2}.get(d.weekday(), 1))
        assert us.day_of_week[i] == d.weekday()
        assert us.day_of_month[i] == d.day and us.month[i] == d.month
        assert us.session_of_month[i] == same_month.index(d) + 1
        assert us.sessions_to_month_end[i] == len(same_month) - same_month.index(d) - 1
        if same_q is not None:
            assert us.sessions_to_quarter_end[i] == len(same_q) - same_q.index(d) - 1
        assert us.days_to_next_session[i] == (nxt - d).days
        assert us.next_session_is_holiday[i] == (weekday not in session_set)


# --------------------------------------------------------------------------------------------------
# No look-ahead
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("market", ["US", "IN"])
def test_prefix_invariance(market: str) -> None:
    dates = get_market(market).sessions("2011-06-01", "2014-12-31")
    full = calendar_features(dates, market)
    for k in [1, 2, 3, 5, 20, 21, 22, 100, 150, 151, 250, 400, 513, 700, len(dates) - 1]:
        part = calendar_features(dates[:k], market)
        for name in FIELDS:
            a, b = getattr(part, name), getattr(full, name)
            if b is None:
                assert a is None
                continue
            np.testing.assert_array_equal(a, b[:k], err_msg=f"{name} k={k}")


def test_calendar_range_is_checked() -> None:
    bound = type(xcals.get_calendar("XBOM")).bound_max()
    assert bound is not None, "XBOM's holiday list ends somewhere; exchange_calendars says where"
    last = np.datetime64(bound.date(), "ns")
    with pytest.raises(DataError, match="calendar XBOM is known"):
        calendar_features(np.array([last]), "IN")


def test_empty() -> None:
    f = calendar_features(np.zeros(0, "datetime64[ns]"), "US")
    assert len(f) == 0 and f.is_options_expiry.shape == (0,)
