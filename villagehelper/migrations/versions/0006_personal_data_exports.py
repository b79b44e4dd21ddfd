"""A record of every export of residents' personal data.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personal_data_exports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(27), nullable=False),
        sa.Column("what", sa.String(20), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(260), nullable=False),
        sa.Column("team_member_id", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
