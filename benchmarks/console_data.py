"""A province's worth of communes in a PostgreSQL server database, for the console benchmark.

Pushing 20 × 223,000 changes through HTTP to set up a benchmark would take an hour, so
the server's tables are filled straight from the demo dataset's outbox (as
``sync_data.py`` does for one commune on SQLite), in the shape an accepted push stores:
one ``records`` row per synced row with the next feed version, the fields as canonical
JSON (without ``deleted``), each field marked as changed by the commune's leader device
at that version.  Each commune gets its own copy of the demo commune: every UUID in it
has its first two hex digits replaced by the commune's number, and ``commune_code`` is
the commune's, so rows never collide and each commune's feed is its own.  Rows go in
with PostgreSQL's ``COPY``.

Each commune has one enrolled leader laptop that the sessions' device stamps name; its
last sync is an hour before the benchmark's "now", or ten days before for every fourth
commune, so the stale-laptop figures have something to find.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from benchmarks.datasets import Dataset
from villagehelper import geography
from villagehelper.exchange.wire import canonical_json
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB
from villagehelper.server.feed_clock import VersionClock, database_end, move_end
from villagehelper.server.tables import Device, DeviceStamp, Record, ServerCommune

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_COPY = (
    "COPY records (entity, row_id, commune_code, version, fields, field_versions, deleted, "
    "household_id) FROM STDIN"
)
STALE_EVERY = 4  # every fourth commune's laptop last synced ten days ago


@dataclass(frozen=True)
class LoadedCommune:
    code: str
    name: str
    sessions: int
    records: int
    stale: bool


def province_communes(province_code: str, count: int, first: str) -> list[tuple[str, str]]:
    """``count`` communes of the province (code, name): ``first`` (the demo's), then by code."""
    official = sorted(
        (commune.code, commune.name)
        for commune in geography.all_communes()
        if commune.province_code == province_code and commune.code != first
    )
    named = geography.commune_by_code(first)
    assert named is not None
    chosen = [(first, named.name), *official][:count]
    if len(chosen) < count:
        raise SystemExit(f"the province has only {len(chosen)} communes")
    return chosen


def _renamer(number: int) -> Any:
    prefix = f"{number:02x}"

    def renamed(value: Any) -> Any:
        if isinstance(value, str) and _UUID.match(value):
            return prefix + value[2:]
        return value

    return renamed


def load(dataset: Dataset, db: ServerDB, communes: int, now: datetime) -> list[LoadedCommune]:
    """Fill ``db`` (PostgreSQL, empty) with ``communes`` copies of the demo commune."""
    source = sqlite3.connect(f"file:{dataset.database}?mode=ro&immutable=1", uri=True)
    try:
        demo_code = source.execute("SELECT code FROM communes").fetchone()[0]
        province = geography.commune_by_code(demo_code)
        assert province is not None
        stamps = [row[0] for row in source.execute("SELECT DISTINCT device_id FROM help_sessions")]
        loaded = []
        for number, (code, name) in enumerate(
            province_communes(province.province_code, communes, demo_code)
        ):
            loaded.append(
                _load_commune(
                    source, db, number=number, code=code, name=name, stamps=stamps, now=now
                )
            )
        return loaded
    finally:
        source.close()


def _load_commune(
    source: sqlite3.Connection,
    db: ServerDB,
    *,
    number: int,
    code: str,
    name: str,
    stamps: list[str],
    now: datetime,
) -> LoadedCommune:
    accounts.add_commune(db, code, name)
    leader = accounts.enrol(db, accounts.issue_code(db, code, "leader"), f"laptop {number}")
    stale = number % STALE_EVERY == STALE_EVERY - 1
    renamed = _renamer(number)
    with db.transaction() as session:
        seen = now - (timedelta(days=10) if stale else timedelta(hours=1))
        session.execute(
            update(Device).where(Device.id == leader.device_id).values(last_seen_at=seen)
        )
        session.add_all(
            DeviceStamp(stamp=renamed(stamp), device_id=leader.device_id) for stamp in stamps
        )
        VersionClock(session, code)  # the commune's feed locked, as a push does
        start = version = database_end(session)
        raw = session.connection().connection.driver_connection
        assert raw is not None  # psycopg's own connection, for COPY
        sessions = 0
        with raw.cursor() as cursor, cursor.copy(_COPY) as copy:
            for entity, row_id, payload in source.execute(
                "SELECT entity, row_id, payload FROM outbox ORDER BY seq"
            ):
                version += 1
                fields = {key: renamed(value) for key, value in json.loads(payload).items()}
                fields.pop("deleted", None)
                if "commune_code" in fields:
                    fields["commune_code"] = code
                sessions += entity == "help_session"
                copy.write_row(
                    (
                        entity,
                        renamed(row_id),
                        code,
                        version,
                        canonical_json(fields),
                        canonical_json({key: [version, leader.device_id] for key in fields}),
                        False,
                        fields.get("household_id"),
                    )
                )
        records = version - start
        move_end(session, version)
    return LoadedCommune(code, name, sessions, records, stale)


def count_records(db: ServerDB) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


def loaded_communes(db: ServerDB) -> list[str]:
    """The codes of the communes in the database, in the order they were loaded."""
    with db.reading() as session:
        return list(session.scalars(select(ServerCommune.code).order_by(ServerCommune.created_at)))
