"""The market registry: one immutable ``Market`` per code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from ava_backtest.domain.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class Market:
    code: str
    name: str
    exchanges: tuple[str, ...]
    calendar: str  # exchange_calendars name
    timezone: str
    session_open: dt.time
    session_close: dt.time
    currency: str
    trading_days_per_year: int
    lot_size: float
    tick_size: float
    settlement: str
    default_benchmark: str
    overnight_short_allowed: bool
    """Indian cash-equity delivery forbids carrying a short overnight."""
    default_capital: float
    """A run's initial capital when it names none, in the market's currency: enough that the
    default slots buy round lots whose fees stay small (issue 15: ₹1,00,000 over 50 slots bought
    1-7 shares a trade, fees ~0.9%)."""

    def sessions(self, start: dt.date | str, end: dt.date | str) -> np.ndarray:
        """Trading sessions in [start, end] as datetime64[ns] (midnight, naive)."""
        return _sessions(
            self.calendar, str(pd.Timestamp(start).date()), str(pd.Timestamp(end).date())
        )


@lru_cache(maxsize=64)
def _sessions(calendar: str, start: str, end: str) -> np.ndarray:
    # A slice of the calendar built over whole years around every span asked so far: building
    # one takes about a second, and walk-forward windows and studies ask many nearby spans.
    days = _year_span(calendar, start[:4], end[:4])
    lo, hi = np.searchsorted(days, [np.datetime64(start), np.datetime64(end)], side="left")
    if hi < len(days) and days[hi] == np.datetime64(end):
        hi += 1
    out = days[lo:hi]
    out.setflags(write=False)
    return out


_spans: dict[str, tuple[str, str, np.ndarray]] = {}


def _year_span(calendar: str, first: str, last: str) -> np.ndarray:
    have = _spans.get(calendar)
    if have is not None and have[0] <= first and last <= have[1]:
        return have[2]
    if have is not None:
        first, last = min(first, have[0]), max(last, have[1])
    # Built from the requested start: exchange_calendars otherwise defaults to a recent window.
    cal = xcals.get_calendar(calendar, start=f"{first}-01-01", end=f"{last}-12-31")
    s = cal.sessions
    days = (s.tz_localize(None) if s.tz else s).to_numpy().astype("datetime64[ns]")
    days.setflags(write=False)
    _spans[calendar] = (first, last, days)
    return days


MARKETS: dict[str, Market] = {
    "US": Market(
        code="US",
        name="United States equities",
        exchanges=("NYSE", "NASDAQ"),
        calendar="XNYS",
        timezone="America/New_York",
        session_open=dt.time(9, 30),
        session_close=dt.time(16, 0),
        currency="USD",
        trading_days_per_year=252,
        lot_size=1.0,
        tick_size=0.01,
        settlement="T+1",
        default_benchmark="GSPC",
        overnight_short_allowed=True,
        default_capital=100_000.0,
    ),
    "IN": Market(
        code="IN",
        name="India equities",
        exchanges=("NSE", "BSE"),
        calendar="XBOM",
        timezone="Asia/Kolkata",
        session_open=dt.time(9, 15),
        session_close=dt.time(15, 30),
        currency="INR",
        trading_days_per_year=247,
        lot_size=1.0,
        tick_size=0.05,
        settlement="T+1",
        default_benchmark="NIFTY50",
        overnight_short_allowed=False,
        default_capital=1_000_000.0,
    ),
    "24x7": Market(
        code="24x7",
        name="Around-the-clock markets (FX, crypto)",
        exchanges=("OTC",),
        calendar="24/7",
        timezone="UTC",
        session_open=dt.time(0, 0),
        session_close=dt.time(23, 59, 59),
        currency="USD",
        trading_days_per_year=365,
        lot_size=1.0,
        tick_size=0.0,
        settlement="T+0",
        default_benchmark="",
        overnight_short_allowed=True,
        default_capital=100_000.0,
    ),
}


MANY_SYMBOLS = 10
"""A universe of more than this many symbols gets :data:`DEFAULT_MAX_POSITIONS` positions when a
run names no ``max_positions`` (instead of one equal slot per symbol)."""
DEFAULT_MAX_POSITIONS = 10


def default_max_positions(n_symbols: int) -> int | None:
    """The positions a run over a universe of ``n_symbols`` holds by default (None: one slot per
    symbol)."""
    return DEFAULT_MAX_POSITIONS if n_symbols > MANY_SYMBOLS else None


def get_market(code: str) -> Market:
    try:
        return MARKETS[code]
    except KeyError:
        raise NotFoundError("market", code, MARKETS) from None
