"""One interface for every market-data vendor.

A provider turns a :class:`BarRequest` into as-traded bars in the store's column layout, and
answers corporate actions, symbol search and (where the vendor has them) earnings dates. What it
cannot do it says with :class:`NotSupportedError`; every failure names the vendor, the symbol and
the range (:class:`ProviderError`), so a sync report can say exactly what is missing and why.

Bar frames:

- daily (``timeframe="1d"``): ``date`` (``pl.Date``, the session date), ``open``, ``high``,
  ``low``, ``close`` (``pl.Float64``, as traded: no split or dividend adjustment), ``volume``
  (``pl.Float64``, shares; null when the vendor has none);
- intraday (``1h``, ``15m``, ``5m``, ``1m``): ``ts`` (``pl.Datetime("ns", "UTC")``, the bar's
  opening instant) instead of ``date``.

Rows are sorted by time, one per bar, and cover the request's range inclusive (a vendor may return
fewer bars: holidays, a listing that starts later). Corporate actions come apart from bars
(:data:`ACTION_COLUMNS`), so the store keeps as-traded prices and the adjustment events separately.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Literal

import polars as pl

Timeframe = Literal["1d", "1h", "15m", "5m", "1m"]
TIMEFRAMES: tuple[str, ...] = ("1d", "1h", "15m", "5m", "1m")

ACTION_COLUMNS: dict[str, pl.DataType] = {
    "date": pl.Date(),  # ex-date
    "kind": pl.Utf8(),  # "split" | "dividend"
    "value": pl.Float64(),  # split: new shares per old share (2.0 for 2-for-1); dividend: cash per share
}

EARNINGS_COLUMNS: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "time": pl.Utf8(),  # "bmo" | "amc" | "" (unknown)
    "eps_estimate": pl.Float64(),
    "eps_actual": pl.Float64(),
}


def bar_columns(timeframe: str) -> dict[str, pl.DataType]:
    """The column layout of a bar frame of ``timeframe``."""
    time: dict[str, pl.DataType] = (
        {"date": pl.Date()} if timeframe == "1d" else {"ts": pl.Datetime("ns", "UTC")}
    )
    return {
        **time,
        "open": pl.Float64(),
        "high": pl.Float64(),
        "low": pl.Float64(),
        "close": pl.Float64(),
        "volume": pl.Float64(),
    }


@dataclass(frozen=True, slots=True)
class BarRequest:
    market: str  # "US" | "IN"
    symbol: str  # Ava's symbol (vendor-specific spelling is the provider's business)
    timeframe: str
    start: dt.date
    end: dt.date  # inclusive

    def describe(self) -> str:
        return f"{self.symbol} {self.timeframe} {self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class SymbolMatch:
    symbol: str
    name: str
    market: str
    exchange: str = ""
    kind: str = "equity"


class ProviderError(Exception):
    """A vendor could not deliver: names the vendor, the symbol and the range."""

    def __init__(
        self,
        vendor: str,
        message: str,
        *,
        symbol: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> None:
        self.vendor = vendor
        self.symbol = symbol
        self.start = start
        self.end = end
        self.message = message
        where = ""
        if symbol:
            where = f" {symbol}"
            if start and end:
                where += f" {start.isoformat()}..{end.isoformat()}"
        super().__init__(f"{vendor}{where}: {message}")


class NotConfiguredError(ProviderError):
    """The vendor's key is missing from the environment."""


class UnknownSymbolError(ProviderError):
    """The vendor does not know the symbol."""


class RateLimitedError(ProviderError):
    """Still rate-limited (429) after the retries."""


class NotSupportedError(ProviderError):
    """The vendor does not offer this (a timeframe, a market, earnings, ...)."""


class Provider(ABC):
    """A market-data vendor. Subclasses set the class attributes and implement ``bars``."""

    name: ClassVar[str]  # "fmp", "alpaca", "alphavantage", "finnhub", "nse"
    title: ClassVar[str]  # "Financial Modeling Prep"
    markets: ClassVar[tuple[str, ...]]
    timeframes: ClassVar[tuple[str, ...]]
    requests_per_minute: ClassVar[int]
    key_variables: ClassVar[tuple[str, ...]] = ()  # the environment variables it needs

    @abstractmethod
    def configured(self) -> bool:
        """Whether the keys it needs are set (no network)."""

    @abstractmethod
    def bars(self, request: BarRequest) -> pl.DataFrame:
        """As-traded bars in :func:`bar_columns` layout, or a :class:`ProviderError`."""

    def corporate_actions(
        self, market: str, symbol: str, start: dt.date, end: dt.date
    ) -> pl.DataFrame:
        raise NotSupportedError(self.name, "corporate actions are not offered", symbol=symbol)

    def search(self, market: str, query: str, limit: int = 20) -> list[SymbolMatch]:
        raise NotSupportedError(self.name, "symbol search is not offered")

    def earnings(self, market: str, symbol: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        raise NotSupportedError(self.name, "earnings dates are not offered", symbol=symbol)

    def ping(self) -> None:
        """One cheap authenticated request; raises :class:`ProviderError` when unreachable."""
        raise NotSupportedError(self.name, "no reachability check")
