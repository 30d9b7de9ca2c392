"""Universe screens and their rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

``screens`` holds one screen (the run config shared by every symbol, status, owner, progress,
where it ran); ``screen_rows`` one row per symbol (its headline metrics, or why it did not run,
and the backtest run created from it when someone opens it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "running", "completed", "failed", "cancelled", "interrupted")
INDEXED = ("status", "strategy_name", "created_at", "owner")


def upgrade() -> None:
    op.create_table(
        "screens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("strategy_name", sa.String(), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("universe", sa.String(), nullable=True),
        sa.Column("symbols", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("n_symbols", sa.Integer(), nullable=False),
        sa.Column("symbols_done", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column("runner", sa.String(length=128), nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("code_version", sa.String(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")",
            name="ck_screens_status",
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="ck_screens_progress"),
        sa.PrimaryKeyConstraint("id", name="pk_screens"),
    )
    for col in INDEXED:
        op.create_index(f"ix_screens_{col}", "screens", [col])
    op.create_table(
        "screen_rows",
        sa.Column("screen_id", sa.String(length=32), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("metrics", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("bars", sa.Integer(), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["screen_id"],
            ["screens.id"],
            name="fk_screen_rows_screen_id_screens",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("screen_id", "symbol", name="pk_screen_rows"),
    )


def downgrade() -> None:
    op.drop_table("screen_rows")
    for col in INDEXED:
        op.drop_index(f"ix_screens_{col}", table_name="screens")
    op.drop_table("screens")
