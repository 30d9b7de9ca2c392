"""Earnings dates per symbol: a user's table (CSV or Parquet), stored like uploaded bars, and the
(bars, symbols) array a strategy that declares ``requires = ("earnings",)`` receives.

Upload format (one row per announcement; headers case-insensitive)::

    symbol,date,time,eps_estimate,eps_actual
    AAPL,2024-05-02,amc,1.50,1.53
    MSFT,2024-04-25,amc,2.83,2.94
    JPM,2024-04-12,bmo,4.11,4.44

- ``symbol``: the symbol as runs name it; ``date``: the announcement's calendar date (ISO).
- ``time``: ``bmo`` (before the market opens; also ``before``, ``pre``, ``before_open``), ``amc``
  (after the close; also ``after``, ``post``, ``after_close``) or ``dmh`` (during market hours).
- ``eps_estimate``, ``eps_actual``: optional numbers, stored and returned by ``read_earnings``.

The table is stored under ``$AVA_HOME/data/{market}/earnings.parquet``; an upload replaces the
rows of the symbols it contains and keeps the others. Earnings dates are published weeks ahead, so
knowing on session t that t is an earnings session is not look-ahead; the EPS figures are known
only after the announcement and are not part of the strategy's array.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

from ava_backtest.data import user_store
from ava_backtest.data.files import atomic_write
from ava_backtest.data.upload import _numbers, read_table_file
from ava_backtest.domain.errors import DataError
from ava_backtest.markets.registry import get_market

HOW_TO = (
    "upload an earnings table (CSV or Parquet with columns symbol, date, time = bmo|amc|dmh, "
    "optional eps_estimate, eps_actual) with POST /api/v2/data/earnings (form fields market, "
    "file); the format is in docs/data.md, 'Earnings dates'"
)
"""How to provide earnings dates: part of every error about missing ones."""

_TIMES = {
    "bmo": "bmo",
    "before": "bmo",
    "pre": "bmo",
    "before_open": "bmo",
    "premarket": "bmo",
    "amc": "amc",
    "after": "amc",
    "post": "amc",
    "after_close": "amc",
    "postmarket": "amc",
    "dmh": "dmh",
    "during": "dmh",
    "intraday": "dmh",
}
_HEADERS = {
    "symbol": ("symbol", "ticker"),
    "date": ("date", "earnings_date", "report_date"),
    "time": ("time", "timing", "time_of_day", "when", "hour"),
    "eps_estimate": ("eps_estimate", "estimate", "eps_est", "consensus"),
    "eps_actual": ("eps_actual", "actual", "eps", "reported_eps"),
}
SCHEMA = {
    "symbol": pl.String(),
    "date": pl.Date(),
    "time": pl.String(),
    "eps_estimate": pl.Float64(),
    "eps_actual": pl.Float64(),
}


def _fail(message: str, **details: object) -> DataError:
    return DataError(message, field="file", details=details or None)


def earnings_file(market: str) -> user_store.Path:
    get_market(market)
    return user_store.data_dir() / market / "earnings.parquet"


def parse_earnings(filename: str, content: bytes) -> pl.DataFrame:
    """The file's rows as symbol, date, time (bmo|amc|dmh), eps_estimate, eps_actual; a DataError
    (field ``file``) naming the column and row of anything it cannot read."""
    raw = read_table_file(filename, content)
    cols: dict[str, str] = {}
    for h in raw.columns:
        key = h.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")
        for canonical, names in _HEADERS.items():
            if key in names and canonical not in cols:
                cols[canonical] = h
    missing = [c for c in ("symbol", "date", "time") if c not in cols]
    if missing:
        raise _fail(
            f"missing column(s) {', '.join(missing)}; the file has {', '.join(raw.columns)}; "
            "expected symbol, date, time (bmo|amc|dmh) and optionally eps_estimate, eps_actual",
            missing=missing,
        )
    if raw.height == 0:
        raise _fail("the file has a header but no rows")
    symbol = raw[cols["symbol"]].cast(pl.String).str.strip_chars().str.to_uppercase()
    bad = symbol.is_null() | ~symbol.str.contains(user_store.SYMBOL_PATTERN.pattern)
    if bad.any():
        i = int(bad.arg_true()[0])
        raise _fail(f"bad symbol {raw[cols['symbol']][i]!r} at row {i + 1}", row=i + 1)
    date_col = raw[cols["date"]]
    if date_col.dtype == pl.Date:
        dates = date_col
    elif isinstance(date_col.dtype, pl.Datetime):
        dates = date_col.dt.date()
    else:
        text = date_col.cast(pl.String).str.strip_chars().str.slice(0, 10).str.replace_all("/", "-")
        dates = text.str.to_date("%Y-%m-%d", strict=False)
    bad = dates.is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        raise _fail(
            f"unparseable date {date_col[i]!r} in column {cols['date']!r} at row {i + 1} "
            "(use YYYY-MM-DD)",
            column=cols["date"],
            row=i + 1,
        )
    when_raw = raw[cols["time"]].cast(pl.String).str.strip_chars().str.to_lowercase()
    when = when_raw.replace_strict(_TIMES, default=None, return_dtype=pl.String)
    bad = when.is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        raise _fail(
            f"time {raw[cols['time']][i]!r} at row {i + 1} is not bmo (before the open), amc "
            "(after the close) or dmh (during market hours)",
            column=cols["time"],
            row=i + 1,
        )
    out = {"symbol": symbol, "date": dates, "time": when}
    for c in ("eps_estimate", "eps_actual"):
        out[c] = (
            _numbers(raw[cols[c]].cast(pl.String), cols[c], True)
            if c in cols
            else pl.Series(c, [None] * raw.height, dtype=pl.Float64)
        )
    frame = pl.DataFrame(out).select(pl.col(c).alias(c).cast(t) for c, t in SCHEMA.items())
    dup = frame.select(pl.struct("symbol", "date").is_duplicated()).to_series()
    if dup.any():
        i = int(dup.arg_true()[0])
        raise _fail(
            f"{frame['symbol'][i]} has two rows for {frame['date'][i]} (row {i + 1})", row=i + 1
        )
    return frame.sort("symbol", "date")


def save_earnings(market: str, frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """Store ``frame`` (``parse_earnings``'s columns): its symbols' rows replace earlier ones.
    Returns the whole stored table."""
    target = earnings_file(market)
    kept = read_earnings(market)
    if kept.height:
        kept = kept.filter(~pl.col("symbol").is_in(frame["symbol"].unique().to_list()))
    table = pl.concat([kept, frame.select(list(SCHEMA))]).sort("symbol", "date")
    meta = {
        "ava.source": user_store._clean_filename(source),
        "ava.uploaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "ava.market": market,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda p: table.write_parquet(p, metadata=meta))
    return table


def ingest_earnings(market: str, filename: str, content: bytes) -> pl.DataFrame:
    """Parse and store one upload; returns the rows read from the file."""
    get_market(market)
    frame = parse_earnings(filename, content)
    save_earnings(market, frame, filename)
    return frame


def read_earnings(market: str) -> pl.DataFrame:
    """Every stored earnings row of ``market`` (empty with the schema when none)."""
    try:
        return pl.read_parquet(earnings_file(market)).select(list(SCHEMA))
    except FileNotFoundError:
        return pl.DataFrame(schema=SCHEMA)


def delete_earnings(market: str) -> bool:
    try:
        earnings_file(market).unlink()
    except FileNotFoundError:
        return False
    return True


def earnings_sessions(
    market: str, symbols: Sequence[str], dates: np.ndarray, *, who: str = "this strategy"
) -> np.ndarray:
    """(bars, symbols) array: 1.0 on each symbol's earnings *reaction session* (the first session
    whose open follows the announcement: the announcement day for ``bmo`` and ``dmh``, the next
    session for ``amc``), 0.0 on other bars. Intraday bars carry the flag on every bar of that
    session. A DataError naming the symbols without any stored earnings date, and how to add them.
    """
    table = read_earnings(market)
    have = set(table["symbol"].unique().to_list())
    missing = [s for s in symbols if s not in have]
    if missing:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise DataError(
            f"{who} needs earnings dates and none are stored for {shown} on market {market}; "
            + HOW_TO,
            field="earnings",
            details={"missing": missing, "market": market},
        )
    days = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]")
    out = np.zeros((len(days), len(symbols)))
    if len(days) == 0:
        return out
    sessions = (
        get_market(market)
        .sessions(
            str(days.min() - np.timedelta64(10, "D")), str(days.max() + np.timedelta64(10, "D"))
        )
        .astype("datetime64[D]")
    )
    for j, sym in enumerate(symbols):
        rows = table.filter(pl.col("symbol") == sym)
        ann = rows["date"].to_numpy().astype("datetime64[D]")
        after = (rows["time"] == "amc").to_numpy()
        # The first session on or after the announcement day (after it, for amc).
        k = np.searchsorted(sessions, ann, side="left")
        k = k + (after & (k < len(sessions)) & (sessions[np.minimum(k, len(sessions) - 1)] == ann))
        react = sessions[k[k < len(sessions)]]
        out[:, j] = np.isin(days, react)
    return out
