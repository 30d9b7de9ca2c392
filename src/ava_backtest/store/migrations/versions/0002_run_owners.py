"""Run ownership: which API process runs a run, and whether that process is still alive.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

Several API processes may share one database. Each registers itself in ``run_owners`` and beats
its heartbeat there; each run it accepts records that process in ``runs.owner``. A cancel sent to
another process sets ``runs.cancel_requested``, which the owner polls.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_owners",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_run_owners"),
    )
    # Plain ADD COLUMN (SQLite has it): no table rebuild, which on SQLite would cascade-delete
    # every run's trades while the old table is dropped.
    op.add_column("runs", sa.Column("owner", sa.String(length=64), nullable=True))
    op.add_column("runs", sa.Column("cancel_requested", sa.Boolean(), nullable=True))
    op.create_index("ix_runs_owner", "runs", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_runs_owner", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("cancel_requested")
        batch.drop_column("owner")
    op.drop_table("run_owners")
