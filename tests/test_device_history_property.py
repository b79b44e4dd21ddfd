"""The server's rule for one device's upload history, over random histories: a laptop
that loses replies, retries late and sends stale batches is never taken for a copy, and
of two copies of one folder, only one ever gets changes made after the copy accepted."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from villagehelper.server import accounts
from villagehelper.server.accounts import DeviceScope
from villagehelper.server.batch import IncomingChange
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.device_history import DeviceHistoryDivergedError
from villagehelper.server.push import push
from villagehelper.server.tables import ReceivedChange

COMMUNE = "10999"


def _change(change_id: str) -> IncomingChange:
    fields = {"commune_code": COMMUNE, "name": f"Thôn {change_id}", "kind": "thon"}
    return IncomingChange(change_id, "village", f"v-{change_id}", "insert", None, fields)


@dataclass(eq=False)
class Folder:
    """One data folder's sync state, as the client keeps it."""

    outbox: list[str] = field(default_factory=list)
    after: str = ""
    sent: list[tuple[str, list[str]]] = field(default_factory=list)  # (after, batch)
    refused: bool = False

    def copy(self) -> Folder:
        return Folder(list(self.outbox), self.after, list(self.sent))


Step = tuple[str, int, int]  # action, folder, batch size
steps = st.lists(
    st.tuples(
        st.sampled_from(["log", "push", "push_reply_lost", "late_retry"]),
        st.integers(0, 1),
        st.integers(1, 3),
    ),
    max_size=24,
)


def _server(folder: Path) -> tuple[ServerDB, DeviceScope]:
    db = open_server_db(f"sqlite+pysqlite:///{folder / 'server.sqlite3'}")
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    enrolled = accounts.enrol(db, accounts.issue_code(db, COMMUNE, "leader"), "laptop")
    return db, accounts.authenticate(db, enrolled.token)


@settings(max_examples=60, deadline=None)
@given(script=steps, copy_at=st.integers(0, 8))
def test_one_history_per_device(script: list[Step], copy_at: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        db, scope = _server(Path(scratch))
        try:
            _play(db, scope, script, copy_at)
        finally:
            db.close()


def _play(db: ServerDB, scope: DeviceScope, script: list[Step], copy_at: int) -> None:
    folders = [Folder()]
    server = Server(db, scope, folders)
    made_after_copy: dict[str, int] = {}  # change id → the folder that made it
    made = 0
    for number, (action, which, size) in enumerate(script):
        if number == copy_at:
            folders.append(folders[0].copy())
        index = min(which, len(folders) - 1)
        folder = folders[index]
        if action == "log":
            made += 1
            folder.outbox.append(f"c{made}")
            if len(folders) == 2:
                made_after_copy[f"c{made}"] = index
        elif action == "late_retry" and folder.sent:
            after, batch = folder.sent[size % len(folder.sent)]
            _send(server, folder, after, batch)
        elif action in ("push", "push_reply_lost"):
            _sync(server, folder, size, lost=action == "push_reply_lost")
    for folder in folders:  # then every folder syncs everything it holds
        _sync(server, folder, len(folder.outbox))
    accepted = {made_after_copy[c] for c in _received(db) if c in made_after_copy}
    # Of two copies, at most one continued the history; the other was stopped.
    assert len(accepted) <= 1
    if len(folders) == 1:  # one folder, however unlucky its network, sent everything
        assert not folders[0].refused
        assert _received(db) == {f"c{n}" for n in range(1, made + 1)}


@dataclass
class Server:
    db: ServerDB
    scope: DeviceScope
    folders: list[Folder]


def _sync(server: Server, folder: Folder, size: int, *, lost: bool = False) -> None:
    batch = folder.outbox[:size]
    if batch and _send(server, folder, folder.after, batch) and not lost:
        folder.outbox = folder.outbox[len(batch) :]
        folder.after = batch[-1]


def _send(server: Server, folder: Folder, after: str, batch: list[str]) -> bool:
    """One push; False if refused (a refused folder sends nothing more)."""
    if folder.refused:
        return False
    try:
        push(server.db, server.scope, [_change(c) for c in batch], after=after)
    except DeviceHistoryDivergedError:
        assert len(server.folders) == 2, "a single folder was taken for a copy"
        folder.refused = True
        return False
    folder.sent.append((after, batch))
    return True


def _received(db: ServerDB) -> set[str]:
    with db.reading() as session:
        return set(session.scalars(select(ReceivedChange.change_id)))
