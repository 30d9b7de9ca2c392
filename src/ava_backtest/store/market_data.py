"""The market-data table in PostgreSQL (``AVA_DATABASE_URL`` a PostgreSQL URL): every synced bar,
shared by every API process and worker that reaches the database.

``market_bars`` (market, timeframe, symbol, ts, open, high, low, close, volume, provider) is a
TimescaleDB hypertable when the extension is available (the Docker stack has it), else a table
natively RANGE-partitioned on ``ts`` by year with a DEFAULT partition (so an insert never fails
for want of a partition; :func:`ensure_partitions` adds the yearly ones a write needs).
``market_actions`` keeps splits and dividends apart, as the Parquet store does. Revision 0008
creates both; SQLite databases have neither (the Parquet store under ``$AVA_HOME`` is the store
there).

The Parquet store stays what the panel loader reads (columnar, memory-mapped, per symbol); a
sync mirrors each accepted download here in the same transaction-per-download granularity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import Engine, text

TIMESCALE_DDL = (
    "SELECT create_hypertable('market_bars', 'ts', "
    "chunk_time_interval => INTERVAL '1 year', if_not_exists => TRUE)"
)
"""The TimescaleDB branch: one guarded statement, run only when the extension is installed."""

_COLUMNS = """
    market text NOT NULL,
    timeframe text NOT NULL,
    symbol text NOT NULL,
    ts timestamptz NOT NULL,
    open double precision,
    high double precision,
    low double precision,
    close double precision,
    volume double precision,
    provider text NOT NULL,
    PRIMARY KEY (market, timeframe, symbol, ts)
"""

PARTITIONED_DDL = f"CREATE TABLE IF NOT EXISTS market_bars ({_COLUMNS}) PARTITION BY RANGE (ts)"
PLAIN_DDL = f"CREATE TABLE IF NOT EXISTS market_bars ({_COLUMNS})"
DEFAULT_PARTITION_DDL = (
    "CREATE TABLE IF NOT EXISTS market_bars_default PARTITION OF market_bars DEFAULT"
)
ACTIONS_DDL = """
CREATE TABLE IF NOT EXISTS market_actions (
    market text NOT NULL,
    symbol text NOT NULL,
    date date NOT NULL,
    kind text NOT NULL,
    value double precision NOT NULL,
    provider text NOT NULL,
    PRIMARY KEY (market, symbol, date, kind)
)
"""


def timescale_available(conn: Any) -> bool:
    row = conn.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    ).first()
    return row is not None


def create_schema(conn: Any) -> str:
    """Create the tables on a PostgreSQL connection; returns ``timescaledb`` or ``partitioned``."""
    if timescale_available(conn):
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
        conn.execute(text(PLAIN_DDL))
        conn.execute(text(TIMESCALE_DDL))
        kind = "timescaledb"
    else:
        conn.execute(text(PARTITIONED_DDL))
        conn.execute(text(DEFAULT_PARTITION_DDL))
        kind = "partitioned"
    conn.execute(text(ACTIONS_DDL))
    return kind


def layout(engine: Engine) -> str:
    """``timescaledb``, ``partitioned`` or ``absent`` (SQLite, or not migrated)."""
    if engine.dialect.name != "postgresql":
        return "absent"
    with engine.connect() as conn:
        return layout_of(conn)


def enabled(engine: Engine) -> bool:
    return layout(engine) != "absent"


def ensure_partitions(conn: Any, years: set[int]) -> None:
    """Yearly partitions for ``years`` (partitioned layout only). Rows already sitting in the
    DEFAULT partition for such a year are moved into the new one."""
    for y in sorted(years):
        name = f"market_bars_y{y}"
        exists = conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar()
        if exists:
            continue
        lo, hi = f"{y}-01-01 00:00:00+00", f"{y + 1}-01-01 00:00:00+00"
        conn.execute(
            text(
                f"CREATE TEMP TABLE _moving ON COMMIT DROP AS SELECT * FROM market_bars_default WHERE ts >= '{lo}' AND ts < '{hi}'"
            )
        )
        conn.execute(text(f"DELETE FROM market_bars_default WHERE ts >= '{lo}' AND ts < '{hi}'"))
        conn.execute(
            text(
                f"CREATE TABLE {name} PARTITION OF market_bars FOR VALUES FROM ('{lo}') TO ('{hi}')"
            )
        )
        conn.execute(text("INSERT INTO market_bars SELECT * FROM _moving"))
        conn.execute(text("DROP TABLE _moving"))


def _utc(frame: pl.DataFrame, timeframe: str) -> pl.Series:
    if timeframe == "1d":
        return frame["date"].cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    ts = frame["ts"]
    if ts.dtype.time_zone is None:  # type: ignore[union-attr]
        ts = ts.dt.replace_time_zone("UTC")
    return ts.dt.convert_time_zone("UTC")


def write_bars(
    engine: Engine,
    market: str,
    timeframe: str,
    symbol: str,
    frame: pl.DataFrame,
    provider: str,
    actions: pl.DataFrame | None = None,
) -> int:
    """Upsert one download's bars (and actions) in one transaction; returns the rows written."""
    if frame.height == 0 and (actions is None or actions.height == 0):
        return 0
    ts = _utc(frame, timeframe)
    rows = [
        {
            "market": market, "timeframe": timeframe, "symbol": symbol, "ts": t,
            "open": o, "high": h, "low": lo, "close": c, "volume": v, "provider": provider,
        }
        for t, o, h, lo, c, v in zip(
            ts.to_list(), frame["open"].to_list(), frame["high"].to_list(),
            frame["low"].to_list(), frame["close"].to_list(), frame["volume"].to_list(),
            strict=True,
        )
    ]  # fmt: skip
    with engine.begin() as conn:
        if layout_of(conn) == "partitioned" and rows:
            ensure_partitions(conn, {r["ts"].year for r in rows})
        if rows:
            conn.execute(
                text(
                    "INSERT INTO market_bars (market, timeframe, symbol, ts, open, high, low, "
                    "close, volume, provider) VALUES (:market, :timeframe, :symbol, :ts, :open, "
                    ":high, :low, :close, :volume, :provider) ON CONFLICT (market, timeframe, "
                    "symbol, ts) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, "
                    "low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, "
                    "provider = EXCLUDED.provider"
                ),
                rows,
            )
        if actions is not None and actions.height:
            conn.execute(
                text(
                    "INSERT INTO market_actions (market, symbol, date, kind, value, provider) "
                    "VALUES (:market, :symbol, :date, :kind, :value, :provider) ON CONFLICT "
                    "(market, symbol, date, kind) DO UPDATE SET value = EXCLUDED.value, "
                    "provider = EXCLUDED.provider"
                ),
                [
                    {"market": market, "symbol": symbol, "provider": provider, **a}
                    for a in actions.select("date", "kind", "value").to_dicts()
                ],
            )
    return len(rows)


def layout_of(conn: Any) -> str:
    row = conn.execute(
        text(
            "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'market_bars' AND n.nspname = current_schema()"
        )
    ).first()
    if row is None:
        return "absent"
    return "partitioned" if row[0] == "p" else "timescaledb"


def read_bars(
    engine: Engine,
    market: str,
    timeframe: str,
    symbol: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pl.DataFrame:
    """The stored bars in the Parquet store's layout (``date`` for daily bars, ``ts`` UTC)."""
    sql = (
        "SELECT ts, open, high, low, close, volume FROM market_bars WHERE market = :m AND "
        "timeframe = :tf AND symbol = :s"
    )
    params: dict[str, Any] = {"m": market, "tf": timeframe, "s": symbol}
    if start is not None:
        sql += " AND ts >= :a"
        params["a"] = dt.datetime.combine(start, dt.time(), dt.UTC)
    if end is not None:
        sql += " AND ts < :b"
        params["b"] = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    with engine.connect() as conn:
        rows = conn.execute(text(sql + " ORDER BY ts"), params).all()
    schema = {
        "ts": pl.Datetime("us", "UTC"),
        **{c: pl.Float64 for c in ("open", "high", "low", "close", "volume")},
    }
    frame = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
    if timeframe == "1d":
        return frame.with_columns(pl.col("ts").dt.date().alias("date")).select(
            "date", "open", "high", "low", "close", "volume"
        )
    return frame.with_columns(pl.col("ts").dt.cast_time_unit("ns"))


def partitions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'market_bars' "
                    "ORDER BY c.relname"
                )
            )
        ]


_engines: dict[str, Engine] = {}


def mirror_engine() -> Engine | None:
    """The engine of ``AVA_DATABASE_URL`` when it is PostgreSQL with the table, else None."""
    from ava_backtest.settings import get_settings

    url = get_settings().database_url
    if not url or not url.startswith(("postgresql", "postgres")):
        return None
    engine = _engines.get(url)
    if engine is None:
        from ava_backtest.store.db import make_engine

        engine = _engines[url] = make_engine(url)
    return engine if enabled(engine) else None


def mirror_download(
    market: str,
    timeframe: str,
    symbol: str,
    start: dt.date,
    end: dt.date,
    actions: pl.DataFrame | None,
    vendor: str,
) -> None:
    """A sync's accepted download, as stored, into ``market_bars`` when ``AVA_DATABASE_URL`` is a
    migrated PostgreSQL database (``data.sync.Mirror``); nothing otherwise."""
    from ava_backtest.data import market_store

    engine = mirror_engine()
    if engine is None:
        return
    stored = market_store.read_bars(market, timeframe, symbol)
    if stored is None:
        return
    col = "date" if timeframe == "1d" else "ts"
    lo: object = start
    hi: object = end
    if col == "ts":
        lo = dt.datetime.combine(start, dt.time(), dt.UTC)
        hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    part = stored.filter((pl.col(col) >= lo) & (pl.col(col) <= hi))
    write_bars(engine, market, timeframe, symbol, part, vendor, actions)
