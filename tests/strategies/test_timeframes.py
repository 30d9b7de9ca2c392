"""Higher-timeframe resampling: hand aggregation, what is visible when, and prefix invariance."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ava_backtest.data.panel import load_panel
from ava_backtest.domain.bars import Bars
from ava_backtest.domain.errors import ConfigError, DataError
from ava_backtest.indicators import sma
from ava_backtest.markets.registry import get_market
from ava_backtest.strategies.timeframes import HigherBars, align, resample


@pytest.fixture(scope="module")
def daily() -> Bars:
    return load_panel("US", ["AAPL"], "2010-01-01", "2010-12-31").bars


@pytest.fixture(scope="module")
def intraday() -> Bars:
    return load_panel("24x7", ["BTCUSD"], "2021-10-01", "2021-10-10").bars


def _days(bars: Bars) -> list[dt.date]:
    return [d.item() for d in bars.dates.astype("datetime64[D]")]


def _week(d: dt.date) -> tuple[int, int]:
    iso = d.isocalendar()
    return iso[0], iso[1]


def _hand_weeks(bars: Bars) -> dict[tuple[int, int], dict[str, float]]:
    """Weekly OHLCV of column 0, written out row by row from the daily bars."""
    out: dict[tuple[int, int], dict[str, float]] = {}
    for i, d in enumerate(_days(bars)):
        o, h, lo, c, v = (
            float(getattr(bars, f)[i, 0]) for f in ("open", "high", "low", "close", "volume")
        )
        w = out.get(_week(d))
        if w is None:
            out[_week(d)] = {"open": o, "high": h, "low": lo, "close": c, "volume": v, "last": d}
        else:
            w["high"] = max(w["high"], h)
            w["low"] = min(w["low"], lo)
            w["close"] = c
            w["volume"] += v
            w["last"] = d
    return out


# --------------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("market", [None, "US"])
def test_weekly_bars_match_hand_aggregation(daily: Bars, market: str | None) -> None:
    hb = resample(daily, "W", market)
    hand = _hand_weeks(daily)
    assert hb.n_bars == len(hand) == 52
    starts = [d.item() for d in hb.start.astype("datetime64[D]")]
    assert all(s.weekday() == 0 for s in starts)
    for k, s in enumerate(starts):
        w = hand[_week(s)]
        assert hb.open[k, 0] == w["open"]
        assert hb.high[k, 0] == w["high"]
        assert hb.low[k, 0] == w["low"]
        assert hb.close[k, 0] == w["close"]
        assert hb.volume[k, 0] == pytest.approx(w["volume"], rel=1e-12)
    # A few weeks spelled out: MLK (Mon 2010-01-18) and Good Friday (2010-04-02) short weeks.
    days = _days(daily)
    for monday, first, last in [
        (dt.date(2010, 1, 4), dt.date(2010, 1, 4), dt.date(2010, 1, 8)),
        (dt.date(2010, 1, 18), dt.date(2010, 1, 19), dt.date(2010, 1, 22)),
        (dt.date(2010, 3, 29), dt.date(2010, 3, 29), dt.date(2010, 4, 1)),
    ]:
        k = starts.index(monday)
        i0, i1 = days.index(first), days.index(last)
        assert hb.first_row[k] == i0 and hb.last_row[k] == i1
        assert hb.open[k, 0] == daily.open[i0, 0]
        assert hb.close[k, 0] == daily.close[i1, 0]
        assert hb.high[k, 0] == daily.high[i0 : i1 + 1, 0].max()
        assert hb.low[k, 0] == daily.low[i0 : i1 + 1, 0].min()
        assert hb.volume[k, 0] == pytest.approx(daily.volume[i0 : i1 + 1, 0].sum(), rel=1e-12)


def test_monthly_and_quarterly_bars(daily: Bars) -> None:
    days = _days(daily)
    for rule, n, key in [("M", 12, lambda d: d.month), ("Q", 4, lambda d: (d.month - 1) // 3)]:
        hb = resample(daily, rule, "US")
        assert hb.n_bars == n
        for k in range(n):
            rows = [i for i, d in enumerate(days) if key(d) == key(days[hb.first_row[k]])]
            assert hb.close[k, 0] == daily.close[rows[-1], 0]
            assert hb.open[k, 0] == daily.open[rows[0], 0]
            assert hb.high[k, 0] == daily.high[rows, 0].max()
        # With the calendar, each period is visible from its last session's close.
        assert [d.item() for d in hb.visible_at.astype("datetime64[D]")] == [
            days[hb.last_row[k]] for k in range(n)
        ]
        assert hb.complete.all()


def test_nans_are_skipped_and_empty_periods_are_nan() -> None:
    dates = np.array(
        ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09"],
        dtype="datetime64[ns]",
    )
    nan = np.nan
    close = np.array([[1.0, nan], [2.0, 10.0], [nan, 11.0], [4.0, nan], [5.0, nan], [6.0, nan]])
    bars = Bars(dates, ("A", "B"), close + 0.5, close + 1.0, close - 1.0, close, close * 100)
    hb = resample(bars, "W", "US")
    np.testing.assert_array_equal(hb.open, [[1.5, 10.5], [5.5, nan]])
    np.testing.assert_array_equal(hb.high, [[5.0, 12.0], [7.0, nan]])
    np.testing.assert_array_equal(hb.low, [[0.0, 9.0], [4.0, nan]])
    np.testing.assert_array_equal(hb.close, [[4.0, 11.0], [6.0, nan]])
    np.testing.assert_array_equal(hb.volume, [[700.0, 2100.0], [1100.0, nan]])
    # The first week completes on Friday 2024-01-05 for both columns; the second is unfinished.
    np.testing.assert_array_equal(hb.last_complete, [-1, -1, -1, 0, 0, 0])
    np.testing.assert_array_equal(hb.complete, [True, False])


# --------------------------------------------------------------------------------------------------
# What is visible when
# --------------------------------------------------------------------------------------------------


def _reference_weekly_close(bars: Bars, market: str | None) -> np.ndarray:
    """At each day, the close of the last complete week, with loops and the full session list:
    with a calendar a week completes on its last session; without one, at the next week's first
    bar."""
    days = _days(bars)
    sessions = get_market("US").sessions("2009-12-01", "2011-01-31").astype("datetime64[D]")
    last_session: dict[tuple[int, int], dt.date] = {}
    for s in sessions:
        last_session[_week(s.item())] = s.item()  # ascending: the last one wins
    hand = _hand_weeks(bars)
    out = np.full(len(days), np.nan)
    for t, d in enumerate(days):
        best = None
        for key in hand:
            done = key < _week(d) if market is None else last_session[key] <= d
            if done and (best is None or key > best):
                best = key
        if best is not None:
            out[t] = hand[best]["close"]
    return out


@pytest.mark.parametrize("market", [None, "US"])
def test_aligned_value_is_last_complete_weeks_close(daily: Bars, market: str | None) -> None:
    hb = resample(daily, "W", market)
    seen = align(hb.close, hb)
    assert seen.shape == daily.close.shape
    np.testing.assert_array_equal(seen[:, 0], _reference_weekly_close(daily, market))


@pytest.mark.parametrize("market", [None, "US"])
def test_wednesday_does_not_see_its_own_week(daily: Bars, market: str | None) -> None:
    days = _days(daily)
    seen = align(resample(daily, "W", market).close, resample(daily, "W", market))[:, 0]
    wednesdays = [i for i, d in enumerate(days) if d.weekday() == 2]
    assert len(wednesdays) > 40
    for i in wednesdays:
        wk = _week(days[i])
        this_week = [j for j, d in enumerate(days) if _week(d) == wk]
        previous = [j for j, d in enumerate(days) if _week(d) < wk]
        if not previous:
            assert np.isnan(seen[i])
            continue
        assert seen[i] == daily.close[previous[-1], 0]
        assert seen[i] != daily.close[this_week[-1], 0]


def test_calendar_reveals_on_last_session_conservative_one_bar_later(daily: Bars) -> None:
    days = _days(daily)
    cal, cons = resample(daily, "W", "US"), resample(daily, "W")
    assert cal.mode == "calendar" and cons.mode == "conservative"
    # Good Friday 2010-04-02: the week's last session is Thursday 2010-04-01.
    thu, mon = days.index(dt.date(2010, 4, 1)), days.index(dt.date(2010, 4, 5))
    k = int(np.flatnonzero(cal.start == np.datetime64("2010-03-29"))[0])
    assert cal.visible_from[k] == thu and cons.visible_from[k] == mon == thu + 1
    assert cal.last_complete[thu] == k and cons.last_complete[thu] == k - 1
    assert cons.last_complete[mon] == k
    # Every week: the calendar shows it exactly one bar before the conservative rule does.
    np.testing.assert_array_equal(cons.visible_from[:-1], cal.visible_from[:-1] + 1)
    assert cons.visible_from[-1] == len(days)  # the last week has no next bar yet
    assert cal.visible_from[-1] == len(days) - 1  # ... but the calendar knows Dec 31 ends it


def test_weekly_sma_on_daily_bars(daily: Bars) -> None:
    hb = resample(daily, "W", "US")
    weekly = align(sma(hb.close, 10), hb)
    first = int(hb.visible_from[9])
    assert np.isnan(weekly[:first]).all()
    t = len(daily.dates) - 1
    k = hb.last_complete[t]
    assert weekly[t, 0] == pytest.approx(hb.close[k - 9 : k + 1, 0].mean(), rel=1e-12)
    assert hb.align(hb.close).shape == (len(daily.dates), 1)


# --------------------------------------------------------------------------------------------------
# No look-ahead: prefix invariance
# --------------------------------------------------------------------------------------------------


def _check_prefixes(bars: Bars, rule: str, market: str | None, ks, **kw) -> None:
    full = resample(bars, rule, market, **kw)
    seen_close = align(full.close, full)
    seen_high = align(full.high, full)
    seen_sma = align(sma(full.close, 3), full)
    for k in ks:
        part = resample(bars.prefix(k), rule, market, **kw)
        np.testing.assert_array_equal(part.last_complete, full.last_complete[:k], err_msg=f"k={k}")
        np.testing.assert_array_equal(align(part.close, part), seen_close[:k], err_msg=f"k={k}")
        np.testing.assert_array_equal(align(part.high, part), seen_high[:k], err_msg=f"k={k}")
        np.testing.assert_array_equal(align(sma(part.close, 3), part), seen_sma[:k])


@pytest.mark.parametrize("rule", ["W", "M", "Q"])
@pytest.mark.parametrize("market", [None, "US"])
def test_prefix_invariance_daily(daily: Bars, rule: str, market: str | None) -> None:
    _check_prefixes(daily, rule, market, range(1, daily.n_bars + 1))


@pytest.mark.parametrize("rule", ["1h", "4h", "1d", "W"])
@pytest.mark.parametrize("market", [None, "24x7"])
def test_prefix_invariance_intraday(intraday: Bars, rule: str, market: str | None) -> None:
    ks = [*range(1, 40), *range(40, intraday.n_bars + 1, 7), intraday.n_bars]
    _check_prefixes(intraday, rule, market, ks, interval="15m")
    # Inferring the bar length needs two bars; from there on the result is the same.
    _check_prefixes(intraday, rule, market, [k for k in ks if k >= 2])


# --------------------------------------------------------------------------------------------------
# Intraday: 15m -> 1h
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("market", [None, "24x7"])
def test_15m_to_1h(intraday: Bars, market: str | None) -> None:
    hb = resample(intraday, "1h", market)
    assert hb.n_bars == intraday.n_bars // 4 == 240
    o, h, lo, c, v = (
        getattr(intraday, f)[:, 0] for f in ("open", "high", "low", "close", "volume")
    )
    for k in (0, 1, 17, 100, 239):
        rows = slice(4 * k, 4 * k + 4)
        assert hb.start[k] == intraday.dates[4 * k]
        assert hb.open[k, 0] == o[rows][0]
        assert hb.high[k, 0] == h[rows].max()
        assert hb.low[k, 0] == lo[rows].min()
        assert hb.close[k, 0] == c[rows][-1]
        assert hb.volume[k, 0] == pytest.approx(v[rows].sum(), rel=1e-12)
    seen = align(hb.close, hb)[:, 0]
    lag = 0 if market else 1  # calendar: from the :45 bar's close; conservative: the next :00 bar
    for k in (0, 5, 200):
        last = 4 * k + 3
        assert np.datetime64(intraday.dates[last], "m").item().minute == 45
        assert seen[last + lag] == c[last]
        assert seen[last + lag - 1] != c[last]
    assert np.isnan(seen[: 3 + lag]).all()


def test_intraday_day_and_week_with_calendar(intraday: Bars) -> None:
    day = resample(intraday, "1d", "24x7")
    assert day.n_bars == 10
    assert (day.visible_at - day.start == np.timedelta64(23 * 60 + 45, "m")).all()
    week = resample(intraday, "W", "24x7")
    # Fri 2021-10-01 .. Sun 10-03, then Mon 10-04 .. Sun 10-10: both end on Sunday's 23:45 bar.
    assert list(week.visible_at) == [
        np.datetime64("2021-10-03T23:45", "ns"),
        np.datetime64("2021-10-10T23:45", "ns"),
    ]
    assert week.complete.all()


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def test_errors(daily: Bars, intraday: Bars) -> None:
    with pytest.raises(ConfigError, match="unknown rule"):
        resample(daily, "2W")
    with pytest.raises(ConfigError, match="multiple of the bar length"):
        resample(daily, "1h")
    with pytest.raises(ConfigError, match="unknown interval"):
        resample(intraday, "1h", interval="7m")
    hb = resample(daily, "W")
    with pytest.raises(ValueError, match="one row per higher bar"):
        align(hb.close[:-1], hb)
    # A bar on a Saturday, after the week's last scheduled session, would leak with the calendar.
    dates = np.array(["2024-01-05", "2024-01-06"], dtype="datetime64[ns]")
    one = np.ones((2, 1))
    odd = Bars(dates, ("X",), one, one, one, one, one)
    with pytest.raises(DataError, match="after its W period's last scheduled bar"):
        resample(odd, "W", "US")
    assert resample(odd, "W").last_complete.tolist() == [-1, -1]


def test_empty_bars() -> None:
    e = np.zeros((0, 1))
    hb = resample(Bars(np.zeros(0, "datetime64[ns]"), ("X",), e, e, e, e, e), "W", "US")
    assert isinstance(hb, HigherBars) and hb.n_bars == 0
    assert align(hb.close, hb).shape == (0, 1)
