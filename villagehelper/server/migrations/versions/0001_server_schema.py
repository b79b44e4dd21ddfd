"""The commune server's schema as it stood when it came under Alembic.

Revision ID: 0001
Revises:
Create Date: 2026-12-06

Frozen: written out table by table, never made from the live models, so a later change
to ``tables.py`` does not change what this revision does (a later revision does that).
Times are ``String(27)``, the stored form of ``UtcDateTime``.  Constraints keep the names
the databases gave them before (PostgreSQL's ``records_version_key``, ``…_pkey``).

Adopting: a database the server made before Alembic (``create_all`` and ``schema_info``
version 1, no ``alembic_version``) holds the tables its server knew; that server made the
missing ones at every start, the first builds lacked ``enrolment_codes.attempt_hash``.
``schema_upgrade`` runs this revision over such a database with ``adopt_existing_tables``
set: it then makes only what is missing, keeps every row, and the database is stamped 0001.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The attribute schema_upgrade sets when it adopts a database made before Alembic.
ADOPTING = "adopt_existing_tables"


def _time(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(27), nullable=nullable)


def _schema_info() -> None:
    op.create_table(
        "schema_info",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def _feed_counter() -> None:
    op.create_table(
        "feed_counter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )


def _communes() -> None:
    op.create_table(
        "communes",
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        _time("created_at"),
    )


def _enrolment_codes() -> None:
    op.create_table(
        "enrolment_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        _time("used_at", nullable=True),
        sa.Column("used_by", sa.String(36), nullable=True),
        sa.Column("attempt_hash", sa.String(64), nullable=True),
    )


def _devices() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _time("created_at"),
        _time("revoked_at", nullable=True),
        _time("last_seen_at", nullable=True),
    )
    op.create_index("ix_devices_commune_code", "devices", ["commune_code"])


def _records() -> None:
    op.create_table(
        "records",
        sa.Column("entity", sa.String(32), primary_key=True),
        sa.Column("row_id", sa.String(40), primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("field_versions", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("household_id", sa.String(36), nullable=True),
        sa.UniqueConstraint("version"),
    )
    op.create_index("ix_records_household_id", "records", ["household_id"])
    op.create_index("ix_records_feed", "records", ["commune_code", "version"])


def _received_changes() -> None:
    op.create_table(
        "received_changes",
        sa.Column("change_id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )


def _audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _time("at"),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("team_member_id", sa.String(36), nullable=True),
        sa.Column("change_id", sa.String(36), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("row_id", sa.String(40), nullable=False),
        sa.Column("op", sa.String(12), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
    )


def _device_histories() -> None:
    op.create_table(
        "device_histories",
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("last_change_id", sa.String(36), nullable=True),
        sa.Column("origin_id", sa.String(36), nullable=True),
    )
    op.create_index("ix_device_histories_origin_id", "device_histories", ["origin_id"])


def _server_epochs() -> None:
    op.create_table(
        "server_epochs",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("epoch_id", sa.String(36), nullable=False),
        sa.Column("feed_start", sa.BigInteger(), nullable=False),
        _time("started_at"),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.UniqueConstraint("epoch_id"),
    )


def _quarantined_rows() -> None:
    op.create_table(
        "quarantined_rows",
        sa.Column("commune_code", sa.String(5), primary_key=True),
        sa.Column("entity", sa.String(40), primary_key=True),
        sa.Column("row_id", sa.String(40), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(120), nullable=False),
        _time("found_at"),
    )


def _device_stamps() -> None:
    op.create_table(
        "device_stamps",
        sa.Column("stamp", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_device_stamps_device_id", "device_stamps", ["device_id"])


def _healing_devices() -> None:
    op.create_table(
        "healing_devices",
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("epoch_id", sa.String(36), nullable=False),
    )


def _waiting_restatements() -> None:
    op.create_table(
        "waiting_restatements",
        sa.Column("change_id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("team_member_id", sa.String(36), nullable=True),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("row_id", sa.String(40), nullable=False),
        sa.Column("base_version", sa.BigInteger(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("waits_entity", sa.String(32), nullable=False),
        sa.Column("waits_id", sa.String(40), nullable=False),
        _time("held_at"),
    )
    op.create_index(
        "ix_waiting_restatements_commune_code", "waiting_restatements", ["commune_code"]
    )


_TABLES: dict[str, Callable[[], None]] = {
    "schema_info": _schema_info,
    "feed_counter": _feed_counter,
    "communes": _communes,
    "enrolment_codes": _enrolment_codes,
    "devices": _devices,
    "records": _records,
    "received_changes": _received_changes,
    "audit_log": _audit_log,
    "device_histories": _device_histories,
    "server_epochs": _server_epochs,
    "quarantined_rows": _quarantined_rows,
    "device_stamps": _device_stamps,
    "healing_devices": _healing_devices,
    "waiting_restatements": _waiting_restatements,
}


def upgrade() -> None:
    if not context.config.attributes.get(ADOPTING, False):
        for create in _TABLES.values():
            create()
        return
    inspector = sa.inspect(op.get_bind())
    present = set(inspector.get_table_names())
    for name, create in _TABLES.items():
        if name not in present:
            create()
    if "enrolment_codes" in present and "attempt_hash" not in {
        column["name"] for column in inspector.get_columns("enrolment_codes")
    }:
        op.add_column("enrolment_codes", sa.Column("attempt_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
