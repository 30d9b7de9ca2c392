"""Durable storage for runs, their trades and equity curves, and custom universes.

SQLite file by default (``$AVA_HOME/ava.db``), PostgreSQL with ``AVA_DATABASE_URL``. The schema is
owned by the Alembic migrations shipped in ``store/migrations`` and applied by :func:`migrate`.
"""

from __future__ import annotations

from ava_backtest.store.db import database_url, make_engine, migrate, session_factory
from ava_backtest.store.repository import RUN_STATUSES, TERMINAL_STATUSES, RunStore

__all__ = [
    "RUN_STATUSES",
    "TERMINAL_STATUSES",
    "RunStore",
    "database_url",
    "make_engine",
    "migrate",
    "session_factory",
]
