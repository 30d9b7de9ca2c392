"""Financial Modeling Prep (``/api/v3``): daily and intraday bars, splits, dividends, search, earnings.

FMP's ``historical-price-full`` and ``historical-chart`` bars are **split-adjusted** (``close``),
with the raw share count in ``unadjustedVolume``. Ava stores as-traded bars, so the provider fetches
the symbol's ``stock_split`` list and multiplies every bar before a split back by the split ratio
(volume: ``unadjustedVolume`` when present, else ``volume`` divided by the same factor). Intraday
times are exchange wall-clock (America/New_York; Asia/Kolkata for ``.NS``) and become UTC.
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
    ava_base,
    earnings_frame,
    empty_actions,
    empty_bars,
    finish_bars,
    is_index,
    local_to_utc,
    parse_date,
    to_float,
    vendor_symbol,
)
from .http import Context, require_keys

INTERVALS = {"1m": "1min", "5m": "5min", "15m": "15min", "1h": "1hour"}
# Days per intraday request (FMP caps how many bars one call returns).
CHUNK_DAYS = {"1m": 3, "5m": 10, "15m": 30, "1h": 90}
US_EXCHANGES = {"NASDAQ", "NYSE", "AMEX", "NYSEARCA", "BATS", "CBOE", "NYSE AMERICAN", "INDEX"}
IN_EXCHANGES = {"NSE", "BSE"}
# Ava's index-membership names → FMP's constituent endpoints.
CONSTITUENTS = {
    "sp500": "sp500_constituent",
    "nasdaq100": "nasdaq_constituent",
    "djia": "dowjones_constituent",
}
CONSTITUENT_COLUMNS: dict[str, pl.DataType] = {
    "symbol": pl.Utf8(),
    "name": pl.Utf8(),
    "sector": pl.Utf8(),
    "date_first_added": pl.Date(),
}


class FMPProvider(HttpProvider):
    name: ClassVar[str] = "fmp"
    title: ClassVar[str] = "Financial Modeling Prep"
    markets: ClassVar[tuple[str, ...]] = ("US", "IN")
    timeframes: ClassVar[tuple[str, ...]] = ("1d", "1h", "15m", "5m", "1m")
    requests_per_minute: ClassVar[int] = 300  # Starter plan; the free plan is 250 a day
    key_variables: ClassVar[tuple[str, ...]] = ("FMP_API_KEY",)
    settings_key_fields: ClassVar[tuple[str, ...]] = ("fmp_api_key",)
    settings_url_field: ClassVar[str] = "fmp_base_url"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._splits: dict[str, pl.DataFrame] = {}

    # -- plumbing ---------------------------------------------------------------------------
    def _get(self, path: str, params: dict[str, Any], ctx: Context) -> Any:
        _, body = self.http.get_json(
            f"/api/v3/{path}", {**params, "apikey": self.keys["fmp_api_key"]}, ctx
        )
        if isinstance(body, dict) and "Error Message" in body:
            message = str(body["Error Message"])
            cls = RateLimitedError if "limit" in message.lower() else ProviderError
            raise cls(self.name, message, symbol=ctx.symbol, start=ctx.start, end=ctx.end)
        return body

    def ping(self) -> None:
        self._get("search", {"query": "AAPL", "limit": 1}, Context())

    # -- bars -----------------------------------------------------------------------------------
    def bars(self, request: BarRequest) -> pl.DataFrame:
        ctx = self.check_request(request)
        symbol = vendor_symbol(self.name, request.market, request.symbol)
        if request.timeframe == "1d":
            body = self._get(
                f"historical-price-full/{symbol}",
                {"from": request.start.isoformat(), "to": request.end.isoformat()},
                ctx,
            )
            if (isinstance(body, list) and not body) or (isinstance(body, dict) and not body):
                # FMP answers an unknown symbol with an empty object.
                raise UnknownSymbolError(
                    self.name,
                    f"unknown symbol {symbol}",
                    symbol=request.symbol,
                    start=request.start,
                    end=request.end,
                )
            if not isinstance(body, dict) or not isinstance(body.get("historical", []), list):
                raise ProviderError(
                    self.name,
                    f"malformed body: expected an object with 'historical', got {str(body)[:120]!r}",
                    symbol=request.symbol,
                    start=request.start,
                    end=request.end,
                )
            rows = body.get("historical", [])
            if not rows:
                return empty_bars("1d")
            for row in rows:
                require_keys(self.name, row, ("date", "open", "high", "low", "close"), ctx)
            frame = pl.DataFrame(
                {
                    "date": [r["date"] for r in rows],
                    "open": [to_float(r["open"]) for r in rows],
                    "high": [to_float(r["high"]) for r in rows],
                    "low": [to_float(r["low"]) for r in rows],
                    "close": [to_float(r["close"]) for r in rows],
                    "volume": [to_float(r.get("volume")) for r in rows],
                    "raw_volume": [to_float(r.get("unadjustedVolume")) for r in rows],
                },
                schema_overrides={"volume": pl.Float64, "raw_volume": pl.Float64},
            ).with_columns(pl.col("date").str.slice(0, 10).str.to_date("%Y-%m-%d"))
            frame = self._unsplit(request, frame, "date")
            return finish_bars(frame, request, self.name)
        return self._intraday(request, symbol, ctx)

    def _intraday(self, request: BarRequest, symbol: str, ctx: Context) -> pl.DataFrame:
        interval = INTERVALS[request.timeframe]
        tz = "Asia/Kolkata" if request.market.upper() == "IN" else "America/New_York"
        chunk = dt.timedelta(days=CHUNK_DAYS[request.timeframe])
        rows: list[dict[str, Any]] = []
        day = request.start
        while day <= request.end:
            last = min(day + chunk - dt.timedelta(days=1), request.end)
            body = self._get(
                f"historical-chart/{interval}/{symbol}",
                {"from": day.isoformat(), "to": last.isoformat()},
                ctx,
            )
            if not isinstance(body, list):
                raise ProviderError(
                    self.name,
                    f"malformed body: expected a list of bars, got {str(body)[:120]!r}",
                    symbol=request.symbol,
                    start=request.start,
                    end=request.end,
                )
            rows.extend(body)
            day = last + dt.timedelta(days=1)
        if not rows:
            return empty_bars(request.timeframe)
        for row in rows:
            require_keys(self.name, row, ("date", "open", "high", "low", "close"), ctx)
        frame = pl.DataFrame(
            {
                "local": [str(r["date"]) for r in rows],
                "open": [to_float(r["open"]) for r in rows],
                "high": [to_float(r["high"]) for r in rows],
                "low": [to_float(r["low"]) for r in rows],
                "close": [to_float(r["close"]) for r in rows],
                "volume": [to_float(r.get("volume")) for r in rows],
            },
            schema_overrides={"volume": pl.Float64},
        ).with_columns(
            ts=local_to_utc(pl.col("local"), tz),
            date=pl.col("local").str.slice(0, 10).str.to_date("%Y-%m-%d"),
            raw_volume=pl.lit(None, dtype=pl.Float64),
        )
        frame = self._unsplit(request, frame, "date")
        return finish_bars(frame, request, self.name)

    def _unsplit(self, request: BarRequest, frame: pl.DataFrame, date_col: str) -> pl.DataFrame:
        """Undo FMP's split adjustment: prices x (product of later split ratios)."""
        if is_index(request.market, ava_base(request.symbol)) or frame.height == 0:
            return frame.with_columns(pl.coalesce("raw_volume", "volume").alias("volume"))
        splits = self._split_list(request.market, request.symbol)
        if splits.height == 0:
            return frame.with_columns(pl.coalesce("raw_volume", "volume").alias("volume"))
        dates = splits["date"].to_list()
        ratios = splits["value"].to_list()

        factor = pl.lit(1.0)
        for when, ratio in zip(dates, ratios, strict=True):
            factor = factor * pl.when(pl.col(date_col) < when).then(ratio).otherwise(1.0)
        return frame.with_columns(factor.alias("_f")).with_columns(
            *(pl.col(c) * pl.col("_f") for c in ("open", "high", "low", "close")),
            pl.coalesce("raw_volume", pl.col("volume") / pl.col("_f")).alias("volume"),
        )

    def _split_list(self, market: str, symbol: str) -> pl.DataFrame:
        key = vendor_symbol(self.name, market, symbol)
        if key not in self._splits:
            rows = self._splits_of(key, Context(symbol))
            self._splits[key] = actions_frame(rows)
        return self._splits[key]

    def _splits_of(self, vsym: str, ctx: Context) -> list[tuple[dt.date, str, float]]:
        out: list[tuple[dt.date, str, float]] = []
        splits = self._get(f"historical-price-full/stock_split/{vsym}", {}, ctx)
        for row in splits.get("historical", []) if isinstance(splits, dict) else []:
            require_keys(self.name, row, ("date", "numerator", "denominator"), ctx)
            when = parse_date(row["date"])
            num, den = to_float(row["numerator"]), to_float(row["denominator"])
            if when and num and den:
                out.append((when, "split", num / den))
        return out

    # -- actions, search, earnings ------------------------------------------------------------
    def corporate_actions(
        self, market: str, symbol: str, start: dt.date, end: dt.date
    ) -> pl.DataFrame:
        if market.upper() not in self.markets:
            raise NotSupportedError(self.name, f"market {market} is not served", symbol=symbol)
        vsym = vendor_symbol(self.name, market, symbol)
        if is_index(market, ava_base(symbol)):
            return empty_actions()
        ctx = Context(symbol, start, end)
        out = self._splits_of(vsym, ctx)
        dividends = self._get(f"historical-price-full/stock_dividend/{vsym}", {}, ctx)
        for row in dividends.get("historical", []) if isinstance(dividends, dict) else []:
            require_keys(self.name, row, ("date",), ctx)
            when = parse_date(row["date"])
            cash = to_float(row.get("dividend", row.get("adjDividend")))
            if when and cash:
                out.append((when, "dividend", cash))
        return actions_frame(r for r in out if start <= r[0] <= end)

    def search(self, market: str, query: str, limit: int = 20) -> list[SymbolMatch]:
        market = market.upper()
        body = self._get("search", {"query": query, "limit": max(limit * 3, limit)}, Context())
        if not isinstance(body, list):
            raise ProviderError(self.name, f"malformed search body: {str(body)[:120]!r}")
        wanted = IN_EXCHANGES if market == "IN" else US_EXCHANGES
        out: list[SymbolMatch] = []
        for row in body:
            exchange = str(row.get("exchangeShortName") or row.get("stockExchange") or "")
            if exchange.upper() not in wanted:
                continue
            symbol = str(row.get("symbol", ""))
            symbol = ava_base(symbol) if market == "IN" else symbol.replace("-", ".")
            out.append(
                SymbolMatch(
                    symbol=symbol,
                    name=str(row.get("name") or ""),
                    market=market,
                    exchange=exchange,
                    kind="index" if symbol.startswith("^") else "equity",
                )
            )
            if len(out) >= limit:
                break
        return out

    def earnings(self, market: str, symbol: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        vsym = vendor_symbol(self.name, market, symbol)
        ctx = Context(symbol, start, end)
        body = self._get(f"historical/earning_calendar/{vsym}", {"limit": 200}, ctx)
        if not isinstance(body, list):
            raise ProviderError(
                self.name, f"malformed earnings body: {str(body)[:120]!r}", symbol=symbol
            )
        rows = []
        for row in body:
            when = parse_date(row.get("date"))
            if when is None or not start <= when <= end:
                continue
            time = str(row.get("time") or "").lower()
            rows.append(
                {
                    "date": when,
                    "time": time if time in ("bmo", "amc") else "",
                    "eps_estimate": to_float(row.get("epsEstimated")),
                    "eps_actual": to_float(row.get("eps")),
                }
            )
        return earnings_frame(rows)

    def constituents(self, index: str) -> pl.DataFrame:
        """Today's members of ``sp500``, ``nasdaq100`` or ``djia`` (:data:`CONSTITUENT_COLUMNS`).

        Symbols are in Ava's spelling (``BRK.B``); ``date_first_added`` is null when FMP has none.
        """
        endpoint = CONSTITUENTS.get(index.lower())
        if endpoint is None:
            raise NotSupportedError(
                self.name,
                f"no constituents endpoint for {index!r}; known: {', '.join(CONSTITUENTS)}",
            )
        body = self._get(endpoint, {}, Context(index))
        if not isinstance(body, list):
            raise ProviderError(self.name, f"malformed constituents body: {str(body)[:120]!r}")
        rows = []
        for row in body:
            if not isinstance(row, dict) or not row.get("symbol"):
                raise ProviderError(self.name, f"malformed constituent record: {str(row)[:120]!r}")
            rows.append(
                {
                    "symbol": str(row["symbol"]).replace("-", "."),
                    "name": str(row.get("name") or ""),
                    "sector": str(row.get("sector") or ""),
                    "date_first_added": parse_date(row.get("dateFirstAdded")),
                }
            )
        if not rows:
            return pl.DataFrame(schema=CONSTITUENT_COLUMNS)
        return pl.DataFrame(rows, schema=CONSTITUENT_COLUMNS, orient="row").sort("symbol")
