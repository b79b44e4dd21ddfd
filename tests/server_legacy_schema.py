"""A commune server database as the server made it before its schema came under Alembic,
frozen here for tests/test_server_migrations.py: the models of that time, ``create_all``,
then ``schema_info`` (version 1), the feed counter and the catalog, written as that code
wrote them, and a commune's rows in every table.

``LAST`` is the schema at the last build before Alembic; ``FIRST`` that of the first
build (eight tables, no ``enrolment_codes.attempt_hash``): that code completed whatever
was missing with ``create_all`` at each start, so a commune server may carry either.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

PRE_ALEMBIC_VERSION = 1
COMMUNE = "10999"
_AT = "2026-11-30T03:00:00.000000Z"


def _time(name: str, *, nullable: bool = False) -> sa.Column[str]:
    # UtcDateTime as that code declared it: a TypeDecorator over String(27).
    return sa.Column(name, sa.String(27), nullable=nullable)


def _metadata(*, first_build: bool) -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "schema_info",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    sa.Table(
        "feed_counter",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    sa.Table(
        "communes",
        metadata,
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        _time("created_at"),
    )
    attempt = [] if first_build else [sa.Column("attempt_hash", sa.String(64), nullable=True)]
    sa.Table(
        "enrolment_codes",
        metadata,
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        _time("used_at", nullable=True),
        sa.Column("used_by", sa.String(36), nullable=True),
        *attempt,
    )
    sa.Table(
        "devices",
        metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False, index=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _time("created_at"),
        _time("revoked_at", nullable=True),
        _time("last_seen_at", nullable=True),
    )
    sa.Table(
        "records",
        metadata,
        sa.Column("entity", sa.String(32), primary_key=True),
        sa.Column("row_id", sa.String(40), primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("field_versions", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("household_id", sa.String(36), nullable=True, index=True),
        sa.Index("ix_records_feed", "commune_code", "version"),
    )
    sa.Table(
        "received_changes",
        metadata,
        sa.Column("change_id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )
    sa.Table(
        "audit_log",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _time("at"),
        *(
            sa.Column(name, sa.String(size), nullable=name == "team_member_id")
            for name, size in (
                ("commune_code", 5),
                ("device_id", 36),
                ("team_member_id", 36),
                ("change_id", 36),
                ("entity", 32),
                ("row_id", 40),
                ("op", 12),
                ("outcome", 12),
            )
        ),
    )
    if first_build:
        return metadata
    sa.Table(
        "device_histories",
        metadata,
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("last_change_id", sa.String(36), nullable=True),
        sa.Column("origin_id", sa.String(36), nullable=True, index=True),
    )
    sa.Table(
        "server_epochs",
        metadata,
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("epoch_id", sa.String(36), nullable=False, unique=True),
        sa.Column("feed_start", sa.BigInteger(), nullable=False),
        _time("started_at"),
        sa.Column("reason", sa.String(20), nullable=False),
    )
    sa.Table(
        "quarantined_rows",
        metadata,
        sa.Column("commune_code", sa.String(5), primary_key=True),
        sa.Column("entity", sa.String(40), primary_key=True),
        sa.Column("row_id", sa.String(40), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(120), nullable=False),
        _time("found_at"),
    )
    sa.Table(
        "device_stamps",
        metadata,
        sa.Column("stamp", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False, index=True),
    )
    sa.Table(
        "healing_devices",
        metadata,
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("epoch_id", sa.String(36), nullable=False),
    )
    sa.Table(
        "waiting_restatements",
        metadata,
        sa.Column("change_id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False, index=True),
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
    return metadata


LAST = _metadata(first_build=False)
FIRST = _metadata(first_build=True)


def make(engine: Engine, metadata: sa.MetaData, *, schema_info_version: int = 1) -> None:
    """The database as that server made it at its first start, then used for a while."""
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO schema_info (id, version) VALUES (1, :version)"),
            {"version": schema_info_version},
        )
        connection.execute(sa.text("INSERT INTO feed_counter (id, value) VALUES (1, 0)"))
        _catalog(connection)
    fill(engine, schema_info_version=None, tables=set(metadata.tables))


def _catalog(connection: Connection) -> None:
    for version, code in enumerate(("zalo", "vneid"), start=1):
        fields = {"label_vi": code, "label_en": code, "active": True, "sort_order": version * 10}
        _record(connection, "service", code, version=version, fields=fields)
    connection.execute(sa.text("UPDATE feed_counter SET value = 2"))


def _record(
    connection: Connection, entity: str, row_id: str, *, version: int, fields: dict[str, object]
) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO records (entity, row_id, commune_code, version, fields, "
            "field_versions, deleted, household_id) VALUES "
            "(:entity, :row_id, :commune, :version, :fields, :field_versions, :deleted, NULL)"
        ),
        {
            "entity": entity,
            "row_id": row_id,
            # The catalog is every commune's ("").
            "commune": "" if entity == "service" else COMMUNE,
            "version": version,
            "fields": json.dumps(fields, sort_keys=True),
            "field_versions": json.dumps({name: [version, ""] for name in fields}),
            "deleted": False,
        },
    )


# A row for each table (those a database holds): what a commune's use leaves behind.
_ROWS: dict[str, str] = {
    "communes": f"INSERT INTO communes VALUES ('{COMMUNE}', 'Xã Gia Lộc', '{_AT}')",
    "enrolment_codes": (
        "INSERT INTO enrolment_codes (code_hash, commune_code, role, created_at, expires_at, "
        f"used_at, used_by) VALUES ('{'a' * 64}', '{COMMUNE}', 'leader', '{_AT}', '{_AT}', "
        f"'{_AT}', 'device-leader')"
    ),
    "devices": (
        f"INSERT INTO devices VALUES ('device-leader', '{COMMUNE}', 'leader', 'Laptop của "
        f"trưởng thôn', '{'b' * 64}', '{_AT}', NULL, '{_AT}')"
    ),
    "received_changes": (
        "INSERT INTO received_changes VALUES ('change-1', 'device-leader', "
        f"'{'c' * 64}', '{{\"status\": \"accepted\"}}')"
    ),
    "audit_log": (
        "INSERT INTO audit_log (at, commune_code, device_id, team_member_id, change_id, "
        f"entity, row_id, op, outcome) VALUES ('{_AT}', '{COMMUNE}', 'device-leader', NULL, "
        "'change-1', 'village', 'village-1', 'upsert', 'accepted')"
    ),
    "device_histories": "INSERT INTO device_histories VALUES ('device-leader', 'change-1', NULL)",
    "server_epochs": (
        "INSERT INTO server_epochs (epoch_id, feed_start, started_at, reason) "
        f"VALUES ('epoch-1', 0, '{_AT}', 'first')"
    ),
    "quarantined_rows": (
        f"INSERT INTO quarantined_rows VALUES ('{COMMUNE}', 'session', 'session-9', 3, "
        f"'check_failed', '{_AT}')"
    ),
    "device_stamps": "INSERT INTO device_stamps VALUES ('stamp-1', 'device-leader')",
    "healing_devices": "INSERT INTO healing_devices VALUES ('device-old', 'epoch-1')",
    "waiting_restatements": (
        f"INSERT INTO waiting_restatements VALUES ('change-2', '{COMMUNE}', 'device-leader', "
        "NULL, 'session', 'session-2', NULL, '{}', 'team_member', 'member-9', "
        f"'{_AT}')"
    ),
}


def fill(
    engine: Engine, *, schema_info_version: int | None, tables: set[str] | None = None
) -> None:
    """A commune's rows in each of ``tables`` (all the server's by default); with
    ``schema_info_version``, the first start's rows too (schema_info, counter, catalog)."""
    with engine.begin() as connection:
        if schema_info_version is not None:
            connection.execute(
                sa.text("INSERT INTO schema_info (id, version) VALUES (1, :version)"),
                {"version": schema_info_version},
            )
            connection.execute(sa.text("INSERT INTO feed_counter (id, value) VALUES (1, 0)"))
            _catalog(connection)
        for table, statement in _ROWS.items():
            if tables is None or table in tables:
                connection.execute(sa.text(statement))
        _record(connection, "village", "village-1", version=3, fields={"name": "Thôn Khay"})
        connection.execute(sa.text("UPDATE feed_counter SET value = 3"))
