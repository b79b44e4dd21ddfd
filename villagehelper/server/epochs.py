"""The server database's epoch: which stretch of its history laptops synced with.

A backup put back is a byte copy of an older database: the versions handed out after
it was taken are handed out again, to other rows, and what laptops sent after it is gone.
Nothing inside the copy can tell, so two things outside it do:

- a backup made by ``villagehelper-server backup`` carries an epoch row of its own
  ("backup"); a database whose latest epoch is one was put back, whatever the marker says;
- a small marker file kept beside the database (or, for PostgreSQL, in the server's data
  folder) records the epoch and the highest feed version this database has reached, and
  the communes and devices it has enrolled.  A database at start-up whose epoch is not the
  marker's, or whose feed stands below it, was put back by hand.

Either way the server starts a new epoch at the restored feed's end, and puts back the
communes, devices and revocations the marker knows and the copy does not (a laptop enrolled
after the backup keeps working; a laptop revoked after it stays revoked).  Every answer
names the epoch (``wire.EPOCH_HEADER``); a laptop that synced in another epoch is refused
with the epoch's common point (:class:`EpochChangedError`) and heals itself (sync/epoch.py):
it states again what it holds past that point and downloads again from there.

The marker holds no resident's data: ids, commune names, device names and token digests.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.exchange.wire import canonical_json
from villagehelper.server.answer_headers import Headers, sending_with
from villagehelper.server.feed_clock import database_end
from villagehelper.server.tables import (
    Device,
    EnrolmentCode,
    ServerCommune,
    ServerEpoch,
)

if TYPE_CHECKING:
    from villagehelper.server.database import ServerDB

log = logging.getLogger("villagehelper.server")

STATE_ENV = "VILLAGEHELPER_SERVER_STATE"  # where markers of non-SQLite databases are kept
BACKUP = "backup"
MARKER_INTERVAL = 0.5  # seconds between two writes of the marker's feed under load
_MARKER_SUFFIX = ".epoch.json"


class EpochChangedError(UserError):
    """A laptop synced with another epoch of this database: it must heal first."""

    def __init__(self, epoch: str, common: int) -> None:
        super().__init__(
            "Máy chủ xã vừa được khôi phục từ bản sao lưu. Máy này sẽ tự gửi lại những gì máy "
            "chủ còn thiếu và tải lại những gì máy này còn thiếu.",
            "The commune server was restored from a backup. This laptop sends again what "
            "the server lacks and downloads again what it lacks.",
        )
        self.epoch = epoch
        self.common = common


@dataclass
class EpochState:
    """The current epoch of an open database, and its marker file (None: none kept)."""

    epoch_id: str
    marker: Path | None
    feed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _written_at: float = field(default=0.0, repr=False)
    _unwritten: bool = field(default=False, repr=False)
    _read_at: float = field(default_factory=time.monotonic, repr=False)

    def note_feed(self, value: int) -> None:
        """The feed reached ``value``: the marker follows, so a copy older than now is
        recognised when it is put back.  Written at most every MARKER_INTERVAL under
        load, and at a clean stop (:meth:`flush`); a copy younger than that is caught by
        the laptops whose cursor stands past its feed (sync/epoch.py)."""
        if self.marker is None or value <= self.feed:
            return
        with self._lock:
            if value <= self.feed:
                return
            self.feed = value
            if time.monotonic() - self._written_at < MARKER_INTERVAL:
                self._unwritten = True
                return
            self._write_feed(self.marker)

    def flush(self) -> None:
        """The feed reached so far into the marker (the server stops)."""
        with self._lock:
            if self._unwritten and self.marker is not None:
                self._write_feed(self.marker)

    def current(self, db: ServerDB) -> str:
        """The epoch, read again from the database at most every second: a restore made
        while the server runs (which it should not be) is still seen at once."""
        if time.monotonic() - self._read_at >= 1.0:
            with db.reading() as session:
                latest = _latest(session)
            self._read_at = time.monotonic()
            if latest is not None and latest.reason != BACKUP:
                self.epoch_id = latest.epoch_id
        return self.epoch_id

    def _write_feed(self, path: Path) -> None:
        marker = _read_marker(path)
        # Every process of the server (serve --workers) keeps the marker, each knowing
        # the feed as far as its own requests saw it: the marker keeps the furthest.
        written = int(marker["feed"]) if marker.get("epoch") == self.epoch_id else 0
        marker.update(epoch=self.epoch_id, feed=max(self.feed, written))
        _write_marker(path, marker)
        self._written_at = time.monotonic()
        self._unwritten = False


def marker_path(url: str) -> Path | None:
    """Beside a SQLite file (``server.sqlite3.epoch.json``); for another database, in the
    server's data folder under a name made from its URL (without the password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        path = Path(database)
        return path.with_name(path.name + _MARKER_SUFFIX)
    return state_folder() / "epochs" / f"{database_key(url)}{_MARKER_SUFFIX}"


def state_folder() -> Path:
    """The server's data folder for what it keeps beside a database that is not a file:
    ``VILLAGEHELPER_SERVER_STATE``, or the user's data folder."""
    configured = os.environ.get(STATE_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("villagehelper-server", appauthor=False))


def database_key(url: str) -> str:
    """A short name for the database ``url`` names, made without its password."""
    rendered = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(rendered.encode()).hexdigest()[:16]


def prepare_epochs(db: ServerDB) -> EpochState:
    """At start-up: give the database its first epoch, or a new one if it was put back
    from a backup; then bring the marker up to date."""
    path = marker_path(db.url)
    marker = _read_marker(path) if path is not None else {}
    with db.transaction() as session:
        feed = _feed_end(session)
        latest = _latest(session)
        if latest is None:
            latest = _start(session, db, feed, "first")
        elif latest.reason == BACKUP:
            _put_back_accounts(session, db, marker)
            latest = _start(session, db, feed, "restored")
            log.warning("server database restored from a backup: new epoch %s", latest.epoch_id)
        elif marker and (marker.get("epoch") != latest.epoch_id or int(marker["feed"]) > feed):
            _put_back_accounts(session, db, marker)
            latest = _start(session, db, feed, "restore_found")
            log.warning(
                "server database older than its marker (put back from a copy): new epoch %s",
                latest.epoch_id,
            )
        epoch_id = latest.epoch_id
    state = EpochState(epoch_id, path, feed)
    if path is not None:
        _write_marker(path, {**marker, "epoch": epoch_id, "feed": feed})
        note_accounts(db, state)
    return state


def begin_after_restore(db: ServerDB) -> str:
    """A new epoch for a database just put back by ``villagehelper-server restore``
    (unless opening it already started one)."""
    state = db.epochs
    with db.transaction() as session:
        latest = _latest(session)
        started_on_opening = (
            latest is not None
            and latest.reason in ("restored", "restore_found")
            and latest.epoch_id == state.epoch_id
            and latest.feed_start == _feed_end(session)
        )
        if started_on_opening:
            assert latest is not None
            return latest.epoch_id
        marker = _read_marker(state.marker) if state.marker is not None else {}
        _put_back_accounts(session, db, marker)
        new = _start(session, db, _feed_end(session), "restored")
        epoch_id = new.epoch_id
    state.epoch_id = epoch_id
    if state.marker is not None:
        marker = _read_marker(state.marker)
        _write_marker(state.marker, {**marker, "epoch": epoch_id, "feed": state.feed})
    return epoch_id


def mark_backup(session: Session, clock_now: Any) -> None:
    """In a backup copy: the epoch row that makes it start a new epoch when put back."""
    session.add(
        ServerEpoch(
            epoch_id=str(uuid.uuid4()),
            feed_start=_feed_end(session),
            started_at=clock_now,
            reason=BACKUP,
        )
    )


def check_laptop(db: ServerDB, laptop_epoch: str | None, device_id: str | None = None) -> None:
    """Refuse a laptop that states another epoch than this one (None: it knows none yet,
    it takes this one from the answer).  The device refused may then state again what
    the restore lost (restate_rules.py)."""
    current = db.epochs.current(db)
    if laptop_epoch is None or laptop_epoch == current:
        return
    if device_id is not None and _had_epoch(db, laptop_epoch):
        # Not for any epoch a device names: a made-up one would open the healing rules.
        from villagehelper.server import restate_rules

        restate_rules.note_healing(db, device_id, current)
    raise EpochChangedError(current, common_point(db, laptop_epoch))


def _had_epoch(db: ServerDB, epoch_id: str) -> bool:
    with db.reading() as session:
        found = session.scalar(select(ServerEpoch.seq).where(ServerEpoch.epoch_id == epoch_id))
    return found is not None


def common_point(db: ServerDB, laptop_epoch: str) -> int:
    """The last version a laptop that synced in ``laptop_epoch`` shares with this
    database: where the next epoch of this database's history began.  0 when this
    database never had that epoch (it came after the copy put back)."""
    with db.reading() as session:
        chain = list(session.scalars(select(ServerEpoch).order_by(ServerEpoch.seq)))
        for earlier, later in itertools.pairwise(chain):
            if earlier.epoch_id == laptop_epoch:
                return later.feed_start
        if chain and chain[-1].epoch_id == laptop_epoch:
            return _feed_end(session)
    return 0


def note_accounts(db: ServerDB, state: EpochState | None = None) -> None:
    """Keep the communes and devices (with their token digests and revocations) in the
    marker: a copy put back lacks those enrolled or revoked after it was made."""
    state = state or db.epochs
    if state.marker is None:
        return
    with db.reading() as session:
        communes = {c.code: c.name for c in session.scalars(select(ServerCommune))}
        devices = {
            d.id: {
                "commune_code": d.commune_code,
                "role": d.role,
                "name": d.name,
                "token_hash": d.token_hash,
                "created_at": _text(d.created_at),
                "revoked_at": _text(d.revoked_at) if d.revoked_at else None,
            }
            for d in session.scalars(select(Device))
        }
        # Codes used and not yet expired: put back unused, they would let a second
        # laptop in with a code already read out.
        used_codes = {
            c.code_hash: c.used_by or ""
            for c in session.scalars(
                select(EnrolmentCode).where(
                    EnrolmentCode.used_at.is_not(None), EnrolmentCode.expires_at > db.clock()
                )
            )
        }
    with state._lock:
        marker = _read_marker(state.marker)
        marker.update(
            epoch=state.epoch_id, communes=communes, devices=devices, used_codes=used_codes
        )
        marker["feed"] = max(int(marker.get("feed", 0)), state.feed)
        _write_marker(state.marker, marker)


class EpochHeader:
    """Names the server's epoch on every answer (plain ASGI: no per-request task)."""

    def __init__(self, app: ASGIApp, db: ServerDB) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = wire.EPOCH_HEADER.lower().encode("latin-1")

        def epoch() -> Headers:
            return [(name, self.db.epochs.epoch_id.encode("latin-1"))]

        await self.app(scope, receive, sending_with(send, epoch))


def _latest(session: Session) -> ServerEpoch | None:
    return session.scalars(select(ServerEpoch).order_by(ServerEpoch.seq.desc()).limit(1)).first()


def _feed_end(session: Session) -> int:
    return database_end(session)


def _start(session: Session, db: ServerDB, feed: int, reason: str) -> ServerEpoch:
    epoch = ServerEpoch(
        epoch_id=str(uuid.uuid4()), feed_start=feed, started_at=db.clock(), reason=reason
    )
    session.add(epoch)
    session.flush()
    return epoch


def _put_back_accounts(session: Session, db: ServerDB, marker: dict[str, Any]) -> None:
    """Communes and devices the marker knows and the restored copy lacks, and the
    revocations and new tokens made after the copy."""
    from villagehelper.store.models import UtcDateTime

    instant = UtcDateTime()
    for code, name in dict(marker.get("communes") or {}).items():
        if session.get(ServerCommune, code) is None:
            session.add(ServerCommune(code=code, name=name, created_at=db.clock()))
    session.flush()
    for device_id, kept in dict(marker.get("devices") or {}).items():
        revoked = kept.get("revoked_at")
        device = session.get(Device, device_id)
        if device is None:
            session.add(
                Device(
                    id=device_id,
                    commune_code=kept["commune_code"],
                    role=kept["role"],
                    name=kept["name"],
                    token_hash=kept["token_hash"],
                    created_at=instant.process_result_value(kept["created_at"], None),  # type: ignore[arg-type]
                    revoked_at=instant.process_result_value(revoked, None) if revoked else None,  # type: ignore[arg-type]
                    last_seen_at=None,
                )
            )
            log.warning("device %s (enrolled after the backup) put back", device_id)
            continue
        device.token_hash = kept["token_hash"]
        if revoked and device.revoked_at is None:
            device.revoked_at = instant.process_result_value(revoked, None)  # type: ignore[arg-type]
    for code_hash, used_by in dict(marker.get("used_codes") or {}).items():
        code = session.get(EnrolmentCode, code_hash)
        if code is not None and code.used_at is None:
            code.used_at = db.clock()
            code.used_by = used_by or None


def _text(moment: Any) -> str:
    from villagehelper.store.models import utc_text

    return utc_text(moment)


def _read_marker(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        # A damaged marker only costs the detection of a hand-made restore; say so.
        log.warning("epoch marker %s unreadable (%s): written again", path, exc)
        return {}
    if not isinstance(loaded, dict) or "epoch" not in loaded or "feed" not in loaded:
        return {}
    return loaded


def _write_marker(path: Path, marker: dict[str, Any]) -> None:
    """Whole or not at all: a temporary file renamed over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    # Readable by the server's account only: it names devices and their token digests.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(canonical_json(marker))
    os.replace(temporary, path)
