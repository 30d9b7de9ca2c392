"""Optimisation studies and their trials.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

``optimizations`` holds one study (request, status, owner, progress, best trial, overfitting and
hold-out panels); ``optimization_trials`` every trial (parameters, state, objective values, all
metrics). Optuna's own tables (``studies``, ``trials`` …) may share the database: the names differ.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "running", "completed", "failed", "cancelled", "interrupted")


def upgrade() -> None:
    op.create_table(
        "optimizations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("strategy_name", sa.String(), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("universe", sa.String(), nullable=True),
        sa.Column("symbols", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("sampler", sa.String(length=16), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("n_trials", sa.Integer(), nullable=False),
        sa.Column("trials_done", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column("best_trial", sa.Integer(), nullable=True),
        sa.Column("best_params", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("best_value", sa.Float(), nullable=True),
        sa.Column("pareto", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("overfitting", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("holdout", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("code_version", sa.String(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")",
            name="ck_optimizations_status",
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="ck_optimizations_progress"),
        sa.PrimaryKeyConstraint("id", name="pk_optimizations"),
    )
    for col in ("status", "strategy_name", "created_at", "owner"):
        op.create_index(f"ix_optimizations_{col}", "optimizations", [col])
    op.create_table(
        "optimization_trials",
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("objective_values", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["optimizations.id"],
            name="fk_optimization_trials_study_id_optimizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("study_id", "number", name="pk_optimization_trials"),
    )


def downgrade() -> None:
    op.drop_table("optimization_trials")
    for col in ("status", "strategy_name", "created_at", "owner"):
        op.drop_index(f"ix_optimizations_{col}", table_name="optimizations")
    op.drop_table("optimizations")
