"""Intraday equity bars on the exchange's session calendar.

A US 15-minute bar series has 26 bars per regular session, 09:30 .. 15:45 New York time (13 on an
early close), and nothing overnight, at weekends or on holidays: the grid comes from the market's
exchange calendar (exchange_calendars, early closes included), not from a 24-hour clock. Times are
bar *starts*, naive UTC, like every timestamp in Ava; the bar at 09:30 covers 09:30 .. 09:45.

Strategies that declare ``requires = ("intraday:15m",)`` (bars of 15 minutes or finer) get the
session clock in ``bars.extra``, each shape (bars,), from the calendar alone (so it is causal):

- ``session``: the session's day number (days since 1970-01-01), the same on every bar of a session;
- ``session_minute``: minutes from the session's open to the bar's start (0 on its first bar);
- ``minutes_to_close``: minutes from the bar's start to the session's close (the last bar of a
  15-minute session has 15);
- ``bar_minutes``: the bars' length in minutes (a constant of the timeframe), so that
  ``minutes_to_close <= bar_minutes`` marks a session's last bar.

``synthetic_intraday_panel`` generates deterministic intraday bars on that grid for tests;
``ingest_intraday_upload`` stores a user's intraday bars (one symbol, one timeframe per file) as an
uploaded symbol of that timeframe, which runs load onto this grid.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from ava_backtest.data import upload, user_store
from ava_backtest.data.catalogue import SymbolInfo
from ava_backtest.data.sessions import bar_minutes, session_clock, session_grid
from ava_backtest.data.synthetic import _Clock, _simulate, _to_tick, stable_seed
from ava_backtest.data.validator import ValidationReport, clean_bars
from ava_backtest.domain.bars import Panel
from ava_backtest.domain.errors import ConfigError, DataError
from ava_backtest.markets.registry import get_market

_REQUIRE = re.compile(r"^intraday(?::(\d+)(m|h))?$")

HOW_TO = (
    "upload intraday bars for the run's symbols (CSV or Parquet with columns timestamp, open, "
    "high, low, close, volume on the exchange's session times) with POST "
    "/api/v2/data/upload-intraday (form fields market, symbol, timeframe, file) and run on those "
    "symbols; the format is in docs/data.md, 'Intraday bars'"
)
"""How to provide intraday bars: part of every error about missing ones."""


def required_minutes(need: str) -> int | None:
    """``intraday:15m`` -> 15, ``intraday:1h`` -> 60, ``intraday`` -> None; ValueError otherwise."""
    m = _REQUIRE.match(need)
    if m is None:
        raise ValueError(f"not an intraday requirement: {need!r}")
    if m.group(1) is None:
        return None
    return int(m.group(1)) * (60 if m.group(2) == "h" else 1)


def is_intraday_need(need: str) -> bool:
    return _REQUIRE.match(need) is not None


def intraday_extras(need: str, dates: np.ndarray, market: str, who: str) -> dict[str, np.ndarray]:
    """The session clock for a strategy that declared ``need`` (``intraday:15m``...), or a
    DataError naming the missing intraday bars and how to provide them."""
    wanted = required_minutes(need)
    have = bar_minutes(dates)
    size = f"{wanted}-minute or finer " if wanted else ""
    if have is None:
        raise DataError(
            f"{who} needs {size}intraday bars ({need!r}) and this run's bars are daily; " + HOW_TO,
            field="requires",
            details={"requires": need},
        )
    if wanted is not None and have > wanted:
        raise DataError(
            f"{who} needs {size}intraday bars ({need!r}) and this run's bars are {have}-minute; "
            + HOW_TO,
            field="requires",
            details={"requires": need},
        )
    out = session_clock(dates, market)
    out["bar_minutes"] = np.full(len(out["session"]), float(have))
    return out


def synthetic_intraday_panel(
    symbols: Sequence[str],
    market: str,
    start: dt.date,
    end: dt.date,
    minutes: int = 15,
    seed: int = 0,
) -> Panel:
    """Deterministic synthetic ``minutes``-minute bars for ``symbols`` on ``market``'s sessions:
    a continuous intraday path (the synthetic generator's market factor plus idiosyncratic risk)
    with an overnight gap before each session's first bar (mostly small, now and then a few
    percent, as around earnings). For tests and examples; labelled synthetic."""
    mk = get_market(market)
    grid = session_grid(market, start, end, minutes)
    if len(grid) == 0:
        raise ConfigError(f"no {market} sessions between {start} and {end}", field="start_date")
    per_day = 390.0 / minutes
    clock = _Clock(
        bars_per_year=mk.trading_days_per_year * per_day, bars_per_day=per_day, gap_share=0.0
    )
    keys = [f"{s}|{minutes}m|{market}" for s in symbols]
    o, h, lo, c, v = _simulate(keys, seed, len(grid), clock)
    day = grid.astype("datetime64[D]")
    first_bar = np.r_[True, day[1:] != day[:-1]]
    first_bar[0] = False
    gaps = np.zeros((len(grid), len(symbols)))
    for j, key in enumerate(keys):
        rng = np.random.Generator(np.random.PCG64(stable_seed(seed, f"__gaps__|{key}")))
        n = int(first_bar.sum())
        big = rng.random(n) < 0.08
        size = np.where(big, rng.normal(0.0, 0.05, n), rng.normal(0.0, 0.006, n))
        gaps[first_bar, j] = size
    shift = np.exp(np.cumsum(gaps, axis=0))
    o, h, lo, c = (x * shift for x in (o, h, lo, c))
    # Volume follows the usual intraday U shape: heavier at the open and the close.
    clock_ = session_clock(grid, market)
    pos = clock_["session_minute"] / np.maximum(
        clock_["session_minute"] + clock_["minutes_to_close"], 1.0
    )
    v = np.rint(v / per_day * (0.6 + 2.4 * (pos - 0.5) ** 2 * 4)[:, None])
    if mk.tick_size > 0:
        o, h, lo, c = _to_tick(o, h, lo, c, mk.tick_size)
    return Panel.from_prices(grid, tuple(symbols), o, h, lo, c, v, market=market, synthetic=True)


# --------------------------------------------------------------------------------------------------
# Uploads
# --------------------------------------------------------------------------------------------------

UPLOAD_TIMEFRAMES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30}
_TIME_HEADERS = ("timestamp", "datetime", "ts", "time", "date")


@dataclass(frozen=True, slots=True)
class IntradayUpload:
    """What an intraday upload stored, and what it left out."""

    info: SymbolInfo
    rows: int
    rows_in_file: int
    outside_sessions: int
    """Rows outside the exchange's regular sessions (pre/post-market), dropped."""
    report: ValidationReport

    @property
    def repaired(self) -> int:
        return sum(1 for i in self.report.issues if i.action == "repair")


def _fail(message: str, **details: object) -> DataError:
    return DataError(message, field="file", details=details or None)


def parse_intraday(filename: str, content: bytes, market: str) -> pl.DataFrame:
    """The file's bars as ``ts`` (naive UTC bar starts), open, high, low, close, adj_close, volume.

    The time column (``timestamp``, ``datetime``, ``ts``, ``time`` or ``date``) is ISO 8601: with
    an offset (``2024-03-04T09:30:00-05:00``, ``...Z``) it is converted to UTC; without one it is
    read as the exchange's local time (New York for US). A Parquet datetime column with a time
    zone is converted; a naive one is local time too.
    """
    name = (filename or "").lower()
    if not content:
        raise _fail("the file is empty")
    if len(content) > upload.MAX_BYTES:
        raise _fail(f"the file is {len(content):,} bytes; the limit is {upload.MAX_BYTES:,}")
    if content[:2] == b"\x1f\x8b":
        content = upload._gunzip(content)
    try:
        if content[:4] == b"PAR1":
            raw = pl.read_parquet(io.BytesIO(content), n_rows=upload.MAX_ROWS + 1)
        elif upload._looks_like_text(content) or name.endswith((".csv", ".txt")):
            raw = pl.read_csv(
                io.BytesIO(content),
                separator=upload._separator(content),
                infer_schema=False,
                n_rows=upload.MAX_ROWS + 1,
            )
        else:
            raise _fail("not a CSV or Parquet file")
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(f"could not read the file: {first}") from None
    if raw.height > upload.MAX_ROWS:
        raise _fail(f"the file has more than {upload.MAX_ROWS:,} rows")
    if raw.height == 0:
        raise _fail("the file has a header but no rows")
    keys = {upload._key(h): h for h in raw.columns}
    time_header = next((keys[k] for k in _TIME_HEADERS if k in keys), None)
    if time_header is None:
        raise _fail(
            f"no time column; the file has {', '.join(raw.columns)} (expected timestamp, open, "
            "high, low, close, volume)"
        )
    prices = raw.drop(time_header).with_columns(pl.lit("2000-01-01").alias("date"))
    columns = upload._columns(prices.columns)
    tz = get_market(market).timezone
    s = raw[time_header]
    if isinstance(s.dtype, pl.Datetime):
        ts = s.dt.convert_time_zone("UTC") if s.dtype.time_zone else s.dt.replace_time_zone(tz)
    else:
        zone = ZoneInfo(tz)
        stamps: list[dt.datetime] = []
        for i, text in enumerate(s.cast(pl.String).to_list()):
            try:
                t = dt.datetime.fromisoformat((text or "").strip())
            except ValueError:
                raise _fail(
                    f"unparseable time {text!r} in column {time_header!r} at row {i + 1} (use "
                    "ISO 8601, e.g. 2024-03-04 09:30 in exchange time or 2024-03-04T14:30:00Z)",
                    column=time_header,
                    row=i + 1,
                ) from None
            local = t if t.tzinfo is not None else t.replace(tzinfo=zone)
            stamps.append(local.astimezone(dt.UTC))
        ts = pl.Series("ts", stamps, dtype=pl.Datetime("us", "UTC"))
    out = {"ts": ts.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.cast_time_unit("ns")}
    for c in ("open", "high", "low", "close", "volume"):
        out[c] = upload._numbers(raw[columns[c]], columns[c], True)
    out["adj_close"] = (
        upload._numbers(raw[columns["adj_close"]], columns["adj_close"], True)
        if "adj_close" in columns
        else out["close"]
    )
    return pl.DataFrame(out).select("ts", "open", "high", "low", "close", "adj_close", "volume")


def ingest_intraday_upload(
    market: str, symbol: str, timeframe: str, filename: str, content: bytes
) -> IntradayUpload:
    """Parse, check against the session grid, validate and store one symbol's intraday bars.

    Rows outside the regular sessions are dropped (and counted); a row inside a session that is
    not the start of a ``timeframe`` bar is refused, naming it (the file is of another timeframe).
    """
    if timeframe not in UPLOAD_TIMEFRAMES:
        raise ConfigError(
            f"timeframe {timeframe!r} is not one of {', '.join(UPLOAD_TIMEFRAMES)}",
            field="timeframe",
        )
    if get_market(market).calendar == "24/7":
        raise ConfigError("intraday uploads are for exchange markets (US, IN)", field="market")
    symbol = user_store.normalise_symbol(symbol)
    user_store.refuse_shipped(market, symbol)
    frame = parse_intraday(filename, content, market)
    stamps = frame["ts"].to_numpy()
    clock = session_clock(stamps, market)
    outside = np.isnan(clock["session"])
    minutes = UPLOAD_TIMEFRAMES[timeframe]
    off = ~outside & (clock["session_minute"] % minutes != 0)
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise _fail(
            f"the bar at row {i + 1} ({frame['ts'][i]} UTC) does not start a {timeframe} bar of a "
            f"{market} session (bars start at the open and every {minutes} minutes after it)",
            row=i + 1,
        )
    kept = frame.filter(pl.Series(~outside))
    if kept.height == 0:
        raise _fail(f"no row falls inside a regular {market} session")
    found = bar_minutes(kept["ts"].to_numpy())
    if found is not None and found != minutes:
        raise _fail(
            f"the file's bars are {found} minutes apart, not {minutes}: upload it as "
            f"{found}m (one timeframe per symbol)"
        )
    try:
        cleaned, report = clean_bars(
            kept, symbol, market=market, timeframe=timeframe, corporate_actions=False
        )
    except DataError as exc:
        raise DataError(exc.message, field="file", details=exc.details) from None
    info = user_store.save_user_bars(market, symbol, cleaned, filename, timeframe=timeframe)
    return IntradayUpload(info, cleaned.height, frame.height, int(outside.sum()), report)
