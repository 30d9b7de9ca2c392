"""The market-data table on the real PostgreSQL: revision 0008, native range partitioning (no
TimescaleDB package is installable here; its branch is one guarded statement, checked as text),
upserts, and a sync mirroring every accepted download."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import text

from ava_backtest.store import market_data
from ava_backtest.store.db import make_engine, migrate
from tests.data.market_fixtures import ListProvider, make_bars

D = dt.date


@pytest.fixture
def engine(pg_url):
    e = make_engine(pg_url)
    migrate(e)
    try:
        yield e
    finally:
        e.dispose()


def test_timescale_branch_is_one_guarded_statement():
    assert market_data.TIMESCALE_DDL == (
        "SELECT create_hypertable('market_bars', 'ts', "
        "chunk_time_interval => INTERVAL '1 year', if_not_exists => TRUE)"
    )

    class Recorder:
        def __init__(self, available: bool) -> None:
            self.available, self.sql = available, []

        def execute(self, stmt, params=None):
            self.sql.append(str(stmt))
            outer = self

            class R:
                def first(self):
                    return (1,) if outer.available else None

            return R()

    with_ts = Recorder(True)
    assert market_data.create_schema(with_ts) == "timescaledb"
    assert market_data.TIMESCALE_DDL in with_ts.sql
    assert "CREATE EXTENSION IF NOT EXISTS timescaledb" in with_ts.sql
    assert not any("PARTITION BY" in s for s in with_ts.sql)
    without = Recorder(False)
    assert market_data.create_schema(without) == "partitioned"
    assert market_data.TIMESCALE_DDL not in without.sql
    assert any("PARTITION BY RANGE (ts)" in s for s in without.sql)


def test_migration_creates_a_partitioned_table_on_plain_postgresql(engine):
    with engine.connect() as conn:
        has_ts = market_data.timescale_available(conn)
    if has_ts:
        assert market_data.layout(engine) == "timescaledb"
        return
    assert market_data.layout(engine) == "partitioned"
    assert market_data.partitions(engine) == ["market_bars_default"]


def test_upsert_read_back_and_yearly_partitions(engine):
    bars = make_bars("US", "XYZ", D(2023, 11, 1), D(2024, 2, 29))
    acts = pl.DataFrame(
        {"date": [D(2024, 1, 10)], "kind": ["dividend"], "value": [0.25]},
        schema={"date": pl.Date, "kind": pl.Utf8, "value": pl.Float64},
    )
    n = market_data.write_bars(engine, "US", "1d", "XYZ", bars, "fmp", acts)
    assert n == bars.height
    back = market_data.read_bars(engine, "US", "1d", "XYZ")
    assert back.equals(bars.select(back.columns))
    # idempotent: the same download again changes nothing
    market_data.write_bars(engine, "US", "1d", "XYZ", bars, "fmp", acts)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM market_bars")).scalar() == bars.height
        assert conn.execute(text("SELECT count(*) FROM market_actions")).scalar() == 1
        if market_data.layout(engine) == "partitioned":
            in_2024 = conn.execute(text("SELECT count(*) FROM market_bars_y2024")).scalar()
            assert in_2024 == bars.filter(pl.col("date") >= D(2024, 1, 1)).height
            assert conn.execute(text("SELECT count(*) FROM market_bars_default")).scalar() == 0
    part = market_data.read_bars(engine, "US", "1d", "XYZ", D(2024, 1, 1), D(2024, 1, 31))
    assert part["date"].min() == D(2024, 1, 2) and part["date"].max() == D(2024, 1, 31)


def test_a_sync_mirrors_each_download_into_postgresql(engine, pg_url, tmp_path, monkeypatch):
    from ava_backtest.data import market_store
    from ava_backtest.data.sync import sync_symbols

    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    monkeypatch.setenv("AVA_DATABASE_URL", pg_url)
    p = ListProvider()
    state = sync_symbols(
        "US", ["AAA", "BBB"], D(2023, 1, 1), D(2023, 3, 31), providers=[p], auxiliary=False,
        mirror=market_data.mirror_download,
    )  # fmt: skip
    assert state.errors == []
    for sym in ("AAA", "BBB"):
        local = market_store.read_bars("US", "1d", sym)
        remote = market_data.read_bars(engine, "US", "1d", sym)
        assert local is not None and remote.equals(local.select(remote.columns))


def test_ava_data_sync_mirrors_into_postgresql(engine, pg_url, tmp_path, monkeypatch):
    """The CLI passes the store's mirror to the sync (data never imports the store itself)."""
    from typer.testing import CliRunner

    from ava_backtest.cli.app import app
    from tests.fakes.vendors import FakeVendors

    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    monkeypatch.setenv("AVA_DATABASE_URL", pg_url)
    with FakeVendors(symbols={"MSFT"}) as fake:
        fake.apply(monkeypatch)
        r = CliRunner().invoke(
            app,
            ["data", "sync", "--symbols", "MSFT", "--provider", "fmp", "--start", "2024-01-02",
             "--end", "2024-01-31"],
        )  # fmt: skip
    assert r.exit_code == 0, r.output
    remote = market_data.read_bars(engine, "US", "1d", "MSFT")
    assert remote.height == 21  # NYSE sessions of January 2024
