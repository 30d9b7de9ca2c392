"""Alembic environment for Ava's store, run programmatically by ``ava_backtest.store.db.migrate``.

``migrate`` hands over an open connection (already inside a transaction, holding the migration
lock) through ``config.attributes["connection"]``. Run by hand (``alembic`` with a Config from
``ava_backtest.store.db.alembic_config``), an engine is built from the configured URL or
``database_url()``.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from ava_backtest.store.db import VERSION_TABLE, make_engine
from ava_backtest.store.models import Base

config = context.config
target_metadata = Base.metadata
_ours = set(target_metadata.tables)


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    # Autogenerate only looks at Ava's tables; another application's in a shared database stay
    # out of the diff.
    return type_ != "table" or name in _ours


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=config.get_main_option("version_table") or VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        version_table=config.get_main_option("version_table") or VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
