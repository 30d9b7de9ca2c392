"""Finnhub (``/api/v1``): candles, search, earnings calendar, news sentiment.

``/stock/candle`` answers column arrays (``t``, ``o``, ``h``, ``l``, ``c``, ``v``) with ``s: "ok"``,
or ``s: "no_data"`` (an empty range — and also an unknown symbol: Finnhub does not tell them apart,
so ``no_data`` is an empty frame and the registry moves on to the next vendor). Candles are asked
``adjusted=false`` (as traded). ``t`` is a UNIX time: a daily candle's is the session date at
00:00 UTC; an intraday candle's is its opening instant. Finnhub offers no split/dividend history on
the free plan used here, so :meth:`corporate_actions` is not offered.

News sentiment (``/news-sentiment``) is a snapshot of the last week's news as of the day it is
asked; :meth:`sentiment` returns it as one row dated that day, so syncing daily builds the series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

import polars as pl

from .base import BarRequest, NotSupportedError, ProviderError, RateLimitedError, SymbolMatch
from .common import (
    HttpProvider,
    earnings_frame,
    empty_bars,
    finish_bars,
    parse_date,
    to_float,
    vendor_symbol,
)
from .http import Context

RESOLUTIONS = {"1d": "D", "1h": "60", "15m": "15", "5m": "5", "1m": "1"}

SENTIMENT_COLUMNS: dict[str, pl.DataType] = {
    "date": pl.Date(),  # the day the snapshot was taken
    "score": pl.Float64(),  # companyNewsScore, 0..1
    "buzz": pl.Float64(),  # articles last week / weekly average
    "articles_in_last_week": pl.Float64(),
    "bullish_percent": pl.Float64(),
    "bearish_percent": pl.Float64(),
    "sector_average_news_score": pl.Float64(),
}


def _epoch(day: dt.date, end_of_day: bool = False) -> int:
    moment = dt.datetime.combine(day, dt.time(23, 59, 59) if end_of_day else dt.time(0), dt.UTC)
    return int(moment.timestamp())


class FinnhubProvider(HttpProvider):
    name: ClassVar[str] = "finnhub"
    title: ClassVar[str] = "Finnhub"
    markets: ClassVar[tuple[str, ...]] = ("US",)
    timeframes: ClassVar[tuple[str, ...]] = ("1d", "1h", "15m", "5m", "1m")
    requests_per_minute: ClassVar[int] = 60  # free plan (and 30 a second at most)
    key_variables: ClassVar[tuple[str, ...]] = ("FINNHUB_API_KEY",)
    settings_key_fields: ClassVar[tuple[str, ...]] = ("finnhub_api_key",)
    settings_url_field: ClassVar[str] = "finnhub_base_url"
    today: Callable[[], dt.date] = staticmethod(lambda: dt.datetime.now(dt.UTC).date())

    def _get(self, path: str, params: dict[str, Any], ctx: Context) -> Any:
        status, body = self.http.get_json(
            f"/api/v1/{path}",
            {**params, "token": self.keys["finnhub_api_key"]},
            ctx,
            ok=frozenset({200, 403}),
        )
        if status == 403:
            message = body.get("error", body) if isinstance(body, dict) else body
            raise NotSupportedError(
                self.name,
                f"not in this plan: {message}",
                symbol=ctx.symbol,
                start=ctx.start,
                end=ctx.end,
            )
        if isinstance(body, dict) and "error" in body and len(body) == 1:
            text = str(body["error"])
            cls = RateLimitedError if "limit" in text.lower() else ProviderError
            raise cls(self.name, text, symbol=ctx.symbol, start=ctx.start, end=ctx.end)
        return body

    def ping(self) -> None:
        self._get("search", {"q": "AAPL"}, Context())

    def bars(self, request: BarRequest) -> pl.DataFrame:
        ctx = self.check_request(request)
        symbol = vendor_symbol(self.name, request.market, request.symbol)
        body = self._get(
            "stock/candle",
            {
                "symbol": symbol,
                "resolution": RESOLUTIONS[request.timeframe],
                "from": _epoch(request.start),
                "to": _epoch(request.end, end_of_day=True),
                "adjusted": "false",
            },
            ctx,
        )
        if not isinstance(body, dict) or "s" not in body:
            raise ProviderError(
                self.name,
                f"malformed body: expected a candle object with 's', got {str(body)[:120]!r}",
                symbol=request.symbol,
                start=request.start,
                end=request.end,
            )
        if body["s"] == "no_data":
            return empty_bars(request.timeframe)
        if body["s"] != "ok":
            raise ProviderError(
                self.name, f"status {body['s']!r}", symbol=request.symbol, start=request.start
            )
        try:
            lengths = {len(body[k]) for k in ("t", "o", "h", "l", "c")}
        except (KeyError, TypeError) as exc:
            raise ProviderError(
                self.name,
                f"malformed candle arrays: missing {exc}",
                symbol=request.symbol,
                start=request.start,
                end=request.end,
            ) from exc
        volume = body.get("v") or [None] * len(body["t"])
        if len(lengths) != 1 or len(volume) != len(body["t"]):
            raise ProviderError(
                self.name,
                "malformed candle arrays: lengths differ",
                symbol=request.symbol,
                start=request.start,
                end=request.end,
            )
        frame = pl.DataFrame(
            {
                "t": body["t"],
                "open": body["o"],
                "high": body["h"],
                "low": body["l"],
                "close": body["c"],
                "volume": volume,
            },
            schema_overrides={
                "t": pl.Int64,
                "open": pl.Float64,
                "high": pl.Float64,
                "low": pl.Float64,
                "close": pl.Float64,
                "volume": pl.Float64,
            },
        ).with_columns(ts=pl.from_epoch("t", time_unit="s").dt.replace_time_zone("UTC"))
        if request.timeframe == "1d":
            frame = frame.with_columns(date=pl.col("ts").dt.date())
        return finish_bars(frame, request, self.name)

    def search(self, market: str, query: str, limit: int = 20) -> list[SymbolMatch]:
        if market.upper() != "US":
            raise NotSupportedError(self.name, f"market {market} is not served")
        body = self._get("search", {"q": query}, Context())
        out: list[SymbolMatch] = []
        for row in body.get("result", []) if isinstance(body, dict) else []:
            symbol = str(row.get("symbol", ""))
            if "." in symbol and not symbol.endswith((".A", ".B")):
                continue  # a foreign listing (e.g. AAPL.SW)
            out.append(
                SymbolMatch(
                    symbol=symbol,
                    name=str(row.get("description", "")),
                    market="US",
                    exchange="US",
                    kind="etf" if row.get("type") == "ETP" else "equity",
                )
            )
            if len(out) >= limit:
                break
        return out

    def earnings(self, market: str, symbol: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        vsym = vendor_symbol(self.name, market, symbol)
        body = self._get(
            "calendar/earnings",
            {"symbol": vsym, "from": start.isoformat(), "to": end.isoformat()},
            Context(symbol, start, end),
        )
        rows = []
        for row in body.get("earningsCalendar", []) if isinstance(body, dict) else []:
            when = parse_date(row.get("date"))
            if when is None or not start <= when <= end:
                continue
            hour = str(row.get("hour") or "")
            rows.append(
                {
                    "date": when,
                    "time": hour if hour in ("bmo", "amc") else "",
                    "eps_estimate": to_float(row.get("epsEstimate")),
                    "eps_actual": to_float(row.get("epsActual")),
                }
            )
        return earnings_frame(rows)

    def sentiment(self, symbol: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        """Today's news-sentiment snapshot as one row (none when today is outside the range)."""
        vsym = vendor_symbol(self.name, "US", symbol)
        ctx = Context(symbol, start, end)
        today = self.today()
        if not start <= today <= end:
            return pl.DataFrame(schema=SENTIMENT_COLUMNS)
        body = self._get("news-sentiment", {"symbol": vsym}, ctx)
        if not isinstance(body, dict):
            raise ProviderError(
                self.name, f"malformed sentiment body: {str(body)[:120]!r}", symbol=symbol
            )
        buzz = body.get("buzz") or {}
        sentiment = body.get("sentiment") or {}
        if body.get("companyNewsScore") is None and not buzz:
            return pl.DataFrame(schema=SENTIMENT_COLUMNS)  # no news coverage
        return pl.DataFrame(
            [
                {
                    "date": today,
                    "score": to_float(body.get("companyNewsScore")),
                    "buzz": to_float(buzz.get("buzz")),
                    "articles_in_last_week": to_float(buzz.get("articlesInLastWeek")),
                    "bullish_percent": to_float(sentiment.get("bullishPercent")),
                    "bearish_percent": to_float(sentiment.get("bearishPercent")),
                    "sector_average_news_score": to_float(body.get("sectorAverageNewsScore")),
                }
            ],
            schema=SENTIMENT_COLUMNS,
            orient="row",
        )

    def corporate_actions(
        self, market: str, symbol: str, start: dt.date, end: dt.date
    ) -> pl.DataFrame:
        raise NotSupportedError(
            self.name, "split/dividend history is not in the free plan", symbol=symbol
        )
