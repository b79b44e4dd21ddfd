"""Old migrations do today exactly what the live code does today.

Migrations 0002, 0003 and 0007 fill the search index and the tally summaries from the
rows already stored.  What they run is frozen with them (``villagehelper.migrations``
never calls live code), so a later change of the live index or summaries cannot change
what an old migration does.  This is the one place where a migration is compared with
live code: a database of revision 0001 holding every kind of row (voided sessions,
follow-ups, failures, a merge, deleted rows, a session whose household is missing, a
member helped in two households, a changed catalog) is upgraded one revision at a time,
and after each step its search index and summaries must equal what today's
``search_index.rebuild_all`` and ``summaries.refill`` compute from the same rows.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, create_engine, text

from tests.conftest import FakeClock
from villagehelper.catalog import FIRST_CATALOG
from villagehelper.paths import DATABASE_FILE
from villagehelper.store import migrate
from villagehelper.store.search_index import rebuild_all, refresh_household
from villagehelper.tally.summaries import SUMMARY_TABLES, refill, tally_triggers

Rows = dict[str, list[tuple[object, ...]]]

_STAMP = "2026-11-01T03:00:00.000000Z"
_SYNC = (None, None, "dirty", 0, _STAMP)  # server_version … updated_at as 0001 made them
_DELETED = (None, None, "dirty", 1, _STAMP)
_UNREPLACED = ("dev", None, 0, *_SYNC)  # device_id, replaces_id, voided and the sync columns
_SEARCH_TABLES = ("household_search_ids", "household_search")
_OUTCOMES = ("done", "done", "done", "follow_up", "failed")
_SERVICES = tuple(code for code, _vi, _en, _basic in FIRST_CATALOG)


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _done(
    session_id: str, household_id: str, member_id: str | None, code: str, at: str
) -> tuple[object, ...]:
    """A successful session of volunteer t1, alone in its visit."""
    fields = (session_id, session_id, household_id, member_id, code, "done", None, "", "")
    return (*fields, "t1", at, *_UNREPLACED)


def _insert(db: sqlite3.Connection, table: str, *rows: tuple[object, ...]) -> None:
    marks = ", ".join("?" for _ in rows[0])
    db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _seed_revision_one(db: sqlite3.Connection) -> None:
    """Rows as a laptop of schema 0001 held them (foreign keys off, as sync writes)."""
    _insert(db, "communes", ("10999", "Xã Gia Lộc", "31", "Thành phố Hải Phòng"))
    _insert(
        db,
        "villages",
        ("v1", "10999", "Thôn Khay", "thon khay", "thon", 1, *_SYNC),
        ("v2", "10999", "Bản Hữu Đức", "ban huu duc", "ban", 1, *_SYNC),
    )
    _insert(
        db,
        "team_members",
        ("t1", "10999", "v1", "Phạm Đăng Xuyết", "leader", 1, *_SYNC),
        ("t2", "10999", "v2", "Lò Thị Ánh", "member", 1, *_SYNC),
    )
    households = [
        ("h1", "v1", "Đặng Văn Vỹ", "Xóm 2, ngõ 5", "0912345678", "", None),
        ("h2", "v1", "Lê Thị Hoà", "Xóm 3", None, "ghi chú", None),
        ("h3", "v2", "Nguyễn  Hòa Bình", "", "02203751234", "", None),
        ("h4", "v2", "Vàng A Páo", "Đội 7", None, "", "h3"),  # merged into h3
        ("h5", "v2", "Hộ đã xoá", "Xóm 9", None, "", None),
    ]
    for row in households:
        _insert(db, "households", (*row, "x", *(_DELETED if row[0] == "h5" else _SYNC)))
    members = [
        ("m1", "h1", "Đặng Thị Mai", 1968, "0987654321", 1),
        ("m2", "h1", "Đặng Văn Đức", 1990, None, 0),
        ("m3", "h2", "Lê Văn Tâm", 1975, None, 1),
        ("m4", "h3", "Nguyễn Thị Thuỷ", 2001, None, 1),
        ("m5", "h4", "Vàng Thị Dợ", 1983, "0345678912", 1),
        ("m6", "h2", "Người đã xoá", 1950, None, 1),
    ]
    for member_id, household_id, name, year, phone, consent in members:
        _insert(
            db,
            "members",
            (member_id, household_id, name, year, phone, consent, "2026-10-01", "x")
            + (_DELETED if member_id == "m6" else _SYNC),
        )
    _insert(db, "household_merges", ("g1", "h3", "h4", "t1", _STAMP, "dev", *_SYNC))
    # A member helped in two households (m4 also in h4, before the merge re-pointed it).
    people = [("h1", "m1"), ("h1", "m2"), ("h1", None), ("h2", "m3"), ("h2", None)]
    people += [("h3", "m4"), ("h3", "m5"), ("h4", "m4"), ("h5", None), ("h-gone", None)]
    pick = random.Random(16)
    start = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
    sessions: list[tuple[object, ...]] = []
    for index in range(160):
        household, person = pick.choice(people)
        outcome = pick.choice(_OUTCOMES)
        # Some on the last instant of a Vietnam day (16:59:59.9999Z is 23:59:59 there).
        moment = start + timedelta(days=pick.randrange(85), minutes=pick.randrange(900))
        if index % 9 == 0:
            moment = moment.replace(hour=16, minute=59, second=59, microsecond=999_900)
        sessions.append(
            (
                f"s{index:03d}",
                f"visit{index // 3}",
                household,
                person,
                pick.choice(_SERVICES[:8]),
                outcome,
                "2026-12-15" if outcome == "follow_up" else None,
                "mất mạng" if outcome == "failed" else "",
                "",
                pick.choice(("t1", "t2")),
                _utc(moment),
                "dev",
                None,
                1 if index % 11 == 0 else 0,
                *_SYNC,
            )
        )
    # m1 has every basic skill (as the changed catalog has them) by the end.
    basic = ("VNEID_L1", "VNEID_L2", "DVC_ACCOUNT", "BANK_ACCOUNT", "ECOMMERCE_OCOP")
    for index, code in enumerate(basic):
        day = start + timedelta(days=80 + index)
        sessions.append(_done(f"b{index}", "h1", "m1", code, _utc(day)))
    _insert(db, "help_sessions", *sessions)
    _insert(
        db,
        "session_voids",
        *(
            (f"void{row[0]}", row[0], "nhập nhầm", "t1", _STAMP, "dev", *_SYNC)
            for row in sessions
            if row[13]
        ),
    )
    # The catalog as a commune server may have changed it by then.
    db.execute("UPDATE services SET active = 0 WHERE code = 'ONLINE_SAFETY'")
    db.execute("UPDATE services SET basic_skill = 1 WHERE code = 'VNEID_L2'")


def _strand_a_late_household(database: Path) -> None:
    """At 0006: a session synced before its household is counted under no village ('')
    and stays there when the household follows (what 0007 recounts)."""
    with closing(sqlite3.connect(database)) as db:
        _insert(
            db,
            "help_sessions",
            _done(
                "s-late", "h-late", None, "VNEID_L1", _utc(datetime(2026, 11, 20, 2, tzinfo=UTC))
            ),
        )
        _insert(
            db,
            "households",
            ("h-late", "v1", "Hộ Đến Sau", "", None, "", None, "x", *_SYNC),
        )
        db.commit()
    with _copy(database) as connection:  # the app indexes what it stores
        refresh_household(connection, "h-late")
        connection.commit()
        _write_back(connection, database)


@contextmanager
def _copy(database: Path) -> Iterator[Connection]:
    """A SQLAlchemy connection to an in-memory copy of ``database``."""
    memory = sqlite3.connect(":memory:")
    with closing(sqlite3.connect(database)) as source:
        source.backup(memory)
    engine = create_engine("sqlite://", creator=lambda: memory)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
        memory.close()


def _write_back(connection: Connection, database: Path) -> None:
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    with closing(sqlite3.connect(database)) as target:
        raw.backup(target)


def _tables(connection: Connection, tables: tuple[str, ...]) -> Rows:
    return {
        table: sorted(
            tuple(row) for row in connection.execute(text(f"SELECT rowid, * FROM {table}"))
        )
        if table in _SEARCH_TABLES
        else sorted(tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
        for table in tables
    }


def _migrated_and_live(database: Path, tables: tuple[str, ...]) -> tuple[Rows, Rows]:
    """``tables`` as the migrations left them, and as today's code computes them."""
    with _copy(database) as connection:
        migrated = _tables(connection, tables)
        if "household_search" in tables:
            rebuild_all(connection)
        if "tally_days" in tables:
            for name in tally_triggers(connection):
                connection.execute(text(f'DROP TRIGGER "{name}"'))
            refill(connection)
        return migrated, _tables(connection, tables)


def test_each_migration_computes_what_todays_code_computes(
    tmp_path: Path, clock: FakeClock
) -> None:
    database = tmp_path / DATABASE_FILE
    migrate.upgrade(database, clock=clock, target="0001")
    with closing(sqlite3.connect(database)) as db:
        seeded = db.execute(
            "SELECT code, label_vi, label_en, basic_skill FROM services ORDER BY sort_order"
        ).fetchall()
        assert seeded == [(c, vi, en, int(basic)) for c, vi, en, basic in FIRST_CATALOG]
        _seed_revision_one(db)
        db.commit()

    compared: list[str] = []
    for revision in ("0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009"):
        if revision == "0007":
            _strand_a_late_household(database)
        migrate.upgrade(database, clock=clock, target=revision)
        assert migrate.current_revision(database) == revision
        tables = _SEARCH_TABLES + (SUMMARY_TABLES if revision >= "0003" else ())
        migrated, live = _migrated_and_live(database, tables)
        assert migrated == live, revision
        compared.append(revision)

    # The data exercised what it is meant to: every summary has rows, one session is
    # counted under no village, the late household's is not, and deleted rows are left out.
    with _copy(database) as connection:
        counts = {t: connection.scalar(text(f"SELECT count(*) FROM {t}")) for t in SUMMARY_TABLES}
        assert all(counts.values()), counts
        assert connection.scalar(text("SELECT count(*) FROM household_search")) == 5
        assert connection.scalar(
            text("SELECT sum(sessions) FROM tally_days WHERE village_id = ''")
        ) == connection.scalar(
            text("SELECT count(*) FROM help_sessions WHERE household_id = 'h-gone' AND voided = 0")
        )
    assert compared[-1] == migrate.HEAD_REVISION
