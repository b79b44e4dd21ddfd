"""Tally summaries can be suspended while a first download writes a whole commune.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tally_suspended_triggers",
        sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("sql", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
