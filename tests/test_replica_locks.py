"""The commune replicas shared by several server processes on one machine, and by the
threads of one: one builder per commune, a snapshot built once and served whole to
every process, a catch-up never applied twice, and communes that never wait on each
other.  Real processes (spawn) on the same SQLite or PostgreSQL database and folder."""

from __future__ import annotations

import gzip
import hashlib
import multiprocessing
import os
import sqlite3
import threading
import time
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import distinct, func, select

from tests.replica_processes import Ask, Meeting, ask_together, builds_recorded, recording_builds
from tests.sync_support import COMMUNE, OTHER_COMMUNE, LoopbackServer
from tests.test_sync_first_download import _busy_commune
from tests.test_sync_poison_rows import POISON, _valid_session_fields, store_as_an_old_server_did
from tests.test_tally_summaries import assert_exact
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.server import epochs, feed
from villagehelper.server import quarantine as server_quarantine
from villagehelper.server.database import ServerDB
from villagehelper.server.replica_files import MADE_MARK, CommuneFolder
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.server.tables import Record
from villagehelper.store.changelog import ENTITIES
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession

ANSWER_WAIT_S = 300.0  # bounds a test whose other process died; never reached when well
SESSIONS = str(ENTITIES["help_session"].__tablename__)


def _server_sessions(db: ServerDB, commune: str = COMMUNE) -> int:
    """The commune's help sessions as the server holds them, counted in its own table."""
    with db.reading() as session:
        return (
            session.scalar(
                select(func.count(distinct(Record.row_id))).where(
                    Record.entity == "help_session", Record.commune_code == commune
                )
            )
            or 0
        )


def _in_two_processes(
    action: str, db: ServerDB, folder: Path, builds: Path, page: int = 2000
) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    meeting = Meeting(context.Barrier(2), context.Value("i", 0), context.Event())
    answers = context.Queue()
    workers: list[SpawnProcess] = [
        context.Process(
            target=ask_together,
            args=(Ask(action, db.url, str(folder), COMMUNE, str(builds), page), meeting, answers),
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        got = [answers.get(timeout=ANSWER_WAIT_S) for _ in workers]
    finally:
        for worker in workers:
            worker.join(ANSWER_WAIT_S)
    errors = [answer["error"] for answer in got if "error" in answer]
    assert not errors, "\n".join(errors)
    assert [worker.exitcode for worker in workers] == [0, 0]
    return got


def test_two_processes_asking_for_a_snapshot_at_once_build_it_once_and_serve_it_whole(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    _busy_commune(sync_server, tmp_path)
    builds = tmp_path / "builds.txt"
    got = _in_two_processes("snapshot", sync_server.db, tmp_path / "replicas", builds)

    assert builds_recorded(builds) == [(COMMUNE, "replica"), (COMMUNE, "snapshot")]
    first, second = got
    assert first == second  # one file: same name, inode and bytes
    packed = Path(first["path"])
    assert hashlib.sha256(packed.read_bytes()).hexdigest() == first["sha256"]
    plain = tmp_path / "plain.sqlite3"
    plain.write_bytes(gzip.decompress(packed.read_bytes()))
    with sqlite3.connect(plain) as made:
        assert made.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        held = made.execute(f"SELECT COUNT(*) FROM {SESSIONS}").fetchone()[0]
    assert held == _server_sessions(sync_server.db) > 0
    # Nothing half-made left behind in the shared folder.
    leftovers = [path.name for path in packed.parent.iterdir() if path.name.startswith(".")]
    assert leftovers == []


def test_two_processes_catching_up_one_replica_at_once_take_each_change_once(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    # Rows no laptop can store, in the middle of the feed: set aside, and listed once.
    # (Only those the schema's checks refuse: one the tally summaries refuse breaks a
    # first download of several pages, on one process too; reported separately.)
    base = _valid_session_fields(sync_server.db)
    poison = {
        store_as_an_old_server_did(sync_server.db, base, POISON[kind])
        for kind in ("unknown_outcome", "follow_up_without_date", "failure_without_reason")
    }
    households.create_household(
        commune.leader.store, HouseholdInput(commune.village_id, "Đỗ Thị Mai")
    )
    commune.leader.sync()
    builds = tmp_path / "builds.txt"
    folder = tmp_path / "replicas"
    # Pages of 3 changes: a catch-up of many pages, which the two could interleave.
    got = _in_two_processes("catch_up", sync_server.db, folder, builds, page=3)

    assert got[0]["path"] == got[1]["path"]
    recorded = builds_recorded(builds)
    # The feed read from its start once: the second process began where the first ended.
    assert recorded.count((COMMUNE, "page-after", "0")) == 1
    built = [entry for entry in recorded if entry[1] != "page-after"]
    assert built == [(COMMUNE, "replica")]  # the second found it done
    os.unlink(builds)
    replicas = CommuneReplicas(sync_server.db, folder, on_build=recording_builds(builds))
    try:
        store = replicas.caught_up(COMMUNE)
        assert str(store.path) == got[0]["path"]
        assert builds_recorded(builds) == []  # a third process too
        sessions_stored = _server_sessions(sync_server.db) - len(poison)
        assert _replica_sessions(store) == sessions_stored > 0
        assert_exact(store)  # the tally summaries hold each session once
        listed = server_quarantine.listed(sync_server.db, COMMUNE)
        assert sorted(row.row_id for row in listed) == sorted(poison)
    finally:
        replicas.close()


def _replica_sessions(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql(f"SELECT COUNT(*) FROM {SESSIONS}").scalar_one())


def test_a_communes_cold_build_does_not_hold_up_another_commune(
    sync_server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _busy_commune(sync_server, tmp_path)
    replicas = CommuneReplicas(sync_server.db, tmp_path / "replicas")
    held, release = threading.Event(), threading.Event()
    page = feed.page

    def page_held_for_the_busy_commune(*args: Any) -> dict[str, Any]:
        if args[1].commune_code == COMMUNE:
            held.set()
            assert release.wait(ANSWER_WAIT_S)
        return page(*args)

    monkeypatch.setattr(feed, "page", page_held_for_the_busy_commune)
    building = threading.Thread(target=replicas.snapshot, args=(COMMUNE,))
    building.start()
    try:
        assert held.wait(ANSWER_WAIT_S)
        other_done = threading.Event()

        def other_commune() -> None:
            replicas.caught_up(OTHER_COMMUNE)
            other_done.set()

        other = threading.Thread(target=other_commune)
        other.start()
        # The other commune's catch-up ends while the first's build is still held.
        assert other_done.wait(ANSWER_WAIT_S)
        assert building.is_alive()
        other.join()
    finally:
        release.set()
        building.join()
    # A second request for the first commune waited for the build and found it done.
    assert _replica_sessions(replicas.caught_up(COMMUNE)) == _server_sessions(sync_server.db)
    replicas.close()


def test_a_superseded_snapshot_stays_for_a_while_for_whoever_was_handed_it(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    timed: list[tuple[str, str, float]] = []
    replicas = CommuneReplicas(
        sync_server.db,
        tmp_path / "replicas",
        on_build=lambda code, what, seconds: timed.append((code, what, seconds)),
    )

    def feed_moves(name: str) -> None:
        households.create_household(commune.leader.store, HouseholdInput(commune.village_id, name))
        commune.leader.sync()

    try:
        first = replicas.snapshot(COMMUNE)
        feed_moves("Đỗ Thị Mai")
        second = replicas.snapshot(COMMUNE)
        # Handed out a moment ago, perhaps not yet opened to be sent: still there.
        assert first.path.exists() and second.path.exists()
        # Once its successor has been there for longer than the grace, it goes.
        made = second.path.stat().st_mtime - replicas.keep_superseded_s - 1
        os.utime(first.path, (made - 1, made - 1))
        os.utime(second.path, (made, made))
        feed_moves("Lê Văn Tám")
        third = replicas.snapshot(COMMUNE)
        assert not first.path.exists()
        assert second.path.exists() and third.path.exists()
        assert third.meta.cursor > second.meta.cursor > first.meta.cursor
        # Each build timed for the server's metrics: a catch-up that took something, then
        # the snapshot; none when the same snapshot is asked for again.
        assert replicas.snapshot(COMMUNE) == third
        assert [(code, what) for code, what, _seconds in timed] == [
            (COMMUNE, "replica"),
            (COMMUNE, "snapshot"),
        ] * 3
        assert all(seconds >= 0 for _code, _what, seconds in timed)
    finally:
        replicas.close()


def test_a_restore_builds_a_new_replica_beside_the_one_a_process_is_reading(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    db = sync_server.db
    folder = tmp_path / "replicas"
    reading, switching = CommuneReplicas(db, folder), CommuneReplicas(db, folder)
    try:
        before = reading.caught_up(COMMUNE)
        held = _replica_sessions(before)
        with before.reading() as session:  # a console page, reading on
            assert session.scalar(select(func.count()).select_from(HelpSession)) == held
            new_epoch = epochs.begin_after_restore(db)
            after = switching.caught_up(COMMUNE)
            assert after.path != before.path
            assert before.path.exists()
            assert session.scalar(select(func.count()).select_from(HelpSession)) == held
        assert _replica_sessions(after) == _server_sessions(db)
        assert reading.caught_up(COMMUNE).path == after.path  # its next request switches

        # Once the new replica has served for longer than the grace, the old one goes at
        # the next catch-up that takes something.
        files = CommuneFolder(folder / COMMUNE)
        made = time.time() - switching.keep_superseded_s - 1
        os.utime(files.replica_folder(new_epoch) / MADE_MARK, (made, made))
        households.create_household(
            commune.leader.store, HouseholdInput(commune.village_id, "Đỗ Thị Mai")
        )
        commune.leader.sync()
        switching.caught_up(COMMUNE)
        assert not before.path.parent.exists()
        assert [path.name for path in (folder / COMMUNE).glob("epoch-*")] == [
            after.path.parent.name
        ]
    finally:
        reading.close()
        switching.close()


def test_a_failing_build_observer_fails_no_request(
    sync_server: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _busy_commune(sync_server, tmp_path)

    def broken_metrics(_code: str, _what: str, _seconds: float) -> None:
        raise RuntimeError("metrics are down")

    replicas = CommuneReplicas(sync_server.db, tmp_path / "replicas", on_build=broken_metrics)
    try:
        made = replicas.snapshot(COMMUNE)
        assert made.path.exists()
        assert "replica build observer failed" in caplog.text
    finally:
        replicas.close()
