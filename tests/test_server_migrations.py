"""The server database's schema under Alembic (server/schema_upgrade.py and
server/migrations/), on a SQLite file and on PostgreSQL.

- a database made by the first revision and filled keeps every row up to head, and ends
  with the schema the models declare;
- a database made before Alembic (create_all and ``schema_info``, frozen here as that
  code made it) is adopted: stamped, upgraded, its rows kept, and the server carries on;
- a database from a newer revision is refused and left exactly as it was;
- every table the models declare is made by the migrations: a model change without a
  revision fails here.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from tests import server_legacy_schema as legacy
from tests.sync_support import COMMUNE, OTHER_COMMUNE
from villagehelper.paths import DATABASE_FILE
from villagehelper.server import accounts, feed, schema_upgrade
from villagehelper.server.batch import IncomingChange
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.database import open_server_db
from villagehelper.server.feed_clock import commune_end, database_end
from villagehelper.server.push import push
from villagehelper.server.schema_upgrade import (
    FIRST_REVISION,
    NewerServerDatabaseError,
    NotServerDatabaseError,
)
from villagehelper.server.tables import SCHEMA_INFO_VERSION, ServerBase
from villagehelper.store.engine import configure_sqlite, open_store

Rows = dict[str, set[frozenset[tuple[str, object]]]]


@pytest.fixture
def engine(server_db_url: str) -> Iterator[Engine]:
    """A plain engine on the test's database, SQLite made explicit-transaction as the
    server makes it (so a migration is one transaction there too)."""
    made = create_engine(server_db_url)
    if made.dialect.name == "sqlite":
        configure_sqlite(made)
    yield made
    made.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, ServerBase.metadata))


def _rows(engine: Engine) -> Rows:
    """Every row of every table, the Alembic stamp included, as (column, value) pairs."""
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        return {
            name: {
                frozenset(dict(row).items())
                for row in connection.execute(text(f"SELECT * FROM {name}")).mappings()
            }
            for name in names
        }


def _stamp(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        found = connection.execute(text("SELECT version_num FROM alembic_version"))
        return set(found.scalars())


def _schema_info(engine: Engine) -> int:
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version FROM schema_info WHERE id = 1"))
        return int(version.scalar_one())


def _kept(before: Rows, after: Rows) -> None:
    """Every row of ``before`` is in ``after``, with the same values (and maybe a column
    added); the counters the server moves as it works, and the stamp the upgrade moves
    (checked by the tests themselves), aside."""
    for table, rows in before.items():
        if table in {"schema_info", "feed_counter", "alembic_version"}:
            continue
        for row in rows:
            assert any(row <= now for now in after[table]), f"a row of {table} lost or changed"


def test_the_migrations_have_one_head_and_start_at_0001() -> None:
    scripts = schema_upgrade._scripts()
    assert len(scripts.get_heads()) == 1
    assert [script.revision for script in scripts.walk_revisions()][-1] == FIRST_REVISION
    assert schema_upgrade.known_revision(schema_upgrade.head_revision())
    assert not schema_upgrade.known_revision("9999")


def test_every_model_table_is_made_by_the_migrations(engine: Engine) -> None:
    # A column, index or table added to tables.py without a revision fails here.
    schema_upgrade.upgrade(engine, "test")
    with engine.connect() as connection:
        present = set(sa.inspect(connection).get_table_names())
    assert set(ServerBase.metadata.tables) <= present
    assert _differences(engine) == []
    assert _stamp(engine) == {schema_upgrade.head_revision()}


def test_a_new_database_is_made_by_the_migrations(server_db_url: str, engine: Engine) -> None:
    open_server_db(server_db_url).close()
    assert _stamp(engine) == {schema_upgrade.head_revision()}
    assert _schema_info(engine) == SCHEMA_INFO_VERSION
    assert _differences(engine) == []


def test_two_servers_starting_at_once_upgrade_one_after_the_other(
    server_db_url: str, engine: Engine
) -> None:
    # The database's migration lock: without it both create the tables and one fails
    # (SQLite: "database is locked"), or they wait on each other (PostgreSQL).
    upgrade = (
        "import sys; from sqlalchemy import create_engine; "
        "from villagehelper.store.engine import configure_sqlite; "
        "from villagehelper.server import schema_upgrade; "
        "engine = create_engine(sys.argv[1]); "
        "engine.dialect.name == 'sqlite' and configure_sqlite(engine); "
        "schema_upgrade.upgrade(engine, 'test')"
    )
    servers = [
        subprocess.Popen([sys.executable, "-c", upgrade, server_db_url], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for server in servers:
        _, errors = server.communicate(timeout=120)
        assert server.returncode == 0, errors.decode(errors="replace")[-2000:]
    assert _stamp(engine) == {schema_upgrade.head_revision()}
    assert _differences(engine) == []


def test_a_first_revision_database_with_rows_upgrades_to_head(
    server_db_url: str, engine: Engine
) -> None:
    schema_upgrade.upgrade(engine, "test", target=FIRST_REVISION)
    assert _stamp(engine) == {FIRST_REVISION}
    legacy.fill(engine, schema_info_version=SCHEMA_INFO_VERSION)
    before = _rows(engine)

    db = open_server_db(server_db_url)
    try:
        assert len(accounts.list_devices(db)) == 1
    finally:
        db.close()
    _kept(before, _rows(engine))
    assert _stamp(engine) == {schema_upgrade.head_revision()}
    assert _differences(engine) == []


@pytest.mark.parametrize("made_by", ["last", "first"])
def test_a_database_made_before_alembic_is_adopted_and_carries_on(
    server_db_url: str, engine: Engine, made_by: str
) -> None:
    # "last": the tables the server had when its schema came under Alembic; "first": its
    # first build (eight tables, no enrolment_codes.attempt_hash), which the old code
    # completed with create_all at each start.
    legacy.make(engine, legacy.LAST if made_by == "last" else legacy.FIRST)
    before = _rows(engine)
    assert "alembic_version" not in before

    db = open_server_db(server_db_url)
    try:
        accounts.add_commune(db, "11002", "Xã Tứ Kỳ")
        code = accounts.issue_code(db, legacy.COMMUNE, "volunteer")
        accounts.enrol(db, code, "laptop mới", attempt="attempt-1")
        assert len(accounts.list_devices(db)) == 2
    finally:
        db.close()

    after = _rows(engine)
    _kept(before, after)
    assert _stamp(engine) == {schema_upgrade.head_revision()}
    # From now on a server from before Alembic refuses this database (it accepts 1 only).
    assert _schema_info(engine) == SCHEMA_INFO_VERSION > legacy.PRE_ALEMBIC_VERSION
    assert _differences(engine) == []
    # The catalog was not written a second time.
    assert _services(after) == _services(before) == 2


def _services(rows: Rows) -> int:
    return sum(("entity", "service") in row for row in rows["records"])


def _fingerprint(url: str, engine: Engine) -> object:
    """What must not change: a SQLite file's bytes, every row of a PostgreSQL database."""
    if engine.dialect.name == "sqlite":
        database = make_url(url).database
        assert database is not None
        return hashlib.sha256(Path(database).read_bytes()).hexdigest()
    return _rows(engine)


@pytest.mark.parametrize("newer", ["revision", "pre_alembic_version"])
def test_a_database_from_a_newer_version_is_refused_and_left_untouched(
    server_db_url: str, engine: Engine, newer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if newer == "revision":
        open_server_db(server_db_url).close()
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        found = "9999"
    else:
        legacy.make(engine, legacy.LAST, schema_info_version=3)
        found = "schema_info 3"
    engine.dispose()
    before = _fingerprint(server_db_url, engine)

    with pytest.raises(NewerServerDatabaseError) as refused:
        open_server_db(server_db_url)
    message = refused.value.message_vi, refused.value.message_en
    assert "phiên bản VillageHelper mới hơn" in message[0] and found in message[0]
    assert "newer VillageHelper" in message[1] and found in message[1]
    assert "không bị thay đổi" in message[0] and "not touched" in message[1]
    # Every command that opens the database says so and stops, serve included.
    for command in (["devices"], ["serve", "--port", "0"]):
        assert server_cli.main(["--db", server_db_url, *command]) == 1
        assert found in capsys.readouterr().err
    engine.dispose()
    assert _fingerprint(server_db_url, engine) == before


def test_a_laptop_data_file_is_not_taken_for_a_server_database(tmp_path: Path) -> None:
    open_store(tmp_path / "laptop").close()
    database = tmp_path / "laptop" / DATABASE_FILE
    before = database.read_bytes()
    with pytest.raises(NotServerDatabaseError):
        open_server_db(str(database))
    assert database.read_bytes() == before


def _sqlite_engine(database: Path) -> Engine:
    made = create_engine(f"sqlite+pysqlite:///{database}")
    configure_sqlite(made)
    return made


def test_a_backup_from_a_newer_version_is_refused_before_the_database_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VILLAGEHELPER_SERVER_STATE", str(tmp_path / "state"))
    live, newer = tmp_path / "server.sqlite3", tmp_path / "newer.sqlite3"
    open_server_db(str(live)).close()
    open_server_db(str(newer)).close()
    stamping = _sqlite_engine(newer)
    with stamping.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    stamping.dispose()
    before = live.read_bytes()

    assert server_cli.main(["--db", str(live), "restore", str(newer)]) == 1
    assert "9999" in capsys.readouterr().err
    assert live.read_bytes() == before
    assert [path.name for path in tmp_path.glob("server.sqlite3.before-restore-*")] == []


def test_a_backup_made_before_alembic_is_restored_and_adopted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VILLAGEHELPER_SERVER_STATE", str(tmp_path / "state"))
    live, old = tmp_path / "server.sqlite3", tmp_path / "old-backup.sqlite3"
    open_server_db(str(live)).close()
    making = _sqlite_engine(old)
    legacy.make(making, legacy.LAST)
    making.dispose()

    assert server_cli.main(["--db", str(live), "restore", str(old)]) == 0
    restored = _sqlite_engine(live)
    try:
        assert _stamp(restored) == {schema_upgrade.head_revision()}
        assert _differences(restored) == []
        assert _services(_rows(restored)) == 2
    finally:
        restored.dispose()


def test_an_older_database_keeps_its_feeds_end_for_every_commune(
    server_db_url: str, engine: Engine
) -> None:
    # A database at revision 0005 (one counter for all) with a feed at 41: after the
    # upgrade every commune and the catalog end at 41, so no laptop's cursor is past
    # its feed, and the next version handed out is 42.
    schema_upgrade.upgrade(engine, "test", "0005")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO feed_counter (id, value) VALUES (1, 41)"))
        connection.execute(text("INSERT INTO schema_info (id, version) VALUES (1, 2)"))
        connection.execute(
            text("INSERT INTO communes (code, name, created_at) VALUES (:c, 'Gia Lộc', :t)"),
            {"c": COMMUNE, "t": "2026-12-01T00:00:00.000000Z"},
        )
    db = open_server_db(server_db_url)
    try:
        with db.reading() as session:
            connection = session.connection()
            ends = [commune_end(connection, code) for code in (COMMUNE, OTHER_COMMUNE, "")]
            assert ends == [41, 41, 41]
            assert database_end(session) == 41
        enrolled = accounts.enrol(db, accounts.issue_code(db, COMMUNE, "leader"), "laptop")
        leader = accounts.authenticate(db, enrolled.token)
        assert feed.page(db, leader, 41, 10)["changes"] == []
        with pytest.raises(feed.FeedBehindError):
            feed.page(db, leader, 42, 10)
        village = {"commune_code": COMMUNE, "name": "Thôn Mới", "kind": "thon"}
        change = IncomingChange("c-1", "village", "v-1", "insert", None, village)
        [result] = push(db, leader, [change], cursor=41)
        assert result["version"] == 42
    finally:
        db.close()
