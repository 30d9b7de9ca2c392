"""Walk-forward analyses and their windows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

``walk_forwards`` holds one analysis (request, status, owner, progress, efficiency and the
stitched out-of-sample record in ``result``); ``walk_forward_windows`` one row per window (its
in-sample and out-of-sample spans, the parameters chosen in sample, both sides' metrics).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "running", "completed", "failed", "cancelled", "interrupted")
INDEXED = ("status", "strategy_name", "created_at", "owner")


def upgrade() -> None:
    op.create_table(
        "walk_forwards",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("strategy_name", sa.String(), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("universe", sa.String(), nullable=True),
        sa.Column("symbols", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("objective", sa.String(length=64), nullable=False),
        sa.Column("n_windows", sa.Integer(), nullable=False),
        sa.Column("windows_done", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column("efficiency", sa.Float(), nullable=True),
        sa.Column("oos_return", sa.Float(), nullable=True),
        sa.Column("result", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("runner", sa.String(length=128), nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("code_version", sa.String(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")",
            name="ck_walk_forwards_status",
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="ck_walk_forwards_progress"),
        sa.PrimaryKeyConstraint("id", name="pk_walk_forwards"),
    )
    for col in INDEXED:
        op.create_index(f"ix_walk_forwards_{col}", "walk_forwards", [col])
    op.create_table(
        "walk_forward_windows",
        sa.Column("walk_forward_id", sa.String(length=32), nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_start", sa.Date(), nullable=False),
        sa.Column("is_end", sa.Date(), nullable=False),
        sa.Column("oos_start", sa.Date(), nullable=False),
        sa.Column("oos_end", sa.Date(), nullable=False),
        sa.Column("params", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("is_value", sa.Float(), nullable=True),
        sa.Column("oos_value", sa.Float(), nullable=True),
        sa.Column("is_metrics", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("oos_metrics", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("trials", sa.Integer(), nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["walk_forward_id"],
            ["walk_forwards.id"],
            name="fk_walk_forward_windows_walk_forward_id_walk_forwards",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("walk_forward_id", "index", name="pk_walk_forward_windows"),
    )


def downgrade() -> None:
    op.drop_table("walk_forward_windows")
    for col in INDEXED:
        op.drop_index(f"ix_walk_forwards_{col}", table_name="walk_forwards")
    op.drop_table("walk_forwards")
