"""A commune server database holding a demo dataset, built once and cached.

A demo store is flagged ``demo_data`` and refused for upload, and pushing a district's
200,000+ changes through HTTP one batch of 500 at a time only to set up a benchmark
would take minutes.  So the server's records are written directly from the demo store's
outbox, in outbox order, exactly as the server's push would store an accepted insert:
one record per row with the next feed version, the fields as canonical JSON (without
``deleted``, which is the record's own column), every field marked as changed by the
leader's device at that version, and ``household_id`` kept for merges.  What the push
also writes (received change ids, the audit log) is never read by the feed, so it is
left out.

The file is cached beside the demo dataset (``server-<fingerprint>.sqlite3``) and copied
for each run: the benchmark enrols devices and pushes into its copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

from benchmarks.datasets import Dataset
from benchmarks.measure import timed
from villagehelper.exchange.wire import canonical_json
from villagehelper.server import accounts
from villagehelper.server.database import open_server_db
from villagehelper.server.feed_clock import VersionClock, database_end, move_end
from villagehelper.server.tables import Record

_PACKAGE = Path(__file__).resolve().parent.parent / "villagehelper"
_CHUNK = 20_000


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for source in (
        Path(__file__),
        _PACKAGE / "server" / "tables.py",
        _PACKAGE / "server" / "database.py",
        _PACKAGE / "exchange" / "wire.py",
    ):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


@dataclass(frozen=True)
class ServerData:
    database: Path
    commune_code: str
    records: int  # rows in the commune's feed, the shared catalog included
    build_seconds: float
    cached: bool


def server_url(database: Path) -> str:
    return f"sqlite+pysqlite:///{database}"


def ensure_server(dataset: Dataset) -> ServerData:
    """The cached server database for ``dataset``, building it first when missing."""
    folder = dataset.database.parent
    database = folder / f"server-{_fingerprint()}.sqlite3"
    meta = database.with_suffix(".json")
    if meta.exists() and database.exists():
        saved = json.loads(meta.read_text(encoding="utf-8"))
        return ServerData(database, saved["commune"], saved["records"], saved["seconds"], True)
    for stale in folder.glob("server-*"):  # made by another version of this code
        stale.unlink()
    partial = folder / "server.partial.sqlite3"
    partial.unlink(missing_ok=True)
    built: list[tuple[str, int]] = []
    seconds = timed(lambda: built.append(_build(dataset, partial)))
    commune, records = built[0]
    partial.rename(database)
    meta.write_text(
        json.dumps({"commune": commune, "records": records, "seconds": seconds}),
        encoding="utf-8",
    )
    return ServerData(database, commune, records, seconds, False)


def _build(dataset: Dataset, target: Path) -> tuple[str, int]:
    # Immutable: read without locks, so the cached dataset gains no -wal / -shm files.
    source = sqlite3.connect(f"file:{dataset.database}?mode=ro&immutable=1", uri=True)
    try:
        code, name = source.execute("SELECT code, name FROM communes").fetchone()
        outbox = source.execute("SELECT entity, row_id, payload FROM outbox ORDER BY seq")
        db = open_server_db(server_url(target))
        try:
            accounts.add_commune(db, code, name)
            leader = accounts.enrol(db, accounts.issue_code(db, code, "leader"), "demo leader")
            with db.transaction() as session:
                VersionClock(session, code)  # the commune's feed locked, as a push does
                version = database_end(session)
                while chunk := outbox.fetchmany(_CHUNK):
                    records = []
                    for entity, row_id, payload in chunk:
                        version += 1
                        fields = json.loads(payload)
                        fields.pop("deleted", None)
                        records.append(
                            {
                                "entity": entity,
                                "row_id": row_id,
                                "commune_code": code,
                                "version": version,
                                "fields": canonical_json(fields),
                                "field_versions": canonical_json(
                                    {key: [version, leader.device_id] for key in fields}
                                ),
                                "deleted": False,
                                "household_id": fields.get("household_id"),
                            }
                        )
                    session.execute(insert(Record), records)
                move_end(session, version)
                total = version
        finally:
            db.close()
    finally:
        source.close()
    return str(code), total


def working_server(data: ServerData, folder: Path) -> Path:
    """A private copy of the server database for one run."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "server.sqlite3"
    shutil.copyfile(data.database, copy)
    return copy
