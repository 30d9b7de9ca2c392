"""Alpaca Market Data v2: ``/v2/stocks/{symbol}/bars`` and ``/v1/corporate-actions``.

Bars are requested with ``adjustment=raw`` (as traded), ``limit=10000`` and followed through
``next_page_token``. ``t`` is RFC 3339 UTC; a daily bar's ``t`` is the session's midnight in New
York, so its date is taken in America/New_York. The feed is ``iex`` (free plan) unless
``AVA_ALPACA_FEED`` says ``sip``. Alpaca has no index or VIX bars (SPY is served), and symbol
search lives on the trading API (another host), so :meth:`search` is not offered here.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, ClassVar

import polars as pl

from .base import BarRequest, NotSupportedError, ProviderError, UnknownSymbolError
from .common import HttpProvider, actions_frame, empty_bars, finish_bars, parse_date, vendor_symbol
from .http import Context, require_keys

TIMEFRAMES = {"1d": "1Day", "1h": "1Hour", "15m": "15Min", "5m": "5Min", "1m": "1Min"}
FEEDS = ("iex", "sip", "delayed_sip", "otc")


def feed() -> str:
    value = os.environ.get("AVA_ALPACA_FEED", "iex").strip().lower()
    if value not in FEEDS:
        raise ProviderError("alpaca", f"AVA_ALPACA_FEED={value!r}: expected one of {FEEDS}")
    return value


class AlpacaProvider(HttpProvider):
    name: ClassVar[str] = "alpaca"
    title: ClassVar[str] = "Alpaca Market Data"
    markets: ClassVar[tuple[str, ...]] = ("US",)
    timeframes: ClassVar[tuple[str, ...]] = ("1d", "1h", "15m", "5m", "1m")
    requests_per_minute: ClassVar[int] = 200  # Basic (free) plan
    key_variables: ClassVar[tuple[str, ...]] = ("ALPACA_API_KEY", "ALPACA_SECRET_KEY")
    settings_key_fields: ClassVar[tuple[str, ...]] = ("alpaca_api_key", "alpaca_secret_key")
    settings_url_field: ClassVar[str] = "alpaca_data_url"
    page_limit: ClassVar[int] = 10000

    def headers(self) -> dict[str, str]:
        return {
            "APCA-API-KEY-ID": self.keys["alpaca_api_key"] or "",
            "APCA-API-SECRET-KEY": self.keys["alpaca_secret_key"] or "",
        }

    def _get(self, path: str, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        status, body = self.http.get_json(path, params, ctx, ok=frozenset({200, 400, 404, 422}))
        if status in (400, 404, 422):
            message = str(body.get("message", body)) if isinstance(body, dict) else str(body)
            if "symbol" in message.lower() or status == 404:
                raise UnknownSymbolError(
                    self.name, message, symbol=ctx.symbol, start=ctx.start, end=ctx.end
                )
            raise ProviderError(
                self.name,
                f"HTTP {status}: {message}",
                symbol=ctx.symbol,
                start=ctx.start,
                end=ctx.end,
            )
        if not isinstance(body, dict):
            raise ProviderError(
                self.name,
                f"malformed body: expected an object, got {str(body)[:120]!r}",
                symbol=ctx.symbol,
                start=ctx.start,
                end=ctx.end,
            )
        return body

    def ping(self) -> None:
        self._get(
            "/v2/stocks/SPY/bars",
            {"timeframe": "1Day", "limit": 1, "feed": feed(), "start": "2024-01-02T00:00:00Z"},
            Context("SPY"),
        )

    def bars(self, request: BarRequest) -> pl.DataFrame:
        ctx = self.check_request(request)
        symbol = vendor_symbol(self.name, request.market, request.symbol)
        params: dict[str, Any] = {
            "timeframe": TIMEFRAMES[request.timeframe],
            "start": f"{request.start.isoformat()}T00:00:00Z",
            # the end date's New York session ends before 04:00Z the next day
            "end": f"{(request.end + dt.timedelta(days=1)).isoformat()}T04:00:00Z",
            "limit": self.page_limit,
            "adjustment": "raw",
            "feed": feed(),
        }
        rows: list[dict[str, Any]] = []
        token: str | None = None
        pages = 0
        while True:
            body = self._get(
                f"/v2/stocks/{symbol}/bars",
                {**params, "page_token": token} if token else params,
                ctx,
            )
            rows.extend(body.get("bars") or [])
            token = body.get("next_page_token")
            pages += 1
            if not token:
                break
            if pages > 10_000:
                raise ProviderError(self.name, "pagination does not end", symbol=request.symbol)
        if not rows:
            return empty_bars(request.timeframe)
        for row in rows:
            require_keys(self.name, row, ("t", "o", "h", "l", "c"), ctx)
        ts = (
            pl.Series("t", [r["t"] for r in rows])
            .str.to_datetime(time_zone="UTC", time_unit="ns")
            .alias("ts")
        )
        frame = pl.DataFrame(
            {
                "ts": ts,
                "open": [r["o"] for r in rows],
                "high": [r["h"] for r in rows],
                "low": [r["l"] for r in rows],
                "close": [r["c"] for r in rows],
                "volume": [r.get("v") for r in rows],
            },
            schema_overrides={
                "open": pl.Float64,
                "high": pl.Float64,
                "low": pl.Float64,
                "close": pl.Float64,
                "volume": pl.Float64,
            },
        )
        if request.timeframe == "1d":
            frame = frame.with_columns(
                date=pl.col("ts").dt.convert_time_zone("America/New_York").dt.date()
            )
        return finish_bars(frame, request, self.name)

    def corporate_actions(
        self, market: str, symbol: str, start: dt.date, end: dt.date
    ) -> pl.DataFrame:
        if market.upper() != "US":
            raise NotSupportedError(self.name, f"market {market} is not served", symbol=symbol)
        vsym = vendor_symbol(self.name, market, symbol)
        ctx = Context(symbol, start, end)
        out: list[tuple[dt.date, str, float]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "symbols": vsym,
                "types": "forward_split,reverse_split,cash_dividend",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "limit": 1000,
            }
            if token:
                params["page_token"] = token
            body = self._get("/v1/corporate-actions", params, ctx)
            actions = body.get("corporate_actions") or {}
            for row in [*actions.get("forward_splits", []), *actions.get("reverse_splits", [])]:
                require_keys(self.name, row, ("ex_date", "new_rate", "old_rate"), ctx)
                when = parse_date(row["ex_date"])
                if when and float(row["old_rate"]):
                    out.append((when, "split", float(row["new_rate"]) / float(row["old_rate"])))
            for row in actions.get("cash_dividends", []):
                require_keys(self.name, row, ("ex_date", "rate"), ctx)
                when = parse_date(row["ex_date"])
                if when:
                    out.append((when, "dividend", float(row["rate"])))
            token = body.get("next_page_token")
            if not token:
                break
        return actions_frame(r for r in out if start <= r[0] <= end)
