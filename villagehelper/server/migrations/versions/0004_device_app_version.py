"""Each laptop's app version and platform as it last said, for the console's laptops page.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

Frozen like every revision (op.* calls only).  Both nullable: a laptop enrolled before
this revision has said nothing yet.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as table:
        table.add_column(sa.Column("app_version", sa.String(32), nullable=True))
        table.add_column(sa.Column("platform", sa.String(10), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
