"""Consent with who recorded it and its withdrawal; erasure of residents on request.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Plain nullable columns: SQLite adds them without rebuilding the tables (and so without
touching the tally triggers on households).  A column already there is left as it is:
the migration tests write an older database with today's code, which needs them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _add(table: str, column: sa.Column[object]) -> None:
    present = {found["name"] for found in sa.inspect(op.get_bind()).get_columns(table)}
    if column.name not in present:
        op.add_column(table, column)


def upgrade() -> None:
    _add("members", sa.Column("consent_recorded_by", sa.String(36), nullable=True))
    _add("members", sa.Column("consent_withdrawn_date", sa.Date(), nullable=True))
    _add("members", sa.Column("consent_withdrawn_by", sa.String(36), nullable=True))
    for table in ("households", "members"):
        _add(table, sa.Column("erased_at", sa.String(27), nullable=True))
        _add(table, sa.Column("erased_by", sa.String(36), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
