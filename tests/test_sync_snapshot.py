"""A new laptop starts from the commune's snapshot and ends up holding, row for row,
what following the feed from its start gives; anything else follows the feed."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from tests.conftest import FakeClock
from tests.sync_support import (
    COMMUNE,
    OTHER_COMMUNE,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    fast_connection,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
)
from tests.test_sync_first_download import PERIODS, WEEK, _busy_commune, _suspended, _triggers
from tests.test_tally_summaries import assert_exact, assert_tallies_match_the_sessions, kept
from villagehelper.exchange import snapshot, wire
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.paths import DATABASE_FILE
from villagehelper.server import accounts
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.store import search_index, sync_state
from villagehelper.store.changelog import ENTITIES
from villagehelper.store.engine import Store, open_store
from villagehelper.store.migrate import HEAD_REVISION
from villagehelper.sync import client
from villagehelper.sync.http import ServerUnreachableError
from villagehelper.tally.engine import compute_tally

Rows = dict[str, list[tuple[object, ...]]]


def _stored_rows(store: Store) -> Rows:
    """Every synced table as stored, local columns included; not when it was written."""
    rows: Rows = {}
    with store.engine.connect() as connection:
        for model in ENTITIES.values():
            table = str(model.__tablename__)
            columns = [
                name
                for (_, name, *_rest) in connection.exec_driver_sql(f"PRAGMA table_info({table})")
                if name != "updated_at"
            ]
            result = connection.exec_driver_sql(f"SELECT {', '.join(columns)} FROM {table}")
            rows[table] = sorted(tuple(row) for row in result)
    return rows


def _documents(store: Store) -> dict[str, str]:
    with store.engine.connect() as connection:
        return search_index.indexed_documents(connection)


def _cursor(store: Store) -> int:
    with store.reading() as session:
        return sync_state.cursor(session)


def _sync_watching(laptop: Laptop, **options: object) -> set[str]:
    phases: set[str] = set()
    client.sync_once(
        laptop.store,
        connect=fast_connection,
        progress=lambda phase, _done, _total: phases.add(phase),
        **options,  # type: ignore[arg-type]
    )
    return phases


def test_a_new_laptop_from_the_snapshot_holds_what_the_feed_gives(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    by_feed = enrol_laptop(sync_server, open_laptop(tmp_path, "by-feed"))
    assert "snapshot" not in _sync_watching(by_feed, use_snapshot=False)
    by_snapshot = enrol_laptop(sync_server, open_laptop(tmp_path, "by-snapshot"))
    assert "snapshot" in _sync_watching(by_snapshot)

    assert _stored_rows(by_snapshot.store) == _stored_rows(by_feed.store)
    assert laptop_snapshot(by_snapshot.store) == server_snapshot(sync_server.db)
    assert _documents(by_snapshot.store) == _documents(by_feed.store)
    assert _documents(by_snapshot.store)  # households are findable at once
    assert kept(by_snapshot.store) == kept(by_feed.store)
    assert_exact(by_snapshot.store)
    assert _triggers(by_snapshot.store) == _triggers(by_feed.store)
    assert not _suspended(by_snapshot.store)
    assert _cursor(by_snapshot.store) == _cursor(by_feed.store)
    assert compute_tally(by_snapshot.store, WEEK) == compute_tally(commune.leader.store, WEEK)

    # From there it is a laptop like any other: work both ways, summaries kept.
    home = households.create_household(
        by_snapshot.store, HouseholdInput(commune.village_id, "Trần Thị Lụa")
    )
    sessions.log_visit(
        by_snapshot.store,
        VisitInput(home.id, commune.member_id, [ServiceOutcome("DIGITAL_SKILLS")]),
    )
    sessions.log_visit(
        commune.leader.store,
        VisitInput(
            _first_household(commune.leader.store), commune.leader_id, [ServiceOutcome("VSSID")]
        ),
    )
    commune.leader.sync()
    assert _sync_watching(by_snapshot) == {"push", "pull"}
    commune.leader.sync()
    by_feed.sync()
    assert laptop_snapshot(by_snapshot.store) == server_snapshot(sync_server.db)
    assert _stored_rows(by_snapshot.store) == _stored_rows(by_feed.store)
    assert_exact(by_snapshot.store)
    assert_tallies_match_the_sessions(by_snapshot.store, PERIODS)


def _first_household(store: Store) -> str:
    with store.engine.connect() as connection:
        return str(connection.execute(text("SELECT id FROM households ORDER BY id")).scalar())


def test_a_laptop_with_work_of_its_own_follows_the_feed(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    # A leader's laptop that set up its own commune before enrolling: its villages and
    # team are waiting in the outbox.
    store = open_laptop(tmp_path, "own-work")
    team.set_commune(store, COMMUNE)
    team.add_village(store, "Thôn Hữu Chung")
    laptop = enrol_laptop(sync_server, store, "leader")
    assert "snapshot" not in _sync_watching(laptop)
    commune.leader.sync()
    assert laptop_snapshot(laptop.store) == server_snapshot(sync_server.db)
    assert_exact(laptop.store)


def test_the_server_makes_a_snapshot_again_only_when_the_feed_moved(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    # No grace for a superseded snapshot here (test_replica_locks.py keeps one).
    replicas = CommuneReplicas(sync_server.db, tmp_path / "replicas", keep_superseded_s=0)
    try:
        first = replicas.snapshot(COMMUNE)
        assert replicas.snapshot(COMMUNE) == first
        households.create_household(
            commune.leader.store, HouseholdInput(commune.village_id, "Đỗ Thị Mai")
        )
        commune.leader.sync()
        second = replicas.snapshot(COMMUNE)
        assert second.meta.cursor > first.meta.cursor
        assert second.path.exists()
        assert not first.path.exists()
        # What it holds: the commune's rows and the catalog, at the cursor it names.
        plain = tmp_path / "plain.sqlite3"
        plain.write_bytes(gzip.decompress(second.path.read_bytes()))
        assert snapshot.read_meta(plain) == second.meta
        with sqlite3.connect(plain) as db:
            villages = {row[0] for row in db.execute("SELECT commune_code FROM villages")}
            heads = {row[0] for row in db.execute("SELECT head_name FROM households")}
        assert villages == {COMMUNE}
        assert "Đỗ Thị Mai" in heads
        assert replicas.snapshot(OTHER_COMMUNE).meta.commune_code == OTHER_COMMUNE
    finally:
        replicas.close()


def test_a_server_of_another_version_has_no_snapshot_and_the_laptop_follows_the_feed(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    _busy_commune(sync_server, tmp_path)
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "new"))
    with laptop.store.reading() as session:
        credentials = sync_state.enrolled(session)
    assert credentials is not None
    for schema, app in (("0001", "0.1.0"), (HEAD_REVISION, "0.0.1")):
        answer = requests.get(
            f"{sync_server.url}/v1/snapshot",
            params={"schema": schema},
            headers={
                "Authorization": f"Bearer {credentials.token}",
                wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
                wire.APP_VERSION_HEADER: app,
            },
            timeout=30,
        )
        assert answer.status_code == 409, (schema, app)
        assert answer.json()["error"] == "snapshot_unavailable"
        assert "phiên bản khác" in answer.json()["message_vi"]


def _a_snapshot(sync_server: LoopbackServer, tmp_path: Path, commune: str = COMMUNE) -> Path:
    replicas = CommuneReplicas(sync_server.db, tmp_path / f"replicas-{commune}")
    try:
        made = replicas.snapshot(commune)
        plain = tmp_path / f"snapshot-{commune}.sqlite3"
        plain.write_bytes(gzip.decompress(made.path.read_bytes()))
        return plain
    finally:
        replicas.close()


@pytest.mark.parametrize(
    "spoil",
    [
        "UPDATE snapshot_meta SET value = '0.0.1' WHERE key = 'app_version'",
        "UPDATE snapshot_meta SET value = '0001' WHERE key = 'schema'",
        "DROP TABLE help_sessions",
        "DELETE FROM snapshot_meta WHERE key = 'cursor'",
        "truncate",
    ],
)
def test_a_snapshot_the_laptop_cannot_take_changes_nothing(
    sync_server: LoopbackServer, tmp_path: Path, spoil: str
) -> None:
    _busy_commune(sync_server, tmp_path)
    made = _a_snapshot(sync_server, tmp_path)
    if spoil == "truncate":
        made.write_bytes(made.read_bytes()[: made.stat().st_size // 2])
    else:
        with sqlite3.connect(made) as db:
            db.execute(spoil)
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "new"))
    before = _stored_rows(laptop.store)
    with pytest.raises(snapshot.SnapshotUnusableError) as refused:
        snapshot.adopt(laptop.store, made)
    assert "tải dữ liệu từng phần" in refused.value.message_vi
    assert _stored_rows(laptop.store) == before
    assert _cursor(laptop.store) == 0


def test_a_snapshot_of_another_commune_or_for_a_laptop_with_data_is_not_taken(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    _busy_commune(sync_server, tmp_path)
    theirs = _a_snapshot(sync_server, tmp_path, OTHER_COMMUNE)
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "new"))
    with pytest.raises(snapshot.SnapshotUnusableError):
        snapshot.adopt(laptop.store, theirs)
    ours = _a_snapshot(sync_server, tmp_path)
    # Something logged on the laptop after it was found empty: the copy is not made.
    team.add_village(laptop.store, "Thôn Mới")
    before = _stored_rows(laptop.store)
    assert snapshot.adopt(laptop.store, ours) is None
    assert _stored_rows(laptop.store) == before


def test_joining_again_after_a_cut_download_does_not_use_the_code_twice(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    _busy_commune(sync_server, tmp_path)
    store = open_laptop(tmp_path, "joining")
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")

    def cut(phase: str, _done: int, _total: int) -> None:
        if phase == "snapshot":
            raise ServerUnreachableError("Mất mạng giữa chừng.", "The network went.")

    with pytest.raises(ServerUnreachableError):
        client.join_commune(store, sync_server.url, code, "Máy mới", progress=cut)
    assert _cursor(store) == 0  # nothing of the commune came in
    assert not list(store.path.parent.glob("commune-snapshot*"))  # no scratch file left
    # The code is spent; the same code again must not be sent, only the download.
    client.join_commune(store, sync_server.url, code, "Máy mới", connect=fast_connection)
    assert laptop_snapshot(store) == server_snapshot(sync_server.db)


def test_an_encrypted_new_laptop_takes_the_plain_snapshot_and_keeps_it_encrypted(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    _busy_commune(sync_server, tmp_path)
    key = bytes(range(32))
    laptop = enrol_laptop(
        sync_server, open_store(tmp_path / "encrypted", key=key, clock=FakeClock())
    )
    assert "snapshot" in _sync_watching(laptop)

    assert laptop_snapshot(laptop.store) == server_snapshot(sync_server.db)
    assert_exact(laptop.store)
    found = households.find_households(laptop.store, "nguyen van ho")
    assert len(found.hits) == 6  # the search index came with it
    laptop.store.close()
    for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal"):
        written = tmp_path / "encrypted" / name
        if written.exists():
            raw = written.read_bytes()
            assert "Nguyễn Văn Hộ".encode() not in raw and b"nguyen van ho" not in raw
    assert not (tmp_path / "encrypted" / DATABASE_FILE).read_bytes().startswith(b"SQLite")
    assert [path.name for path in (tmp_path / "encrypted").glob("commune-snapshot*")] == []
