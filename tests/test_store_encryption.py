"""The laptop's database encrypted at rest (SQLCipher): nothing readable in the files,
everything working as before, a wrong key never taken for damage, and the plain file of
every laptop in the field converted without losing a row, whatever moment a crash
strikes."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FakeClock, Team, make_village_team
from villagehelper.backups.copies import (
    backup_now,
    daily_backup,
    list_backups,
    newest_good_backup,
    restore_backup,
)
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops import team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.paths import DATABASE_FILE
from villagehelper.store import encryption, migrate
from villagehelper.store.connect import (
    SQLITE_HEADER,
    NotEncryptedError,
    WrongKeyError,
    connect,
    is_plain_file,
)
from villagehelper.store.engine import open_store
from villagehelper.store.folder_lock import OPENING_LOCK
from villagehelper.store.peek import peek_commune
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week

ROOT = Path(__file__).resolve().parent.parent
WEEK = iso_week(2026, 48)  # the tests' clock starts on Monday 23 November 2026
MORNING = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
RESIDENT = "Đặng Thị Huyền Trang"
RESIDENT_SEARCH_KEY = "dang thi huyen trang"  # what the search index stores
RESIDENT_PHONE = "0912345678"

Rows = dict[str, list[tuple[object, ...]]]


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


def _log_resident(village: Team, name: str = RESIDENT) -> str:
    home = hh.create_household(
        village.store, HouseholdInput(village.village_id, name, phone=RESIDENT_PHONE)
    )
    ss.log_visit(
        village.store,
        VisitInput(home.id, village.member_id, (ServiceOutcome("VNEID_L1"),)),
    )
    return home.id


def _in_clear(path: Path) -> list[str]:
    """Which of the resident's details can be read in ``path``'s raw bytes."""
    raw = path.read_bytes()
    details = (RESIDENT, RESIDENT_SEARCH_KEY, RESIDENT_PHONE)
    return [detail for detail in details if detail.encode() in raw]


def _all_rows(database: Path, key: bytes | None) -> Rows:
    """Every row of every table (the search index's own tables included)."""
    with closing(connect(database, key, read_only=True)) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


def _plain_store(folder: Path, heads: list[str]) -> Path:
    store = open_store(folder, clock=FakeClock())
    try:
        village = make_village_team(store)
        for head in heads:
            _log_resident(village, head)
    finally:
        store.close()
    return folder / DATABASE_FILE


# --- an encrypted store ---------------------------------------------------------------------


def test_an_encrypted_store_works_as_before_and_its_files_hold_no_name_in_clear(
    tmp_path: Path, key: bytes
) -> None:
    store = open_store(tmp_path / "data", key=key, clock=FakeClock())
    try:
        village = make_village_team(store)
        home_id = _log_resident(village)
        database, wal = store.path, Path(f"{store.path}-wal")
        # While the app runs the newest writes are in the -wal file: look at both.
        assert wal.stat().st_size > 0
        assert _in_clear(database) == [] and _in_clear(wal) == []
        assert not database.read_bytes().startswith(SQLITE_HEADER)

        found = hh.find_households(store, "huyen trang")
        assert [hit.id for hit in found.hits] == [home_id]
        tally = compute_tally(store, WEEK)
        assert (tally.totals.sessions, tally.totals.households) == (1, 1)
    finally:
        store.close()
    # And after a restart, with the same key.
    again = open_store(tmp_path / "data", key=key, clock=FakeClock())
    try:
        assert [hit.head_name for hit in hh.find_households(again, "dang thi").hits] == [RESIDENT]
    finally:
        again.close()
    assert _in_clear(database) == []


def test_the_encrypted_store_keeps_wal_fts5_json_and_its_pragmas(
    tmp_path: Path, key: bytes
) -> None:
    store = open_store(tmp_path / "data", key=key, clock=FakeClock())
    try:
        with store.reading() as session:
            connection = session.connection()
            pragmas = [
                connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            ]
            assert pragmas == ["wal", 2, 1, 5000]
            assert str(connection.exec_driver_sql("PRAGMA cipher_version").scalar()).startswith(
                "4."
            )
            tokenizer = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'household_search'"
            ).scalar()
            assert "fts5" in str(tokenizer).lower() and "trigram" in str(tokenizer).lower()
            assert (
                connection.exec_driver_sql("SELECT json_extract('{\"a\": 2}', '$.a')").scalar() == 2
            )
    finally:
        store.close()


def test_a_wrong_or_missing_key_is_said_plainly_and_changes_nothing(
    tmp_path: Path, key: bytes
) -> None:
    database = _plain_store(tmp_path / "data", [RESIDENT])
    from_before = backup_now(tmp_path / "data", MORNING, out=tmp_path / "usb.sqlite3").path
    open_store(tmp_path / "data", key=key).close()
    before = database.read_bytes()
    for wrong in (secrets.token_bytes(32), None):
        with pytest.raises(WrongKeyError) as refused:
            open_store(tmp_path / "data", key=wrong)
        assert "khóa mở không đúng" in refused.value.message_vi
        assert "key does not fit" in refused.value.message_en
        assert not isinstance(refused.value, migrate.DamagedDatabaseError)
        with pytest.raises(WrongKeyError):  # the daily check of the file says the same
            daily_backup(tmp_path / "data", MORNING, key=wrong)
        with pytest.raises(WrongKeyError):
            restore_backup(tmp_path / "data", from_before, MORNING, key=wrong)
    assert database.read_bytes() == before
    assert list_backups(tmp_path / "data") == []  # nothing moved aside or copied
    assert peek_commune(database, secrets.token_bytes(32)) is None
    label = peek_commune(database, key)
    assert label is not None and label.name.endswith("Gia Lộc")


@pytest.mark.parametrize("first_page", [0, 3])
def test_a_really_damaged_encrypted_file_is_still_called_damaged(
    tmp_path: Path, key: bytes, first_page: int
) -> None:
    store = open_store(tmp_path / "data", key=key, clock=FakeClock())
    village = make_village_team(store)
    for number in range(150):  # enough pages that the damage lands in a table
        hh.create_household(store, HouseholdInput(village.village_id, f"Lê Văn {number}"))
    store.close()
    database = tmp_path / "data" / DATABASE_FILE
    with database.open("r+b") as raw:
        if first_page == 0:  # a few bytes of the first page changed: it still looks random
            raw.seek(1000)
            raw.write(secrets.token_bytes(100))
        else:  # a failing disk: whole pages gone
            raw.seek(4096 * first_page)
            raw.write(b"\xff" * 4096 * 3)
    with pytest.raises(migrate.DamagedDatabaseError):
        if first_page == 0:
            open_store(tmp_path / "data", key=key)
        else:
            daily_backup(tmp_path / "data", MORNING, key=key)


def test_garbage_in_place_of_the_data_file_is_damage_with_or_without_a_key(
    tmp_path: Path, key: bytes
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / DATABASE_FILE).write_bytes(b"not a database at all" * 300)
    for given in (key, None):
        with pytest.raises(migrate.DamagedDatabaseError):
            open_store(tmp_path / "data", key=given)


def test_an_encrypted_store_of_an_older_schema_is_upgraded_with_its_key(
    tmp_path: Path, key: bytes
) -> None:
    database = tmp_path / "data" / DATABASE_FILE
    database.parent.mkdir()
    migrate.upgrade(database, clock=FakeClock(), target="0006", key=key)
    assert not is_plain_file(database)
    assert migrate.current_revision(database, key) == "0006"
    store = open_store(tmp_path / "data", key=key, clock=FakeClock())
    store.close()
    assert migrate.current_revision(database, key) == migrate.HEAD_REVISION
    (before_upgrade,) = list_backups(tmp_path / "data")
    assert before_upgrade.reason == "before-upgrade-0006"
    assert not is_plain_file(before_upgrade.path)
    assert migrate.current_revision(before_upgrade.path, key) == "0006"


# --- converting a laptop's plain file ---------------------------------------------------------


def test_a_plain_store_is_converted_row_for_row_with_its_wal_and_its_backups(
    tmp_path: Path, key: bytes
) -> None:
    heads = [RESIDENT, *(f"Nguyễn Văn {number}" for number in range(40))]
    database = _plain_store(tmp_path / "data", heads)
    backup_now(tmp_path / "data", MORNING)
    daily_backup(tmp_path / "data", MORNING)
    # The app was killed with writes still in the -wal: a copy of its files while open.
    running = open_store(tmp_path / "data", clock=FakeClock())
    hh.create_household(running, HouseholdInput(team.list_villages(running)[0].id, "Lò Văn Ơn"))
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal", "backups"):
        source = tmp_path / "data" / name
        if source.is_dir():
            (crashed / name).mkdir()
            for copied in source.iterdir():
                (crashed / name / copied.name).write_bytes(copied.read_bytes())
        else:
            (crashed / name).write_bytes(source.read_bytes())
    running.close()
    assert Path(f"{crashed / DATABASE_FILE}-wal").stat().st_size > 0
    expected = _all_rows(database, None)
    assert "Lò Văn Ơn" in repr(expected["households"])
    backups_expected = {
        b.path.name: _all_rows(b.path, None) for b in list_backups(tmp_path / "data")
    }

    open_store(crashed, key=key).close()

    leftovers = sorted(path.name for path in crashed.iterdir())
    # No plain -wal, no half-made file; the opening's lock file stays (it holds no data).
    assert leftovers == sorted(["backups", DATABASE_FILE, OPENING_LOCK])
    assert _all_rows(crashed / DATABASE_FILE, key) == expected
    assert _in_clear(crashed / DATABASE_FILE) == []
    converted = list_backups(crashed)
    assert {b.path.name for b in converted} == set(backups_expected)
    for backup in converted:
        assert not is_plain_file(backup.path) and _in_clear(backup.path) == []
        assert _all_rows(backup.path, key) == backups_expected[backup.path.name]


_CONVERSION_KILLED_AT = """
import os, signal, sys
from pathlib import Path
from villagehelper.store import encryption

def step(name):
    if name == sys.argv[3]:
        os.kill(os.getpid(), signal.SIGKILL)

encryption.encrypt_file(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), step=step)
"""
_STEPS = ["journal folded", "exported", "synced", "verified", "replaced"]


@pytest.mark.parametrize("killed_at", _STEPS)
def test_a_conversion_killed_at_any_step_leaves_one_whole_file(
    tmp_path: Path, key: bytes, killed_at: str
) -> None:
    database = _plain_store(tmp_path / "data", [RESIDENT, "Hà Văn Khánh"])
    expected = _all_rows(database, None)
    child = subprocess.run(
        [sys.executable, "-c", _CONVERSION_KILLED_AT, str(database), key.hex(), killed_at],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    # The old plain file before the rename, the encrypted one after: never neither.
    converted = _STEPS.index(killed_at) >= _STEPS.index("replaced")
    assert is_plain_file(database) is not converted
    assert _all_rows(database, key if converted else None) == expected

    open_store(tmp_path / "data", key=key).close()  # the next start finishes the work
    assert _all_rows(database, key) == expected
    assert not Path(f"{database}{encryption.TEMPORARY_SUFFIX}").exists()


def test_a_conversion_whose_copy_does_not_check_out_keeps_the_plain_file(
    tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = _plain_store(tmp_path / "data", [RESIDENT])
    expected = _all_rows(database, None)
    real_export = encryption._export

    def export_losing_a_row(plain: Path, target: Path, key: bytes) -> dict[str, int]:
        counts = real_export(plain, target, key)
        with closing(connect(target, key)) as copy:
            copy.execute("DELETE FROM help_sessions")
            copy.commit()
        return counts

    monkeypatch.setattr(encryption, "_export", export_losing_a_row)
    with pytest.raises(RuntimeError, match="differs"):
        open_store(tmp_path / "data", key=key)
    assert is_plain_file(database)
    assert _all_rows(database, None) == expected


def test_a_plain_backup_too_damaged_to_encrypt_is_removed(tmp_path: Path, key: bytes) -> None:
    _plain_store(tmp_path / "data", [RESIDENT])
    good = backup_now(tmp_path / "data", MORNING)
    bad = backup_now(tmp_path / "data", MORNING)
    with bad.path.open("r+b") as raw:
        raw.seek(4096)
        raw.write(b"\xff" * 4096 * 4)
    open_store(tmp_path / "data", key=key).close()
    assert [b.path for b in list_backups(tmp_path / "data")] == [good.path]
    assert not is_plain_file(good.path)


def test_a_key_for_a_plain_file_outside_the_store_is_refused_as_not_encrypted(
    tmp_path: Path, key: bytes
) -> None:
    database = _plain_store(tmp_path / "data", [RESIDENT])
    with pytest.raises(NotEncryptedError):
        connect(database, key)


# --- killed while writing ---------------------------------------------------------------------

_WRITER = """
import sys
from pathlib import Path
from villagehelper.ops import households as hh, team
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.store.engine import open_store

store = open_store(Path(sys.argv[1]), key=bytes.fromhex(sys.argv[2]))
village = team.list_villages(store)[0].id
number = 0
while True:
    number += 1
    home = hh.create_household(store, HouseholdInput(village, f"Hộ số {number}"))
    print(home.id, flush=True)  # acknowledged: committed with synchronous=FULL
"""


def test_an_encrypted_store_killed_while_writing_keeps_every_acknowledged_write(
    tmp_path: Path, key: bytes
) -> None:
    data_dir = tmp_path / "data"
    store = open_store(data_dir, key=key, clock=FakeClock())
    make_village_team(store)
    store.close()
    acknowledged: set[str] = set()
    for kill_after in (5, 17, 31):
        with subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(data_dir), key.hex()],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        ) as writer:
            assert writer.stdout is not None
            for _ in range(kill_after):
                line = writer.stdout.readline().strip()
                assert line, "the writer stopped before it was killed"
                acknowledged.add(line)
            writer.send_signal(signal.SIGKILL)  # in the middle of the next write
            writer.wait()
        with closing(connect(data_dir / DATABASE_FILE, key)) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            held = {row[0] for row in connection.execute("SELECT id FROM households")}
        assert acknowledged <= held
    assert _in_clear(data_dir / DATABASE_FILE) == []
    reopened = open_store(data_dir, key=key)
    try:
        assert len(hh.find_households(reopened, "ho so", limit=500).hits) >= len(acknowledged)
    finally:
        reopened.close()


def test_newest_good_backup_needs_the_key(tmp_path: Path, key: bytes) -> None:
    store = open_store(tmp_path / "data", key=key, clock=FakeClock())
    _log_resident(make_village_team(store))
    store.close()
    made = backup_now(tmp_path / "data", MORNING, key=key)
    found = newest_good_backup(tmp_path / "data", key=key)
    assert found is not None and found.path == made.path and found.households == 1
    assert newest_good_backup(tmp_path / "data", key=secrets.token_bytes(32)) is None
