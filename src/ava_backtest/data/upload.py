"""A user's file of daily bars, from bytes to validated, stored bars.

``parse_upload`` reads CSV (plain or gzip) or Parquet with polars only: every cell is read as
text or as a Parquet value and converted explicitly, so nothing in a file is ever executed or
evaluated (no pickle, no eval, no spreadsheet formulas); a cell that is not a date or a number is
an error naming its column and row. ``ingest_upload`` then runs the validator before anything is
stored: it repairs what is safe, refuses unusable data with the validator's message, and the
report goes back to the user.

Limits: 20 MB per file (64 MB once decompressed), 200,000 rows. Dates must be ISO (YYYY-MM-DD,
YYYY/MM/DD or YYYYMMDD, optionally followed by a time); day-first and month-first forms are
refused rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from dataclasses import dataclass

import polars as pl

from ava_backtest.data.universes import SymbolInfo
from ava_backtest.data.user_store import normalise_symbol, refuse_shipped, save_user_bars
from ava_backtest.data.validator import ValidationReport, clean_bars
from ava_backtest.domain.errors import DataError
from ava_backtest.markets.registry import get_market

MAX_BYTES = 20 * 1024 * 1024
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "datetime", "timestamp", "time", "ts", "day"),
    "open": ("open",),
    "high": ("high",),
    "low": ("low",),
    "close": ("close",),
    "adj_close": ("adj_close", "adjclose", "adjusted_close", "adj"),
    "volume": ("volume", "vol"),
}
"""Canonical column -> accepted header names, compared lower-cased with punctuation as '_'."""
REQUIRED = ("date", "open", "high", "low", "close", "volume")
NULL_TOKENS = ("", "null", "none", "na", "n/a", "nan", "#n/a")
_ISO_DATE = re.compile(r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{8})(?:[T ]+(.*))?$")


def _fail(message: str, **details: object) -> DataError:
    return DataError(message, field="file", details=details or None)


@dataclass(frozen=True, slots=True)
class UploadResult:
    """What was stored and what the validator said about it."""

    info: SymbolInfo
    rows: int
    """Bars stored."""
    report: ValidationReport
    rows_in_file: int = 0
    """Data rows read from the file; ``rows_in_file - rows`` were dropped by the validator."""

    @property
    def repaired(self) -> int:
        return sum(1 for i in self.report.issues if i.action == "repair")


def ingest_upload(market: str, symbol: str, filename: str, content: bytes) -> UploadResult:
    """Parse, validate and store one upload; DataError (field ``file``) when it is unusable."""
    get_market(market)
    symbol = normalise_symbol(symbol)
    refuse_shipped(market, symbol)
    frame = parse_upload(filename, content)
    dates = frame["date"].drop_nulls()
    if dates.len():
        try:
            get_market(market).sessions(dates.min(), dates.max())
        except ValueError as exc:
            raise _fail(
                f"dates {dates.min()} .. {dates.max()} are outside what the {market} calendar "
                f"covers: {exc}"
            ) from None
    try:
        cleaned, report = clean_bars(
            frame, symbol, market=market, timeframe="1d", corporate_actions=True
        )
    except DataError as exc:
        raise DataError(exc.message, field="file", details=exc.details) from None
    info = save_user_bars(market, symbol, cleaned, filename)
    return UploadResult(info, cleaned.height, report, rows_in_file=frame.height)


def parse_upload(filename: str, content: bytes) -> pl.DataFrame:
    """The file's bars as date (pl.Date), open, high, low, close, adj_close, volume (float64).

    CSV by extension (.csv, .csv.gz, .txt, .tsv) or by sniffing text; gzip by its magic bytes;
    Parquet by its magic bytes ``PAR1``. Nothing else is accepted.
    """
    name = (filename or "").strip().lower()
    if len(content) == 0:
        raise _fail("the file is empty")
    if len(content) > MAX_BYTES:
        raise _fail(f"the file is {len(content):,} bytes; the limit is {MAX_BYTES:,} (20 MB)")
    if content[:2] == b"\x1f\x8b":
        content = _gunzip(content)
        name = name.removesuffix(".gz")
        if not content:
            raise _fail("the file is empty (after decompression)")
    elif name.endswith(".gz"):
        raise _fail("the file is named .gz but is not gzip-compressed")
    if content[:4] == b"PAR1":
        return _from_parquet(content)
    if name.endswith((".parquet", ".pq")):
        raise _fail("the file is named .parquet but is not a Parquet file (no PAR1 magic bytes)")
    if content[:4] == b"PK\x03\x04":
        raise _fail("this looks like a ZIP or Excel file; export the sheet as CSV")
    if not name.endswith((".csv", ".txt", ".tsv")) and not _looks_like_text(content):
        raise _fail("not a CSV or Parquet file")
    return _from_csv(content)


def read_table_file(filename: str, content: bytes) -> pl.DataFrame:
    """A side table a user uploads (earnings dates, options chains, implied volatility): CSV (any
    separator, gzip allowed) or Parquet, every cell as read, within the size and row limits; a
    DataError (field ``file``) for anything else."""
    if not content:
        raise _fail("the file is empty")
    if len(content) > MAX_BYTES:
        raise _fail(f"the file is {len(content):,} bytes; the limit is {MAX_BYTES:,} (20 MB)")
    if content[:2] == b"\x1f\x8b":
        content = _gunzip(content)
    try:
        if content[:4] == b"PAR1":
            raw = pl.read_parquet(io.BytesIO(content))
        elif _looks_like_text(content) or filename.lower().endswith((".csv", ".txt")):
            raw = pl.read_csv(
                io.BytesIO(content),
                separator=_separator(content),
                infer_schema=False,
                n_rows=MAX_ROWS + 1,
            )
        else:
            raise _fail("not a CSV or Parquet file")
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(f"could not read the file: {first}") from None
    if raw.height > MAX_ROWS:
        raise _fail(f"the file has more than {MAX_ROWS:,} rows")
    return raw


def _gunzip(content: bytes) -> bytes:
    """Every gzip member, refusing more than MAX_DECOMPRESSED_BYTES (a decompression bomb)."""
    out = bytearray()
    data = content
    try:
        while data:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += d.decompress(data, MAX_DECOMPRESSED_BYTES + 1 - len(out))
            if len(out) > MAX_DECOMPRESSED_BYTES or d.unconsumed_tail:
                raise _fail(f"the file decompresses to more than {MAX_DECOMPRESSED_BYTES:,} bytes")
            if not d.eof:
                raise _fail("the gzip data is truncated")
            data = d.unused_data
    except zlib.error as exc:
        raise _fail(f"the gzip data is corrupt ({exc})") from None
    return bytes(out)


def _looks_like_text(content: bytes) -> bool:
    head = content[:8192]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the sample
    return True


def _separator(content: bytes) -> str:
    first = content.split(b"\n", 1)[0]
    counts = {sep: first.count(sep.encode()) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _from_csv(content: bytes) -> pl.DataFrame:
    try:
        raw = pl.read_csv(
            io.BytesIO(content),
            separator=_separator(content),
            infer_schema=False,  # every cell is text; converted explicitly below
            n_rows=MAX_ROWS + 1,
            encoding="utf8-lossy",
        )
    except pl.exceptions.NoDataError:
        raise _fail("the file is empty") from None
    except pl.exceptions.PolarsError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(f"could not read the file as CSV: {first_line}") from None
    return _convert(raw, csv=True)


def _from_parquet(content: bytes) -> pl.DataFrame:
    try:
        schema = pl.read_parquet_schema(io.BytesIO(content))
        columns = _columns(list(schema))
        rows = pl.scan_parquet(io.BytesIO(content)).select(pl.len()).collect().item()
        if rows > MAX_ROWS:
            raise _fail(f"the file has {rows:,} rows; the limit is {MAX_ROWS:,}")
        raw = pl.read_parquet(io.BytesIO(content), columns=list(columns.values()))
    except pl.exceptions.PolarsError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(f"could not read the file as Parquet: {first_line}") from None
    except OSError as exc:
        raise _fail(f"could not read the file as Parquet: {exc}") from None
    return _convert(raw, csv=False)


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lstrip("\ufeff").lower()).strip("_")


def _columns(headers: list[str]) -> dict[str, str]:
    """Canonical column -> the file's header; DataError naming a missing or doubled column."""
    found: dict[str, list[str]] = {}
    for h in headers:
        k = _key(h)
        for canonical, names in ALIASES.items():
            if k in names:
                found.setdefault(canonical, []).append(h)
    doubled = {c: hs for c, hs in found.items() if len(hs) > 1}
    if doubled:
        c, hs = next(iter(doubled.items()))
        raise _fail(
            f"columns {', '.join(repr(h) for h in hs)} all look like {c!r}; keep one",
            column=c,
            found=headers,
        )
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        shown = ", ".join(repr(h) for h in headers[:20]) or "(none)"
        wanted = ", ".join(repr(c) for c in missing)
        raise _fail(
            f"missing column(s) {wanted}; the file has {shown} (headers are case-insensitive; "
            "'Adj Close', 'Datetime' and 'timestamp' are understood)",
            missing=missing,
            found=headers,
        )
    return {c: hs[0] for c, hs in found.items()}


def _where(i: int, csv: bool) -> str:
    return f"row {i + 1} (line {i + 2} of the file)" if csv else f"row {i + 1}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _convert(raw: pl.DataFrame, *, csv: bool) -> pl.DataFrame:
    columns = _columns(raw.columns)
    if raw.height == 0:
        raise _fail("the file has a header but no rows")
    if raw.height > MAX_ROWS:
        raise _fail(f"the file has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")
    out = {"date": _dates(raw[columns["date"]], columns["date"], csv)}
    for c in ("open", "high", "low", "close", "volume"):
        out[c] = _numbers(raw[columns[c]], columns[c], csv)
    adj = (
        _numbers(raw[columns["adj_close"]], columns["adj_close"], csv)
        if "adj_close" in columns
        else None
    )
    out["adj_close"] = out["close"] if adj is None or adj.null_count() == adj.len() else adj
    frame = pl.DataFrame(out).select("date", "open", "high", "low", "close", "adj_close", "volume")
    today = dt.datetime.now(dt.UTC).date()
    future = frame["date"] > today + dt.timedelta(days=1)
    if future.any():
        i = int(future.arg_true()[0])
        raise _fail(
            f"date {frame['date'][i]} in column {columns['date']!r} at {_where(i, csv)} is in "
            "the future",
            column=columns["date"],
            row=i + 1,
        )
    return frame


def _is_null_token(s: pl.Series) -> pl.Series:
    return s.is_null() | s.str.to_lowercase().is_in(NULL_TOKENS)


def _numbers(s: pl.Series, header: str, csv: bool) -> pl.Series:
    name = s.name
    if s.dtype == pl.String:
        text = s.str.strip_chars()
        null = _is_null_token(text)
        values = pl.select(
            pl.when(null.not_()).then(text).otherwise(None).cast(pl.Float64, strict=False)
        ).to_series()
        bad = null.not_() & (values.is_null() | values.is_finite().not_())
    elif s.dtype.is_numeric():
        values = s.cast(pl.Float64)
        bad = values.is_nan().fill_null(False) | values.is_infinite().fill_null(False)
    else:
        raise _fail(f"column {header!r} holds {s.dtype} values, not numbers", column=header)
    if bad.any():
        i = int(bad.arg_true()[0])
        raise _fail(
            f"unparseable number in column {header!r} at {_where(i, csv)}: {_shown(s[i])}",
            column=header,
            row=i + 1,
            value=str(s[i])[:200],
        )
    return values.alias(name)


def _dates(s: pl.Series, header: str, csv: bool) -> pl.Series:
    """Dates from ISO text, a Date or a Datetime column; several bars on one day are refused."""
    if s.dtype == pl.Date:
        return s.alias("date")
    if isinstance(s.dtype, pl.Datetime):
        dates = s.dt.date()
        _refuse_intraday(dates, s, header, csv)
        return dates.alias("date")
    if s.dtype != pl.String:
        raise _fail(
            f"column {header!r} holds {s.dtype} values, not dates (use YYYY-MM-DD)", column=header
        )
    text = s.str.strip_chars()
    null = _is_null_token(text)
    parts = text.str.extract_groups(_ISO_DATE.pattern)
    day_text = parts.struct.field("1").str.replace_all("/", "-")
    dates = pl.select(
        pl.when(day_text.str.len_chars() == 8)
        .then(day_text.str.to_date("%Y%m%d", strict=False))
        .otherwise(day_text.str.to_date("%Y-%m-%d", strict=False))
    ).to_series()
    bad = null.not_() & dates.is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        raise _fail(
            f"unparseable date in column {header!r} at {_where(i, csv)}: {_shown(s[i])} "
            "(use YYYY-MM-DD)",
            column=header,
            row=i + 1,
            value=str(s[i])[:200],
        )
    _refuse_intraday(dates, parts.struct.field("2").fill_null(""), header, csv)
    return dates.alias("date")


def _refuse_intraday(dates: pl.Series, stamps: pl.Series, header: str, csv: bool) -> None:
    frame = pl.DataFrame({"d": dates, "t": stamps}).with_row_index()
    per_day = (
        frame.filter(pl.col("d").is_not_null())
        .group_by("d")
        .agg(pl.col("t").n_unique().alias("n"), pl.col("index").min().alias("i"))
    )
    several = per_day.filter(pl.col("n") > 1).sort("i")
    if several.height:
        i = int(several["i"][0])
        raise _fail(
            f"several bars on {several['d'][0]} in column {header!r} from {_where(i, csv)}: "
            "only daily bars can be uploaded",
            column=header,
            row=i + 1,
        )
