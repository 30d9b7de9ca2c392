"""Trades keep their real fills and the same trade on the adjusted price scale.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

``entry_price``/``qty`` are the entry fill as it happened, ``exit_qty`` the shares sold at exit
(they differ when a split happened while the trade was open); ``entry_price_adj``,
``exit_price_adj`` and ``qty_adj`` are the trade on the adjusted price scale the strategy and the
adjusted chart use. Runs stored before this revision have them empty.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("exit_qty", "entry_price_adj", "exit_price_adj", "qty_adj")


def upgrade() -> None:
    # Plain ADD COLUMN: no table rebuild on SQLite.
    for name in COLUMNS:
        op.add_column("trades", sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trades") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
