"""Installers of the app the commune publishes for its laptops (``publish-update``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

A revision of the commune server's database (SQLite or PostgreSQL): frozen, written out
with op.* calls, never the live models or code that can change later.  Times are
``String(27)``, the stored form of ``UtcDateTime``.  A database adopted from before
Alembic gets the table here like any other: no server before this one made it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_updates",
        sa.Column("platform", sa.String(10), primary_key=True),
        sa.Column("version", sa.String(16), primary_key=True),
        sa.Column("filename", sa.String(160), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("published_at", sa.String(27), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
