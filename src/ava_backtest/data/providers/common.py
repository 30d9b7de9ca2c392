"""Pieces the vendor modules share: Ava → vendor symbol spelling, frame builders, the HTTP base.

Ava's symbols are vendor-neutral (``AAPL``, ``BRK.B``, ``RELIANCE``; indices and the VIX by name:
``GSPC``, ``NDX``, ``VIX``, ``NIFTY50``, ``SENSEX``, ``INDIAVIX``). Each vendor spells them its own
way; :func:`vendor_symbol` does the mapping or raises :class:`NotSupportedError`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import polars as pl

from .base import (
    ACTION_COLUMNS,
    EARNINGS_COLUMNS,
    BarRequest,
    NotConfiguredError,
    NotSupportedError,
    Provider,
    ProviderError,
    bar_columns,
)
from .http import Context, HttpOptions, VendorHttp

PRICES = ("open", "high", "low", "close")
MARKET_TZ = {"US": "America/New_York", "IN": "Asia/Kolkata"}

# Ava's names of benchmarks and volatility indices, per market.
INDEX_SYMBOLS: dict[str, tuple[str, ...]] = {
    "US": ("GSPC", "NDX", "VIX"),
    "IN": ("NIFTY50", "SENSEX", "INDIAVIX"),
}

# Each vendor's spelling of those (absent: the vendor does not serve it).
VENDOR_INDEX_SYMBOLS: dict[str, dict[str, str]] = {
    "fmp": {
        "GSPC": "^GSPC",
        "NDX": "^NDX",
        "VIX": "^VIX",
        "NIFTY50": "^NSEI",
        "SENSEX": "^BSESN",
        "INDIAVIX": "^INDIAVIX",
    },
    "finnhub": {"GSPC": "^GSPC", "NDX": "^NDX", "VIX": "^VIX"},
    "alpaca": {},
    "alphavantage": {},
    # The NSE daily index file names indices in words.
    "nse": {"NIFTY50": "Nifty 50", "INDIAVIX": "India VIX"},
}


def is_index(market: str, symbol: str) -> bool:
    return symbol.upper() in INDEX_SYMBOLS.get(market.upper(), ())


def ava_base(symbol: str) -> str:
    """``RELIANCE.NS`` / ``RELIANCE.BO`` → ``RELIANCE``; anything else unchanged (upper-cased)."""
    s = symbol.strip().upper()
    for suffix in (".NS", ".BO"):
        if s.endswith(suffix):
            return s[: -len(suffix)]
    return s


def vendor_symbol(vendor: str, market: str, symbol: str) -> str:
    """Ava's ``symbol`` of ``market`` as ``vendor`` spells it; NotSupportedError when it has none."""
    market = market.upper()
    s = ava_base(symbol)
    indices = VENDOR_INDEX_SYMBOLS.get(vendor, {})
    if is_index(market, s):
        if s not in indices:
            raise NotSupportedError(vendor, f"{s} ({market} index) is not served", symbol=s)
        return indices[s]
    if vendor == "fmp":
        if market == "IN":
            return f"{s}.NS"
        return s.replace(".", "-")  # BRK.B → BRK-B
    if vendor == "alphavantage":
        return s.replace(".", "-")
    if vendor in ("alpaca", "finnhub"):
        return s.replace("-", ".")
    return s  # nse: the NSE ticker itself


def empty_bars(timeframe: str) -> pl.DataFrame:
    return pl.DataFrame(schema=bar_columns(timeframe))


def empty_actions() -> pl.DataFrame:
    return pl.DataFrame(schema=ACTION_COLUMNS)


def empty_earnings() -> pl.DataFrame:
    return pl.DataFrame(schema=EARNINGS_COLUMNS)


def finish_bars(frame: pl.DataFrame, request: BarRequest, vendor: str) -> pl.DataFrame:
    """Cast to the layout, keep the request's range, one row per bar, sorted by time.

    A value that is not a number, or a bar without one of its four prices, is a malformed answer
    (:class:`ProviderError`), never a silently dropped or null-filled row. Volume may be null.
    """
    cols = bar_columns(request.timeframe)
    if frame.height == 0:
        return empty_bars(request.timeframe)
    try:
        frame = frame.select([pl.col(c).cast(t, strict=True) for c, t in cols.items()])
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise ProviderError(
            vendor,
            f"malformed bars: a value is not a number ({str(exc).splitlines()[0][:160]})",
            symbol=request.symbol,
            start=request.start,
            end=request.end,
        ) from exc
    key = "date" if request.timeframe == "1d" else "ts"
    if key == "date":
        frame = frame.filter(pl.col("date").is_between(request.start, request.end))
    else:  # the session's date is the exchange's, not UTC's
        tz = MARKET_TZ.get(request.market.upper(), "UTC")
        day = pl.col("ts").dt.convert_time_zone(tz).dt.date()
        frame = frame.filter(day.is_between(request.start, request.end))
    missing = frame.filter(pl.any_horizontal(pl.col(PRICES).is_null() | pl.col(PRICES).is_nan()))
    if missing.height:
        raise ProviderError(
            vendor,
            f"malformed bars: {missing.height} without a price (first at {missing[key][0]})",
            symbol=request.symbol,
            start=request.start,
            end=request.end,
        )
    return frame.unique(subset=[key], keep="last").sort(key)


def local_to_utc(column: pl.Expr, timezone: str, fmt: str = "%Y-%m-%d %H:%M:%S") -> pl.Expr:
    """Vendor wall-clock text in ``timezone`` → ``Datetime(ns, UTC)``."""
    return (
        column.str.strptime(pl.Datetime("ns"), fmt, strict=True)
        .dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
    )


def actions_frame(rows: Iterable[tuple[dt.date, str, float]]) -> pl.DataFrame:
    data = list(rows)
    if not data:
        return empty_actions()
    frame = pl.DataFrame(
        {
            "date": [r[0] for r in data],
            "kind": [r[1] for r in data],
            "value": [float(r[2]) for r in data],
        },
        schema=ACTION_COLUMNS,
    )
    return frame.unique().sort(["date", "kind"])


def earnings_frame(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    data = list(rows)
    if not data:
        return empty_earnings()
    frame = pl.DataFrame(data, schema=EARNINGS_COLUMNS, orient="row")
    return frame.unique(subset=["date"], keep="first").sort("date")


def parse_date(value: Any) -> dt.date | None:
    if value in (None, "", "None"):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def to_float(value: Any) -> float | None:
    if value in (None, "", "None", "-"):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def rate_limit_for(vendor: str, default: float) -> float:
    variable = f"AVA_{vendor.upper()}_REQUESTS_PER_MINUTE"
    raw = os.environ.get(variable)
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError as exc:
        raise ProviderError(vendor, f"{variable}={raw!r} is not a number") from exc
    if value <= 0:
        raise ProviderError(vendor, f"{variable}={raw!r} must be positive")
    return value


class HttpProvider(Provider):
    """A vendor reached over HTTP with keys from the settings (overridable per instance)."""

    settings_key_fields: ClassVar[tuple[str, ...]] = ()  # Settings attributes holding the keys
    settings_url_field: ClassVar[str] = ""

    def __init__(
        self,
        *,
        keys: Mapping[str, str | None] | None = None,
        base_url: str | None = None,
        options: HttpOptions | None = None,
        settings: Any = None,
    ) -> None:
        if settings is None:
            from ava_backtest.settings import get_settings

            settings = get_settings()
        self.keys: dict[str, str | None] = {
            f: (keys or {}).get(f, getattr(settings, f, None)) for f in self.settings_key_fields
        }
        self.base_url = base_url or str(getattr(settings, self.settings_url_field))
        self.options = options or HttpOptions()
        self._http: VendorHttp | None = None

    @classmethod
    def rate_limit(cls) -> float:
        """Requests per minute: ``AVA_<VENDOR>_REQUESTS_PER_MINUTE`` or the vendor's figure."""
        return rate_limit_for(cls.name, cls.requests_per_minute)

    def configured(self) -> bool:
        return all(self.keys.get(f) for f in self.settings_key_fields)

    def require_configured(self) -> None:
        for field_name, variable in zip(self.settings_key_fields, self.key_variables, strict=True):
            if not self.keys.get(field_name):
                raise NotConfiguredError(
                    self.name,
                    f"{variable} (or AVA_{variable}) is not set",
                )

    def headers(self) -> dict[str, str]:
        return {}

    @property
    def http(self) -> VendorHttp:
        self.require_configured()
        if self._http is None:
            self._http = VendorHttp(
                self.name,
                self.base_url,
                requests_per_minute=self.rate_limit(),
                options=self.options,
                headers=self.headers(),
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def check_request(self, request: BarRequest) -> Context:
        ctx = Context(request.symbol, request.start, request.end)
        if request.market.upper() not in self.markets:
            raise NotSupportedError(
                self.name,
                f"market {request.market} is not served (only {', '.join(self.markets)})",
                symbol=request.symbol,
                start=request.start,
                end=request.end,
            )
        if request.timeframe not in self.timeframes:
            raise NotSupportedError(
                self.name,
                f"timeframe {request.timeframe} is not offered (only {', '.join(self.timeframes)})",
                symbol=request.symbol,
                start=request.start,
                end=request.end,
            )
        if request.end < request.start:
            raise ProviderError(
                self.name,
                "end is before start",
                symbol=request.symbol,
                start=request.start,
                end=request.end,
            )
        return ctx
