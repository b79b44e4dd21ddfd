"""The feed's lock and end kept per commune (feed_communes), in place of the one
feed_counter row every push of every commune waited for (feed_clock.py says why).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Frozen like every revision (op.* calls only).  Every commune the database knows (and
the catalog, "") starts at the old counter's value: every laptop's cursor, epoch marker,
replica cursor and snapshot stays valid, as no feed's end moves.  On PostgreSQL the
versions themselves come from the sequence feed_versions from here on, started above
that value.  Undone, the old counter takes the highest version any commune reached.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_communes",
        sa.Column("commune_code", sa.String(5), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    connection = op.get_bind()
    reached = connection.execute(sa.text("SELECT max(value) FROM feed_counter")).scalar()
    reached = int(reached or 0)
    codes = {""}
    codes.update(connection.execute(sa.text("SELECT code FROM communes")).scalars())
    codes.update(connection.execute(sa.text("SELECT DISTINCT commune_code FROM records")).scalars())
    if codes:
        connection.execute(
            sa.text("INSERT INTO feed_communes (commune_code, value) VALUES (:code, :value)"),
            [{"code": code, "value": reached} for code in sorted(codes)],
        )
    if connection.dialect.name == "postgresql":
        op.execute(f"CREATE SEQUENCE feed_versions AS bigint START WITH {reached + 1}")
    op.drop_table("feed_counter")


def downgrade() -> None:
    op.create_table(
        "feed_counter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.execute(
        "INSERT INTO feed_counter (id, value) SELECT 1, coalesce(max(value), 0) FROM feed_communes"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE feed_versions")
    op.drop_table("feed_communes")
