"""Each laptop's changes waiting to go up, as it said on its last noted call, for the
console's laptops page.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

Frozen like every revision (op.* calls only).  Nullable: a laptop that has not said
(an older app, or none since this revision) is shown as not known.  Unlike the earlier
revisions this one can be undone: the column holds only what the laptops say again at
their next sync, so dropping it loses nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as table:
        table.add_column(sa.Column("waiting_changes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as table:
        table.drop_column("waiting_changes")
