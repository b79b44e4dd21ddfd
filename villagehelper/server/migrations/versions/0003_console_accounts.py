"""The web console's people: officers, their sessions, wrong sign-ins and the audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Frozen like every revision (op.* calls only).  Times are ``String(27)``, the stored form
of ``UtcDateTime``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("commune_code", sa.String(5), nullable=True),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("created_at", sa.String(27), nullable=False),
    )
    op.create_table(
        "officer_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("officer_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.String(27), nullable=False),
        sa.Column("last_seen_at", sa.String(27), nullable=False),
        sa.Column("expires_at", sa.String(27), nullable=False),
        sa.Column("ended_at", sa.String(27), nullable=True),
    )
    op.create_index("ix_officer_sessions_officer_id", "officer_sessions", ["officer_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("at", sa.String(27), nullable=False),
    )
    op.create_index("ix_sign_in_failures_key", "sign_in_failures", ["kind", "key", "at"])
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(27), nullable=False),
        sa.Column("officer_name", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("address", sa.String(45), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
