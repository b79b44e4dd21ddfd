"""The throttles' token buckets, shared by every server process on one database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Frozen like every revision (op.* calls only).  One row per throttle and key, holding
the moment its bucket is full again (server/shared_limits.py).  On PostgreSQL the table
is UNLOGGED: it is written on every call of every laptop, and what it holds is worth
losing in a crash (the limits start again full, as they do when one process restarts)
rather than a write-ahead-log flush per call.  SQLite servers (one process) keep their
buckets in memory and leave the table empty.  Can be undone: it holds nothing a restart
would not forget anyway.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    unlogged = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "rate_buckets",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("full_at", sa.Double(), nullable=False),
        prefixes=["UNLOGGED"] if unlogged else [],
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
