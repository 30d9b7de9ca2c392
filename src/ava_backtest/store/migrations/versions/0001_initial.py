"""Initial schema: runs, trades, equity points, custom universes.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Written by hand from the models in ``ava_backtest.store.models`` (no model imports here: a
migration describes the schema as it was). Timestamps are ``timestamptz`` on PostgreSQL and UTC
on SQLite; JSON columns are ``json``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "running", "completed", "failed", "cancelled", "interrupted")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("strategy_name", sa.String(), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("universe", sa.String(), nullable=True),
        sa.Column("symbols", sa.JSON(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("code_version", sa.String(), nullable=True),
        sa.Column("data_fingerprint", sa.String(), nullable=True),
        sa.Column("metrics", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("currency", sa.String(length=16), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=True),
        sa.Column("effective_start", sa.Date(), nullable=True),
        sa.Column("notes", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("n_trades", sa.Integer(), nullable=True),
        sa.Column("final_equity", sa.Float(), nullable=True),
        sa.Column("timings", sa.JSON(none_as_null=True), nullable=True),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="ck_runs_status"
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="ck_runs_progress"),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_index("ix_runs_strategy_name", "runs", ["strategy_name"])
    op.create_index("ix_runs_market", "runs", ["market"])
    op.create_index("ix_runs_created_at", "runs", ["created_at"])

    op.create_table(
        "trades",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("entry_time", sa.DateTime(), nullable=False),
        sa.Column("exit_time", sa.DateTime(), nullable=False),
        sa.Column("entry_price", sa.Float(), nullable=False),
        sa.Column("exit_price", sa.Float(), nullable=False),
        sa.Column("qty", sa.Float(), nullable=False),
        sa.Column("pnl_gross", sa.Float(), nullable=False),
        sa.Column("fees", sa.Float(), nullable=False),
        sa.Column("dividends", sa.Float(), nullable=False),
        sa.Column("pnl_net", sa.Float(), nullable=False),
        sa.Column("return_pct", sa.Float(), nullable=True),
        sa.Column("exit_reason", sa.String(length=32), nullable=False),
        sa.Column("bars_held", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_trades_run_id_runs", ondelete="CASCADE"
        ),
        # The primary key is the (run_id, seq) index pages and sorts start from.
        sa.PrimaryKeyConstraint("run_id", "seq", name="pk_trades"),
    )

    op.create_table(
        "equity_points",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("equity", sa.Float(), nullable=False),
        sa.Column("cash", sa.Float(), nullable=True),
        sa.Column("drawdown", sa.Float(), nullable=True),
        sa.Column("exposure", sa.Float(), nullable=True),
        sa.Column("benchmark", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_equity_points_run_id_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name="pk_equity_points"),
    )

    op.create_table(
        "custom_universes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("symbols", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_custom_universes"),
        sa.UniqueConstraint("name", name="uq_custom_universes_name"),
    )


def downgrade() -> None:
    op.drop_table("custom_universes")
    op.drop_table("equity_points")
    op.drop_table("trades")
    op.drop_index("ix_runs_created_at", table_name="runs")
    op.drop_index("ix_runs_market", table_name="runs")
    op.drop_index("ix_runs_strategy_name", table_name="runs")
    op.drop_index("ix_runs_status", table_name="runs")
    op.drop_table("runs")
