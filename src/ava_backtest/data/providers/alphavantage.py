"""Alpha Vantage (``/query?function=...``): daily and intraday bars, splits, dividends, search, earnings.

``TIME_SERIES_DAILY`` (``outputsize=full``) is as traded. ``TIME_SERIES_INTRADAY`` is asked
``adjusted=false`` one calendar month at a time (``month=YYYY-MM``); its times are US/Eastern
wall-clock and become UTC. Alpha Vantage answers HTTP 200 for everything: a ``Note`` or an
``Information`` body is its rate limit (retried with backoff, then :class:`RateLimitedError`), an
``Information`` body about a premium endpoint is :class:`NotSupportedError`, and an ``Error Message``
body is an unknown symbol.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import polars as pl

from .base import (
    BarRequest,
    NotSupportedError,
    ProviderError,
    RateLimitedError,
    SymbolMatch,
    UnknownSymbolError,
)
from .common import (
    HttpProvider,
    actions_frame,
    earnings_frame,
    empty_bars,
    finish_bars,
    local_to_utc,
    parse_date,
    to_float,
    vendor_symbol,
)
from .http import Context

INTERVALS = {"1m": "1min", "5m": "5min", "15m": "15min", "1h": "60min"}
FIELDS = {"open": "1. open", "high": "2. high", "low": "3. low", "close": "4. close"}


class AlphaVantageProvider(HttpProvider):
    name: ClassVar[str] = "alphavantage"
    title: ClassVar[str] = "Alpha Vantage"
    markets: ClassVar[tuple[str, ...]] = ("US",)
    timeframes: ClassVar[tuple[str, ...]] = ("1d", "1h", "15m", "5m", "1m")
    requests_per_minute: ClassVar[int] = 5  # free key: 5 a minute, 25 a day
    key_variables: ClassVar[tuple[str, ...]] = ("ALPHAVANTAGE_API_KEY",)
    settings_key_fields: ClassVar[tuple[str, ...]] = ("alphavantage_api_key",)
    settings_url_field: ClassVar[str] = "alphavantage_base_url"

    def _query(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """One call; the in-body rate-limit answers are retried like a 429."""
        http = self.http
        attempts = http.options.retries + 1
        for attempt in range(attempts):
            _, body = http.get_json(
                "/query", {**params, "apikey": self.keys["alphavantage_api_key"]}, ctx
            )
            if not isinstance(body, dict):
                raise ProviderError(
                    self.name,
                    f"malformed body: expected an object, got {str(body)[:120]!r}",
                    symbol=ctx.symbol,
                    start=ctx.start,
                    end=ctx.end,
                )
            if "Error Message" in body and "apikey" in str(body["Error Message"]).lower():
                raise ProviderError(
                    self.name,
                    f"ALPHAVANTAGE_API_KEY rejected: {str(body['Error Message'])[:160]}",
                    symbol=ctx.symbol,
                    start=ctx.start,
                    end=ctx.end,
                )
            if "Error Message" in body:
                raise UnknownSymbolError(
                    self.name,
                    str(body["Error Message"])[:200],
                    symbol=ctx.symbol,
                    start=ctx.start,
                    end=ctx.end,
                )
            note = body.get("Note") or body.get("Information")
            if note and len(body) <= 2:
                text = str(note)
                if "premium endpoint" in text.lower():
                    raise NotSupportedError(
                        self.name, text[:200], symbol=ctx.symbol, start=ctx.start, end=ctx.end
                    )
                if attempt + 1 < attempts:
                    http.clock.sleep(http._backoff(attempt, 60.0 / self.rate_limit()))
                    continue
                raise RateLimitedError(
                    self.name,
                    f"rate limited after {attempts} attempts: {text[:160]}",
                    symbol=ctx.symbol,
                    start=ctx.start,
                    end=ctx.end,
                )
            return body
        raise AssertionError("unreachable")  # pragma: no cover

    def ping(self) -> None:
        self._query({"function": "SYMBOL_SEARCH", "keywords": "IBM"}, Context())

    def _series(self, body: dict[str, Any], ctx: Context) -> dict[str, dict[str, str]]:
        key = next((k for k in body if k.startswith("Time Series")), None)
        if key is None or not isinstance(body[key], dict):
            raise ProviderError(
                self.name,
                f"malformed body: no 'Time Series' object (keys: {list(body)[:5]})",
                symbol=ctx.symbol,
                start=ctx.start,
                end=ctx.end,
            )
        return body[key]

    def _frame(self, series: dict[str, dict[str, str]], ctx: Context) -> pl.DataFrame:
        try:
            columns = {
                name: [row[field] for row in series.values()] for name, field in FIELDS.items()
            }
            volume = [row.get("5. volume") for row in series.values()]
        except (KeyError, TypeError) as exc:
            raise ProviderError(
                self.name,
                f"malformed record: missing {exc}",
                symbol=ctx.symbol,
                start=ctx.start,
                end=ctx.end,
            ) from exc
        frame = pl.DataFrame(
            {"local": list(series.keys()), **columns, "volume": volume},
            schema_overrides={"volume": pl.Utf8},
        )
        try:
            return frame.with_columns(
                *(pl.col(c).cast(pl.Float64, strict=True) for c in (*FIELDS, "volume")),
            )
        except pl.exceptions.InvalidOperationError as exc:
            raise ProviderError(
                self.name,
                f"malformed record: a price is not a number ({str(exc).splitlines()[0][:120]})",
                symbol=ctx.symbol,
                start=ctx.start,
                end=ctx.end,
            ) from exc

    def bars(self, request: BarRequest) -> pl.DataFrame:
        ctx = self.check_request(request)
        symbol = vendor_symbol(self.name, request.market, request.symbol)
        if request.timeframe == "1d":
            body = self._query(
                {"function": "TIME_SERIES_DAILY", "symbol": symbol, "outputsize": "full"}, ctx
            )
            series = self._series(body, ctx)
            if not series:
                return empty_bars("1d")
            frame = self._frame(series, ctx).with_columns(
                date=pl.col("local").str.to_date("%Y-%m-%d")
            )
            return finish_bars(frame, request, self.name)
        frames = []
        month = request.start.replace(day=1)
        while month <= request.end:
            body = self._query(
                {
                    "function": "TIME_SERIES_INTRADAY",
                    "symbol": symbol,
                    "interval": INTERVALS[request.timeframe],
                    "month": f"{month.year:04d}-{month.month:02d}",
                    "outputsize": "full",
                    "adjusted": "false",
                    "extended_hours": "false",
                },
                ctx,
            )
            series = self._series(body, ctx)
            if series:
                frames.append(self._frame(series, ctx))
            month = (month + dt.timedelta(days=32)).replace(day=1)
        if not frames:
            return empty_bars(request.timeframe)
        frame = pl.concat(frames).with_columns(ts=local_to_utc(pl.col("local"), "America/New_York"))
        return finish_bars(frame, request, self.name)

    def corporate_actions(
        self, market: str, symbol: str, start: dt.date, end: dt.date
    ) -> pl.DataFrame:
        if market.upper() != "US":
            raise NotSupportedError(self.name, f"market {market} is not served", symbol=symbol)
        vsym = vendor_symbol(self.name, market, symbol)
        ctx = Context(symbol, start, end)
        out: list[tuple[dt.date, str, float]] = []
        for row in self._query({"function": "SPLITS", "symbol": vsym}, ctx).get("data", []):
            when, factor = parse_date(row.get("effective_date")), to_float(row.get("split_factor"))
            if when and factor:
                out.append((when, "split", factor))
        for row in self._query({"function": "DIVIDENDS", "symbol": vsym}, ctx).get("data", []):
            when, cash = parse_date(row.get("ex_dividend_date")), to_float(row.get("amount"))
            if when and cash:
                out.append((when, "dividend", cash))
        return actions_frame(r for r in out if start <= r[0] <= end)

    def search(self, market: str, query: str, limit: int = 20) -> list[SymbolMatch]:
        body = self._query({"function": "SYMBOL_SEARCH", "keywords": query}, Context())
        out: list[SymbolMatch] = []
        for row in body.get("bestMatches", []):
            if market.upper() == "US" and row.get("4. region") != "United States":
                continue
            out.append(
                SymbolMatch(
                    symbol=str(row.get("1. symbol", "")).replace("-", "."),
                    name=str(row.get("2. name", "")),
                    market=market.upper(),
                    exchange=str(row.get("4. region", "")),
                    kind="etf" if row.get("3. type") == "ETF" else "equity",
                )
            )
            if len(out) >= limit:
                break
        return out

    def earnings(self, market: str, symbol: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        vsym = vendor_symbol(self.name, market, symbol)
        body = self._query({"function": "EARNINGS", "symbol": vsym}, Context(symbol, start, end))
        rows = []
        times = {"pre-market": "bmo", "post-market": "amc"}
        for row in body.get("quarterlyEarnings", []):
            when = parse_date(row.get("reportedDate"))
            if when is None or not start <= when <= end:
                continue
            rows.append(
                {
                    "date": when,
                    "time": times.get(str(row.get("reportTime", "")), ""),
                    "eps_estimate": to_float(row.get("estimatedEPS")),
                    "eps_actual": to_float(row.get("reportedEPS")),
                }
            )
        return earnings_frame(rows)
