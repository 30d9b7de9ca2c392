"""Engines, sessions and migrations.

- :func:`database_url` picks the database: an explicit URL, else the settings'
  (``AVA_DATABASE_URL``, or the original platform's ``DATABASE_URL``), else a SQLite file at
  ``$AVA_HOME/ava.db`` (``AVA_HOME`` defaults to ``./.ava``).
- :func:`make_engine` builds an engine tuned for the backend: SQLite gets WAL, foreign keys, a busy
  timeout and real transactions (DDL included); PostgreSQL gets ``pool_pre_ping``.
- :func:`migrate` applies the Alembic migrations shipped in this package, programmatically (no
  ``alembic.ini``). It is idempotent and safe for several processes starting at once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Ava's own version table, so a database shared with another Alembic user (Optuna's RDB storage
# keeps its own ``alembic_version``) never confuses the two.
VERSION_TABLE = "ava_alembic_version"
# pg_advisory_xact_lock key serialising concurrent upgrades (any fixed int64; "ava:mig").
_PG_MIGRATION_LOCK = 0x6176613A6D6967
SQLITE_BUSY_TIMEOUT_MS = 30_000
_SQLITE_BEGIN = "ava_sqlite_begin"
# Alembic's ``context``/``op`` are process-wide proxies: one upgrade at a time per process.
_MIGRATE_LOCK = threading.Lock()


def database_url(url: str | None = None) -> str:
    """The database URL: ``url``, else the settings' (``AVA_DATABASE_URL`` or ``DATABASE_URL``),
    else ``sqlite:///$AVA_HOME/ava.db``.

    Every PostgreSQL form (``postgresql://``, ``postgres://``, the original platform's
    ``postgresql+asyncpg://``) is given the psycopg 3 driver. For the default SQLite file,
    ``AVA_HOME`` (default ``./.ava``) is created.
    """
    from ava_backtest.settings import get_settings, normalise_database_url

    if url:
        return normalise_database_url(url)
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    home = settings.home_dir()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'ava.db'}"


def _normalise(url: URL) -> URL:
    if url.drivername in ("postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg2"):
        return url.set(drivername="postgresql+psycopg")
    return url


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default :func:`database_url`). Extra kwargs go to ``create_engine``.

    The engine is thread-safe; share one per process and call ``dispose()`` at shutdown.
    """
    u = _normalise(make_url(database_url(url)))
    if u.get_backend_name() == "sqlite":
        return _sqlite_engine(u, **kwargs)
    if u.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
    return create_engine(u, **kwargs)


def _sqlite_engine(u: URL, **kwargs: Any) -> Engine:
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    if _is_memory(u):
        kwargs.setdefault("poolclass", StaticPool)  # one shared in-memory database
    elif u.database:
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(u, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide where transactions begin: with pysqlite's legacy
        # behaviour DDL runs outside transactions and SAVEPOINTs misbehave.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=NORMAL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # ``IMMEDIATE`` takes the write lock up front (waiting up to the busy timeout) so a
        # writer never fails half-way with SQLITE_BUSY; readers use a plain deferred BEGIN.
        mode = conn.get_execution_options().get(_SQLITE_BEGIN, "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def write_options(engine: Engine) -> dict[str, Any]:
    """Execution options for a connection about to write (``BEGIN IMMEDIATE`` on SQLite)."""
    return {_SQLITE_BEGIN: "IMMEDIATE"} if engine.dialect.name == "sqlite" else {}


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A ``sessionmaker`` bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None) -> Any:
    """An Alembic ``Config`` built in code, pointing at the migrations inside this package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", VERSION_TABLE)
    if engine is not None:
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """``alembic upgrade head`` on ``engine``: idempotent, safe to call at every start-up.

    The whole upgrade runs in one transaction. On PostgreSQL a transaction-scoped advisory lock
    serialises processes starting together (the second sees the first's work and does nothing);
    on SQLite ``BEGIN IMMEDIATE`` does the same through the database's write lock. Within one
    process, upgrades are serialised too (Alembic's ``context`` is process-global).
    """
    from alembic import command

    cfg = alembic_config(engine)
    with _MIGRATE_LOCK, engine.connect() as conn:
        conn.execution_options(**write_options(engine))
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None before the first migration)."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def schema_diff(engine: Engine) -> list[Any]:
    """Alembic's ``compare_metadata`` between the models and the database: ``[]`` when they agree.

    Tables that are not Ava's (another application's in a shared database) are ignored.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ava_backtest.store.models import Base

    ours = set(Base.metadata.tables)

    def include_name(name: str | None, type_: str, _parent: Any) -> bool:
        return type_ != "table" or name in ours

    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "version_table": VERSION_TABLE,
                "compare_type": True,
                "compare_server_default": True,
                "include_name": include_name,
            },
        )
        return list(compare_metadata(ctx, Base.metadata))
