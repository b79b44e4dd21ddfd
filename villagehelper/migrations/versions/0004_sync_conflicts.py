"""Sync conflicts: the same field changed on two laptops, kept for a leader to decide.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("row_id", sa.String(40), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("server_value", sa.Text(), nullable=False),
        sa.Column("device_value", sa.Text(), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("volunteer_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.String(27), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(36), nullable=True),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("sync_state", sa.String(8), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.String(27), nullable=False),
    )
    op.create_index("ix_conflicts_open", "sync_conflicts", ["resolved", "entity", "row_id"])


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
