"""The store's database plumbing: URLs, engines, and migrations that match the models."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from ava_backtest.store.db import (
    VERSION_TABLE,
    current_revision,
    database_url,
    make_engine,
    migrate,
    schema_diff,
    session_factory,
)
from ava_backtest.store.models import Base, Run

TABLES = {"runs", "trades", "equity_points", "custom_universes", "run_owners"}
HEAD = "0008"  # the newest migration


def test_database_url_prefers_argument_then_env_then_ava_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_DATABASE_URL", "sqlite:///from-env.db")
    assert database_url("sqlite:///given.db") == "sqlite:///given.db"
    assert database_url() == "sqlite:///from-env.db"
    monkeypatch.delenv("AVA_DATABASE_URL")
    home = tmp_path / "home" / "nested"
    monkeypatch.setenv("AVA_HOME", str(home))
    assert database_url() == f"sqlite:///{home / 'ava.db'}"
    assert home.is_dir()
    monkeypatch.delenv("AVA_HOME")
    monkeypatch.chdir(tmp_path)
    assert database_url() == f"sqlite:///{tmp_path.resolve() / '.ava' / 'ava.db'}"
    assert (tmp_path / ".ava").is_dir()


def test_database_url_gives_postgres_the_psycopg_driver():
    assert (
        database_url("postgresql://u:p%40ss@h:5432/db") == "postgresql+psycopg://u:p%40ss@h:5432/db"
    )
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_sqlite_engine_settings(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'a.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        # usable from another thread (check_same_thread=False, pooled connection)
        out: list[int] = []
        t = threading.Thread(target=lambda: out.append(_select_one(engine)))
        t.start()
        t.join()
        assert out == [1]
    finally:
        engine.dispose()


def _select_one(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar_one()


def test_migrations_are_idempotent_and_match_models(db_url):
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        migrate(engine)  # every start-up calls it: the second is a no-op
        assert current_revision(engine) == HEAD
        names = set(inspect(engine).get_table_names())
        assert names >= TABLES | {VERSION_TABLE}
        assert "alembic_version" not in names  # Ava keeps its own version table
        with engine.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar_one() == 1
        assert schema_diff(engine) == []
        # and the same through alembic's own API, spelled out
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
            )
            diff = compare_metadata(ctx, Base.metadata)
        # Revision 0008's market-data tables (PostgreSQL only) are SQL-managed, not models:
        # a partitioned table and its partitions (or a hypertable) have no declarative form.
        market = [d for d in diff if d[0] == "remove_table" and d[1].name.startswith("market_")]
        assert [d for d in diff if d not in market] == []
        assert {d[1].name for d in market} <= {
            "market_bars",
            "market_bars_default",
            "market_actions",
        }
        idx = {i["name"] for i in inspect(engine).get_indexes("runs")}
        assert {
            "ix_runs_status",
            "ix_runs_strategy_name",
            "ix_runs_market",
            "ix_runs_created_at",
        } <= idx
        assert inspect(engine).get_pk_constraint("trades")["constrained_columns"] == [
            "run_id",
            "seq",
        ]
        fks = inspect(engine).get_foreign_keys("trades")
        assert fks[0]["referred_table"] == "runs"
        assert (fks[0].get("options") or {}).get("ondelete", "").upper() == "CASCADE"
    finally:
        engine.dispose()


_CHILD = """
import sys, time
from ava_backtest.store.db import make_engine, migrate
engine = make_engine(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
migrate(engine)
engine.dispose()
"""


def test_migrate_from_processes_starting_together(db_url):
    """Three processes start at the same instant on an empty database: all succeed and the schema
    is created once (without the advisory lock two of them fail on PostgreSQL)."""
    start_at = time.time() + 2.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, db_url, str(start_at)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=90)
        assert p.returncode == 0, err
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == HEAD
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_migrate_from_threads_at_once(db_url):
    engines = [make_engine(db_url) for _ in range(3)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(engines))

    def start(engine) -> None:
        try:
            barrier.wait()
            migrate(engine)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert errors == []
        assert current_revision(engines[0]) == HEAD
    finally:
        for e in engines:
            e.dispose()


def test_session_factory_uses_typed_models(db_url):
    import datetime as dt

    engine = make_engine(db_url)
    try:
        migrate(engine)
        Session = session_factory(engine)
        with Session() as s, s.begin():
            s.add(
                Run(
                    id="a" * 32,
                    status="queued",
                    strategy_name="x",
                    market="US",
                    symbols=["AAPL"],
                    config={},
                    params={},
                    created_at=dt.datetime(
                        2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))
                    ),
                )
            )
        with Session() as s:
            run = s.get(Run, "a" * 32)
            assert run is not None
            assert run.created_at == dt.datetime(2024, 1, 2, 1, 4, 5, tzinfo=dt.UTC)
            assert run.created_at.tzinfo is dt.UTC
            assert run.progress == 0.0
    finally:
        engine.dispose()


def test_upgrading_to_run_owners_keeps_every_run_and_its_trades(db_url):
    """0002 adds columns in place: on SQLite a table rebuild would drop ``runs`` and its
    ON DELETE CASCADE would take every trade with it."""
    engine = make_engine(db_url)
    try:
        migrate(engine, "0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO runs (id, status, strategy_name, market, symbols, config, params,"
                    " created_at, progress) VALUES ('r1', 'completed', 's', 'US', '[]', '{}', '{}',"
                    " CURRENT_TIMESTAMP, 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO trades (run_id, seq, symbol, direction, entry_time, exit_time,"
                    " entry_price, exit_price, qty, pnl_gross, fees, dividends, pnl_net,"
                    " exit_reason, bars_held) VALUES ('r1', 0, 'AAPL', 'long', CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP, 1, 2, 1, 1, 0, 0, 1, 'signal', 1)"
                )
            )
        migrate(engine)
        assert current_revision(engine) == HEAD
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM trades")).scalar_one() == 1
            row = conn.execute(text("SELECT owner, cancel_requested FROM runs")).one()
        assert tuple(row) == (None, None)  # a run from before ownership: no owner
        assert schema_diff(engine) == []
    finally:
        engine.dispose()
