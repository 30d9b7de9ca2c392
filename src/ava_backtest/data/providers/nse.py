"""NSE capital-market bhavcopy archives: every EQ-series stock's daily bar, one zipped CSV a session.

Why this source: it is NSE's own end-of-day file, public, keyless and as traded; one download per
session covers every symbol (so a NIFTY 500 sync costs one request a session, not one a symbol).
The maintained-client alternatives were weighed in docs/providers.md: ``nsepy`` (the original's)
is abandoned since 2020 and broken against NSE's site, and the scraping clients of NSE's JSON API
need session cookies that NSE rotates and blocks; the archive files have stable URLs.

Two layouts, chosen by date and retried in the other on a 404:

- until 2024-07-05: ``content/historical/EQUITIES/{YYYY}/{MON}/cm{DD}{MON}{YYYY}bhav.csv.zip`` with
  ``SYMBOL, SERIES, OPEN, HIGH, LOW, CLOSE, LAST, PREVCLOSE, TOTTRDQTY, ...``;
- from 2024-07-08 (UDiFF): ``content/cm/BhavCopy_NSE_CM_0_0_0_{YYYYMMDD}_F_0000.csv.zip`` with
  ``TradDt, ..., TckrSymb, SctySrs, ..., FinInstrmNm, OpnPric, HghPric, LwPric, ClsPric, ...,
  PrvsClsgPric, ..., TtlTradgVol, ...``.

Indices (NIFTY50, INDIAVIX) come from the daily index file ``content/indices/ind_close_all_{DDMMYYYY}.csv``.
Sessions are the XBOM calendar's; a session whose file is absent (404: a holiday the calendar did
not know, a file never published) is skipped and listed in :attr:`NSEProvider.missing_sessions`.
Past sessions' files are immutable, so they are cached under ``$AVA_HOME/cache/nse``.

Corporate actions: on an ex-date NSE publishes ``PREVCLOSE`` adjusted for the action, so
``close[t-1] / PREVCLOSE[t]`` is the action's factor: a common split/bonus ratio is a split, any
other positive step a cash amount ``close[t-1] - PREVCLOSE[t]``.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from .base import BarRequest, NotSupportedError, ProviderError, SymbolMatch, UnknownSymbolError
from .common import (
    HttpProvider,
    actions_frame,
    ava_base,
    empty_actions,
    empty_bars,
    finish_bars,
    is_index,
    vendor_symbol,
)
from .http import Context

UDIFF_FROM = dt.date(2024, 7, 8)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
SPLIT_RATIOS = (1.25, 4 / 3, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 15, 20, 25, 50, 100)
SESSION_COLUMNS = {
    "symbol": pl.Utf8(),
    "name": pl.Utf8(),
    "open": pl.Float64(),
    "high": pl.Float64(),
    "low": pl.Float64(),
    "close": pl.Float64(),
    "prev_close": pl.Float64(),
    "volume": pl.Float64(),
}

_CACHE: OrderedDict[tuple[str, str], pl.DataFrame | None] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 1500


def old_path(day: dt.date) -> str:
    mon = MONTHS[day.month - 1]
    return (
        f"content/historical/EQUITIES/{day.year}/{mon}/cm{day.day:02d}{mon}{day.year}bhav.csv.zip"
    )


def udiff_path(day: dt.date) -> str:
    return f"content/cm/BhavCopy_NSE_CM_0_0_0_{day.strftime('%Y%m%d')}_F_0000.csv.zip"


def index_path(day: dt.date) -> str:
    return f"content/indices/ind_close_all_{day.strftime('%d%m%Y')}.csv"


def sessions(start: dt.date, end: dt.date) -> list[dt.date]:
    """XBOM sessions in ``[start, end]`` (weekdays outside the calendar's bounds)."""
    import exchange_calendars as xcals

    cal = xcals.get_calendar("XBOM")
    first, last = cal.first_session.date(), cal.last_session.date()
    days: list[dt.date] = []
    lo, hi = max(start, first), min(end, last)
    if lo <= hi:
        days = [d.date() for d in cal.sessions_in_range(lo.isoformat(), hi.isoformat())]
    weekdays = pl.date_range(start, end, "1d", eager=True)
    extra = [d for d in weekdays.to_list() if (d < first or d > last) and d.weekday() < 5]
    return sorted({*days, *extra})


def parse_bhavcopy(raw: bytes, origin: str) -> pl.DataFrame:
    """A zipped or plain bhavcopy CSV (either layout) → EQ-series rows in :data:`SESSION_COLUMNS`."""
    data = raw
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise ValueError(f"{origin}: the zip holds no CSV")
            data = archive.read(names[0])
    frame = pl.read_csv(io.BytesIO(data), infer_schema=False, truncate_ragged_lines=True)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    if "TckrSymb" in frame.columns:
        frame = frame.filter(pl.col("SctySrs").str.strip_chars() == "EQ").select(
            symbol=pl.col("TckrSymb"),
            name=pl.col("FinInstrmNm") if "FinInstrmNm" in frame.columns else pl.lit(""),
            open=pl.col("OpnPric"),
            high=pl.col("HghPric"),
            low=pl.col("LwPric"),
            close=pl.col("ClsPric"),
            prev_close=pl.col("PrvsClsgPric"),
            volume=pl.col("TtlTradgVol"),
        )
    elif "SYMBOL" in frame.columns:
        frame = frame.filter(pl.col("SERIES").str.strip_chars() == "EQ").select(
            symbol=pl.col("SYMBOL"),
            name=pl.lit(""),
            open=pl.col("OPEN"),
            high=pl.col("HIGH"),
            low=pl.col("LOW"),
            close=pl.col("CLOSE"),
            prev_close=pl.col("PREVCLOSE"),
            volume=pl.col("TOTTRDQTY"),
        )
    else:
        raise ValueError(f"{origin}: not a bhavcopy (columns {frame.columns[:6]})")
    return frame.with_columns(
        pl.col("symbol").str.strip_chars(),
        pl.col("name").str.strip_chars(),
        *(
            pl.col(c).str.strip_chars().cast(pl.Float64, strict=True)
            for c in ("open", "high", "low", "close", "prev_close", "volume")
        ),
    ).cast(SESSION_COLUMNS)  # type: ignore[arg-type]


def parse_index_file(raw: bytes, origin: str) -> pl.DataFrame:
    frame = pl.read_csv(io.BytesIO(raw), infer_schema=False)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    needed = ("Index Name", "Open Index Value", "High Index Value", "Low Index Value")
    if any(c not in frame.columns for c in (*needed, "Closing Index Value")):
        raise ValueError(f"{origin}: not an NSE index file (columns {frame.columns[:6]})")

    def num(col: str) -> pl.Expr:
        return pl.col(col).str.strip_chars().replace("-", None).cast(pl.Float64, strict=False)

    return frame.select(
        symbol=pl.col("Index Name").str.strip_chars(),
        name=pl.col("Index Name").str.strip_chars(),
        open=num("Open Index Value"),
        high=num("High Index Value"),
        low=num("Low Index Value"),
        close=num("Closing Index Value"),
        prev_close=pl.lit(None, dtype=pl.Float64),
        volume=num("Volume") if "Volume" in frame.columns else pl.lit(None, dtype=pl.Float64),
    )


class NSEProvider(HttpProvider):
    name: ClassVar[str] = "nse"
    title: ClassVar[str] = "NSE bhavcopy archives"
    markets: ClassVar[tuple[str, ...]] = ("IN",)
    timeframes: ClassVar[tuple[str, ...]] = ("1d",)
    requests_per_minute: ClassVar[int] = 60  # NSE publishes none; be polite
    key_variables: ClassVar[tuple[str, ...]] = ()
    settings_key_fields: ClassVar[tuple[str, ...]] = ()
    settings_url_field: ClassVar[str] = "nse_archive_url"

    def __init__(self, *, cache_dir: Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if cache_dir is None:
            from ava_backtest.data.user_store import ava_home

            cache_dir = ava_home() / "cache" / "nse"
        self.cache_dir = cache_dir
        self.missing_sessions: list[dt.date] = []
        self.today = dt.datetime.now(dt.UTC).date()

    def configured(self) -> bool:
        return True  # public archives

    def headers(self) -> dict[str, str]:
        # The archive host refuses clients without a browser-like Accept.
        return {"Accept": "*/*", "Accept-Language": "en-US,en;q=0.9"}

    def ping(self) -> None:
        """The archive host answers (a 404 for a file not yet published still proves that)."""
        day = self.today - dt.timedelta(days=1)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        self.http.get(f"/{udiff_path(day)}", None, Context(), ok=frozenset({200, 404}))

    # -- one session's file -----------------------------------------------------------------
    def _download(self, path: str, ctx: Context) -> bytes | None:
        disk = self.cache_dir / path.replace("/", "_")
        if disk.exists():
            return disk.read_bytes()
        response = self.http.get(f"/{path}", None, ctx, ok=frozenset({200, 404}))
        if response.status_code == 404:
            return None
        body = response.content
        return body

    def _store(self, path: str, body: bytes, day: dt.date) -> None:
        if day >= self.today:
            return  # today's file may still change
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        disk = self.cache_dir / path.replace("/", "_")
        tmp = disk.with_suffix(disk.suffix + ".tmp")
        tmp.write_bytes(body)
        tmp.replace(disk)

    def session(self, day: dt.date, kind: str = "equity") -> pl.DataFrame | None:
        """One session's EQ rows (``kind="index"``: the index file); None when not published."""
        key = (f"{self.cache_dir}|{self.base_url}|{kind}", day.isoformat())
        with _CACHE_LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
        ctx = Context(day.isoformat(), day, day)
        if kind == "index":
            paths = [index_path(day)]
            parser = parse_index_file
        else:
            first, second = (udiff_path, old_path) if day >= UDIFF_FROM else (old_path, udiff_path)
            paths = [first(day), second(day)]
            parser = parse_bhavcopy
        frame: pl.DataFrame | None = None
        for path in paths:
            body = self._download(path, ctx)
            if body is None:
                continue
            try:
                frame = parser(body, path)
            except (ValueError, zipfile.BadZipFile, pl.exceptions.PolarsError) as exc:
                raise ProviderError(
                    self.name,
                    f"malformed or truncated file {path}: {type(exc).__name__}: {str(exc)[:160]}",
                    symbol=ctx.symbol,
                    start=day,
                    end=day,
                ) from exc
            self._store(path, body, day)
            break
        with _CACHE_LOCK:
            _CACHE[key] = frame
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return frame

    def _rows(self, market: str, symbol: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        """The symbol's rows over the sessions of the range, with a ``date`` column."""
        base = ava_base(symbol)
        index = is_index(market, base)
        wanted = vendor_symbol(self.name, market, base)
        found: list[pl.DataFrame] = []
        read = 0
        for day in sessions(start, min(end, self.today)):
            frame = self.session(day, "index" if index else "equity")
            if frame is None:
                self.missing_sessions.append(day)
                continue
            read += 1
            match = (
                frame.filter(pl.col("symbol").str.to_lowercase() == wanted.lower())
                if index
                else frame.filter(pl.col("symbol") == wanted)
            )
            if match.height:
                found.append(match.head(1).with_columns(date=pl.lit(day, dtype=pl.Date)))
        if read and not found:
            raise UnknownSymbolError(
                self.name,
                f"{wanted} is in none of the {read} session files of the range",
                symbol=symbol,
                start=start,
                end=end,
            )
        if not found:
            return pl.DataFrame(schema={**SESSION_COLUMNS, "date": pl.Date()})
        return pl.concat(found)

    def bars(self, request: BarRequest) -> pl.DataFrame:
        self.check_request(request)
        rows = self._rows(request.market, request.symbol, request.start, request.end)
        if rows.height == 0:
            return empty_bars("1d")
        return finish_bars(rows, request, self.name)

    def corporate_actions(
        self, market: str, symbol: str, start: dt.date, end: dt.date
    ) -> pl.DataFrame:
        if market.upper() != "IN":
            raise NotSupportedError(self.name, f"market {market} is not served", symbol=symbol)
        if is_index(market, ava_base(symbol)):
            return empty_actions()
        rows = self._rows(market, symbol, start, end).sort("date")
        if rows.height < 2:
            return empty_actions()
        steps = rows.with_columns(q=pl.col("close").shift(1) / pl.col("prev_close")).filter(
            pl.col("q").is_not_null() & ((pl.col("q") - 1.0).abs() > 1e-4)
        )
        out: list[tuple[dt.date, str, float]] = []
        for day, q, prev in steps.select("date", "q", "prev_close").iter_rows():
            ratio = next((r for r in SPLIT_RATIOS if abs(q / r - 1.0) < 0.01), None)
            if ratio is not None:
                out.append((day, "split", float(ratio)))
            elif q > 1.0:
                out.append((day, "dividend", round(prev * (q - 1.0), 4)))
        return actions_frame(out)

    def search(self, market: str, query: str, limit: int = 20) -> list[SymbolMatch]:
        if market.upper() != "IN":
            raise NotSupportedError(self.name, f"market {market} is not served")
        day = self.today
        frame: pl.DataFrame | None = None
        for _ in range(10):  # the latest published session
            if day.weekday() < 5:
                frame = self.session(day)
                if frame is not None:
                    break
            day -= dt.timedelta(days=1)
        if frame is None:
            raise ProviderError(self.name, "no bhavcopy published in the last 10 days")
        q = query.strip().upper()
        hits = frame.filter(
            pl.col("symbol").str.contains(q, literal=True)
            | pl.col("name").str.to_uppercase().str.contains(q, literal=True)
        ).with_columns(exact=pl.col("symbol") == q, starts=pl.col("symbol").str.starts_with(q))
        hits = hits.sort(["exact", "starts", "symbol"], descending=[True, True, False]).head(limit)
        return [
            SymbolMatch(symbol=s, name=n or s, market="IN", exchange="NSE")
            for s, n in hits.select("symbol", "name").iter_rows()
        ]
