"""A run's own label: a name, tags and notes someone gave it (``PATCH /backtests/{id}``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

``label_name``, ``label_tags`` (a JSON list of short strings) and ``label_notes`` are what a
person wrote about the run, kept apart from ``notes`` (what the run itself reports). Runs stored
before this revision have them empty.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: no table rebuild on SQLite.
    op.add_column("runs", sa.Column("label_name", sa.String(length=200), nullable=True))
    op.add_column("runs", sa.Column("label_tags", sa.JSON(), nullable=True))
    op.add_column("runs", sa.Column("label_notes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for name in ("label_notes", "label_tags", "label_name"):
            batch.drop_column(name)
