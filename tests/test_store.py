"""The local store: where it lives, how it is opened, how its schema moves forward."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from tests.conftest import FakeClock
from villagehelper.ops import households as hh
from villagehelper.paths import DATA_DIR_ENV, DATABASE_FILE, resolve_data_dir
from villagehelper.store import migrate
from villagehelper.store.engine import open_store
from villagehelper.store.models import Base
from villagehelper.tally.tables import TallyDay

EXPECTED_CATALOG = {  # the codes of DOMAIN.md's service table
    "VNEID_L1",
    "VNEID_L2",
    "DVC_ACCOUNT",
    "DVC_DOSSIER",
    "PROVINCE_APP",
    "EHEALTH",
    "VSSID",
    "BANK_ACCOUNT",
    "CASHLESS_WELFARE",
    "ECOMMERCE_OCOP",
    "DIGITAL_SIGNATURE",
    "ONLINE_SAFETY",
    "DIGITAL_SKILLS",
    "OTHER",
}


def test_data_dir_option_beats_environment_beats_platform_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from-env"))
    assert resolve_data_dir(tmp_path / "from-option") == tmp_path / "from-option"
    assert resolve_data_dir(None) == tmp_path / "from-env"
    monkeypatch.delenv(DATA_DIR_ENV)
    default = resolve_data_dir(None)
    assert default.name == "VillageHelper"
    assert not default.is_relative_to(tmp_path)


def test_new_store_has_pragmas_for_durability(tmp_path: Path, clock: FakeClock) -> None:
    store = open_store(tmp_path / "d", clock=clock)
    try:
        with store.reading() as session:
            connection = session.connection()
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        store.close()
    assert (tmp_path / "d" / DATABASE_FILE).is_file()


def test_device_id_is_made_once_and_kept(tmp_path: Path, clock: FakeClock) -> None:
    first = open_store(tmp_path / "d", clock=clock)
    device = first.device_id
    first.close()
    second = open_store(tmp_path / "d", clock=clock)
    try:
        assert second.device_id == device
        assert len(device) == 36
    finally:
        second.close()


def test_catalog_is_seeded_with_the_domain_codes(tmp_path: Path, clock: FakeClock) -> None:
    store = open_store(tmp_path / "d", clock=clock)
    try:
        with store.reading() as session:
            rows = session.execute(
                text("SELECT code, label_vi, label_en, sync_state FROM services")
            ).all()
    finally:
        store.close()
    assert {row[0] for row in rows} == EXPECTED_CATALOG
    assert all(row[1] and row[2] for row in rows)
    # Seeded as server data, so it never floods the outbox of every laptop.
    assert {row[3] for row in rows} == {"synced"}


def test_migrated_schema_matches_the_models(tmp_path: Path, clock: FakeClock) -> None:
    # The summary tables are declared on the same Base, in villagehelper.tally.tables.
    assert Base.metadata.tables[TallyDay.__tablename__] is TallyDay.__table__
    store = open_store(tmp_path / "d", clock=clock)
    store.close()
    engine = create_engine(f"sqlite:///{tmp_path / 'd' / DATABASE_FILE}")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = [
            diff
            for diff in compare_metadata(context, Base.metadata)
            if "household_search" not in repr(diff)  # the FTS5 index lives outside the models
        ]
    engine.dispose()
    assert differences == []


def _make_revision_one_database(data_dir: Path, clock: FakeClock) -> Path:
    database = data_dir / DATABASE_FILE
    data_dir.mkdir(parents=True)
    migrate.upgrade(database, clock=clock, target="0001")
    connection = sqlite3.connect(database)
    stamp = "2026-01-05T03:00:00.000000Z"
    sync = f"NULL, NULL, 'dirty', 0, '{stamp}'"
    connection.executescript(
        f"""
        INSERT INTO communes VALUES ('10999', 'Xã Gia Lộc', '31', 'Thành phố Hải Phòng');
        INSERT INTO villages VALUES ('v1', '10999', 'Thôn Khay', 'thon khay', 'thon', 1, {sync});
        INSERT INTO households VALUES ('h1', 'v1', 'Đặng Văn Vỹ', 'Xóm 2', '0912345678', '',
            NULL, 'x', {sync});
        INSERT INTO members VALUES ('m1', 'h1', 'Lê Thị Hoà', 1968, NULL, 1, '2026-01-05',
            'x', {sync});
        """
    )
    connection.commit()
    connection.close()
    return database


def test_first_revision_database_upgrades_after_a_backup(tmp_path: Path, clock: FakeClock) -> None:
    data_dir = tmp_path / "old"
    database = _make_revision_one_database(data_dir, clock)
    backups: list[Path] = []

    store = open_store(data_dir, clock=clock, on_backup=backups.append)
    try:
        assert migrate.current_revision(database) == migrate.head_revision()
        # Revision 0002 built the search index from the existing rows.
        found = hh.find_households(store, "le thi hoa")
        assert [hit.id for hit in found.hits] == ["h1"]
    finally:
        store.close()

    assert len(backups) == 1
    backup = backups[0]
    assert backup.parent == data_dir / "backups"
    assert "before-upgrade-0001" in backup.name
    assert migrate.current_revision(backup) == "0001"
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT head_name FROM households").fetchall() == [("Đặng Văn Vỹ",)]
    copy.close()


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    assert migrate.head_revision() == migrate.HEAD_REVISION


def test_up_to_date_database_opens_without_backup(tmp_path: Path, clock: FakeClock) -> None:
    open_store(tmp_path / "d", clock=clock).close()
    backups: list[Path] = []
    open_store(tmp_path / "d", clock=clock, on_backup=backups.append).close()
    assert backups == []
    assert not (tmp_path / "d" / "backups").exists()


def test_database_from_a_newer_version_is_refused_untouched(
    tmp_path: Path, clock: FakeClock
) -> None:
    open_store(tmp_path / "d", clock=clock).close()
    database = tmp_path / "d" / DATABASE_FILE
    connection = sqlite3.connect(database)
    connection.execute("UPDATE alembic_version SET version_num = '0099_future'")
    connection.commit()
    connection.close()
    before = database.read_bytes()

    with pytest.raises(migrate.NewerDatabaseError) as refused:
        open_store(tmp_path / "d", clock=clock)

    assert "phiên bản VillageHelper mới hơn" in refused.value.message_vi
    assert database.read_bytes() == before


def test_a_failed_migration_leaves_the_file_as_it_was(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "old"
    database = _make_revision_one_database(data_dir, clock)

    def broken_rebuild(connection: object) -> None:
        raise RuntimeError("disk pulled out mid-migration")

    monkeypatch.setattr(
        "villagehelper.migrations.frozen.v0002_search_index.rebuild_all", broken_rebuild
    )
    with pytest.raises(RuntimeError):
        open_store(data_dir, clock=clock)

    assert migrate.current_revision(database) == "0001"
    connection = sqlite3.connect(database)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert "household_search" not in tables
