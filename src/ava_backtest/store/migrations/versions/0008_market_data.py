"""The market-data tables on PostgreSQL: ``market_bars`` and ``market_actions``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

``market_bars`` is a TimescaleDB hypertable when the extension is available, else natively
RANGE-partitioned on ``ts`` (yearly partitions are added as data arrives, a DEFAULT partition
catches the rest); see ``ava_backtest.store.market_data``. SQLite databases get nothing: there
the Parquet store under ``$AVA_HOME/market-data`` is the market-data store.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from ava_backtest.store.market_data import create_schema

    create_schema(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS market_actions")
    op.execute("DROP TABLE IF EXISTS market_bars CASCADE")
