"""The laptop's side of sync (no Qt): enrol, then rounds of upload-then-download.

One round: the outbox goes up in order, in batches; each acknowledged batch leaves the
outbox in one local transaction.  Then the feed comes down page by page; each page and
the cursor after it are applied in one local transaction, so an interrupted round
resumes where it stopped and never applies a page twice or skips one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from villagehelper import geography, trusted_time
from villagehelper.errors import UserError
from villagehelper.store.changelog import ENTITIES, EVENT_ENTITIES, Changes, primary_key_name
from villagehelper.store.engine import Store
from villagehelper.store.kinds import SyncState
from villagehelper.store.migrate import HEAD_REVISION
from villagehelper.store.models import Commune, OutboxEntry
from villagehelper.sync import device_history, epoch, quarantine, set_aside, snapshot, state, wire
from villagehelper.sync.http import (
    ServerConnection,
    ServerRefusedError,
    SyncError,
    normalise_url,
)
from villagehelper.tally import summaries

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # phase ("push"/"pull"), done, total (0 = unknown)
ConnectionFactory = Callable[[str, str | None], ServerConnection]


def default_connection(url: str, token: str | None) -> ServerConnection:
    return ServerConnection(url, token)


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    pass


@dataclass(frozen=True)
class SyncReport:
    pushed: int
    pulled: int
    conflicts: int
    changes: Changes
    # Rows of the server this laptop holds set aside: they cannot be applied (quarantine.py).
    quarantined: int = 0
    set_aside: int = 0  # changes the server refused, kept aside (sync/set_aside.py)

    def summary_vi(self) -> str:
        refused = f", bị từ chối {self.set_aside} (xem: villagehelper set-aside)"
        text = (
            f"Đồng bộ xong: gửi {self.pushed}, nhận {self.pulled}, xung đột {self.conflicts}"
            f"{refused if self.set_aside else ''}."
        )
        if self.quarantined:
            text += f" {self.quarantined} dòng dữ liệu lỗi để riêng, chờ tổ trưởng sửa."
        return text

    def summary_en(self) -> str:
        refused = f", refused {self.set_aside} (see: villagehelper set-aside)"
        text = (
            f"Synced: pushed {self.pushed}, pulled {self.pulled}, conflicts {self.conflicts}"
            f"{refused if self.set_aside else ''}."
        )
        if self.quarantined:
            text += f" {self.quarantined} faulty rows set aside for a leader to repair."
        return text


def _refuse_demo(session: Session) -> None:
    if state.is_demo(session):
        raise SyncError(
            "Máy này đang chứa dữ liệu mẫu (demo): không được gửi lên máy chủ xã. "
            "Hãy dùng một thư mục dữ liệu mới cho dữ liệu thật.",
            "This data folder holds sample (demo) data, which is never uploaded. "
            "Use a new data folder for real work.",
        )


def enrol(
    store: Store,
    server_url: str,
    code: str,
    device_name: str,
    connect: ConnectionFactory = default_connection,
) -> state.Enrolled:
    """Exchange a leader's one-time code for this laptop's credentials."""
    with store.reading() as session:
        _refuse_demo(session)
        previous = state.enrolled(session)
    connection = connect(server_url, None)
    try:
        attempt = _enrol_attempt(store, connection.base_url, code)
        request = {"code": code, "device_name": device_name, "attempt": attempt}
        request["device_stamp"] = store.device_id  # what its sessions are signed with
        if previous is not None:
            # Proves which device this folder was (a copy, or a re-enrolled laptop): the
            # server then knows the changes that device already sent as this one's too.
            # The digest the server keeps, never the token itself: the address may now be
            # another server's (a server restored on a new PC).
            request["previous_device"] = device_history.token_proof(previous.token)
        answer = connection.post("/v1/enrol", request)
    finally:
        connection.close()
    with store.transaction() as session:
        _note_server_time(session, store, connection)
        state.clear(session, state.ENROL_ATTEMPT)
        _adopt_commune(session, answer["commune_code"], answer["commune_name"], answer["role"])
        previous = state.enrolled(session)
        if previous is not None and previous.server_url != connection.base_url:
            # Another server: its versions mean nothing here. The outbox stays.
            state.put(session, state.CURSOR, "0")
        state.put(session, state.SERVER_URL, connection.base_url)
        state.put(session, state.DEVICE_ID, answer["device_id"])
        state.put(session, state.TOKEN, answer["token"])
        state.put(session, state.ROLE, answer["role"])
        device_history.start_new_device(session)
        epoch.adopt_at_enrolment(session, connection.server_epoch)
        enrolled = state.enrolled(session)
    assert enrolled is not None
    return enrolled


def _note_server_time(session: Session, store: Store, connection: ServerConnection) -> None:
    """The server's time against this laptop's, for the verdict on the clock."""
    server_now = connection.server_now()
    if server_now is not None:
        trusted_time.note_server_time(session, server_now, store.now())


def _enrol_attempt(store: Store, server_url: str, code: str) -> str:
    """The id of this laptop's attempt to use ``code`` on ``server_url``, committed
    before it is sent.  A retry (by the connection, or by the person after the app was
    closed or lost power once the server had used the code) sends the same id and gets
    the same device back instead of "code already used".  The code itself is kept only
    as a digest: it is a credential until it has been used."""
    code_digest = hashlib.sha256(wire.normalise_code(code).encode()).hexdigest()
    with store.transaction() as session:
        pending = state.get(session, state.ENROL_ATTEMPT)
        if pending:
            kept = json.loads(pending)
            if kept.get("server") == server_url and kept.get("code") == code_digest:
                return str(kept["attempt"])
        attempt = secrets.token_urlsafe(24)
        record = {"server": server_url, "code": code_digest, "attempt": attempt}
        state.put(session, state.ENROL_ATTEMPT, json.dumps(record))
        return attempt


def join_commune(
    store: Store,
    server_url: str,
    code: str,
    device_name: str,
    *,
    progress: Progress = _no_progress,
    connect: ConnectionFactory = default_connection,
) -> SyncReport:
    """A new laptop of a team that already syncs: enrol, then download the commune.

    Safe to repeat after a failure: a laptop already enrolled with this server does not
    use the (one-time) code again, it only syncs.
    """
    with store.reading() as session:
        enrolled = state.enrolled(session)
        copied = device_history.needs_new_enrolment(session)
    if enrolled is None or enrolled.server_url != normalise_url(server_url) or copied:
        enrol(store, server_url, code, device_name, connect)
    return sync_once(store, progress=progress, connect=connect)


def _adopt_commune(session: Session, code: str, name: str, role: str) -> None:
    local = session.scalars(select(Commune)).first()
    if local is not None and local.code != code:
        raise UserError(
            f"Máy này đang dùng cho {local.name} ({local.code}), còn mã đăng ký thuộc "
            f"{name} ({code}). Hãy dùng một thư mục dữ liệu khác cho xã {name}.",
            f"This laptop works for commune {local.code} but the code is for {code}.",
        )
    if role != "leader":
        own = session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.entity.in_(sorted(wire.LEADER_ENTITIES)))
        )
        if own:
            raise UserError(
                "Máy này đã tự lập danh sách thôn và tổ, việc chỉ tổ trưởng được gửi lên. "
                "Hãy đăng ký máy này bằng mã của tổ trưởng, hoặc dùng thư mục dữ liệu mới.",
                "This laptop made its own villages and team, which only a leader may upload. "
                "Enrol it with a leader's code, or use a new data folder.",
            )
    if local is None:
        official = geography.commune_by_code(code)
        session.add(
            Commune(
                code=code,
                name=name,
                province_code=official.province_code if official else "",
                province_name=official.province_name if official else "",
            )
        )


def sync_once(
    store: Store,
    *,
    team_member_id: str | None = None,
    progress: Progress = _no_progress,
    connect: ConnectionFactory = default_connection,
    batch_size: int = wire.MAX_PUSH_BATCH,
    page_size: int = wire.DEFAULT_PAGE,
    use_snapshot: bool = True,
) -> SyncReport:
    """One full round: upload everything, then download to the end of the feed (an
    empty laptop starts from the commune's snapshot, unless ``use_snapshot`` is off).

    Raises :class:`SyncError` (after noting it for the status bar) unless every change
    uploaded was acknowledged and the download reached the end.
    """
    with store.reading() as session:
        credentials = state.enrolled(session)
        if credentials is None:
            raise SyncError(
                "Máy này chưa đăng ký với máy chủ xã: vào Cài đặt → Đồng bộ để đăng ký.",
                "This laptop is not enrolled: enrol it in Settings → Sync.",
            )
        _refuse_demo(session)
    connection = connect(credentials.server_url, credentials.token)
    try:
        _refuse_copied_folder(store)
        # A server restored from a backup is healed from inside (sync/epoch.py).
        pushed, conflicts, pulled, changes = epoch.run_round(
            store,
            connection,
            credentials.is_leader,
            lambda: (
                *_push_all(store, connection, team_member_id, progress, batch_size),
                *_pull_all(store, connection, progress, page_size, use_snapshot),
            ),
        )
    except UserError as exc:
        with store.transaction() as session:
            state.note_failure(session, exc.message_vi, exc.message_en)
            _note_server_time(session, store, connection)
        raise
    finally:
        connection.close()
    with store.transaction() as session:
        state.note_success(session, store.now())
        _note_server_time(session, store, connection)
        faulty = quarantine.count(session)
        refused = set_aside.count(session)
    return SyncReport(pushed, pulled, conflicts, changes, quarantined=faulty, set_aside=refused)


def _refuse_copied_folder(store: Store) -> None:
    with store.transaction() as session:
        copied = device_history.note_if_copied(session)
    if copied:
        raise device_history.CopiedFolderError()


@dataclass(frozen=True)
class _Pending:
    """An outbox entry as it goes up: its payload stays the JSON text it was stored as."""

    change_id: str
    entity: str
    row_id: str
    op: str
    base_version: int | None
    payload: str


def _outbox_batch(store: Store, limit: int) -> list[_Pending]:
    columns = (
        OutboxEntry.change_id,
        OutboxEntry.entity,
        OutboxEntry.row_id,
        OutboxEntry.op,
        OutboxEntry.base_version,
        OutboxEntry.payload,
    )
    with store.reading() as session:
        rows = session.execute(select(*columns).order_by(OutboxEntry.seq).limit(limit))
        return [_Pending(*row) for row in rows]


def _push_body(
    team_member_id: str | None, cursor: int, batch: list[_Pending], after: str | None = None
) -> bytes:
    """The push request as JSON text, each payload spliced in as stored: decoding a
    thousand payloads only to encode them again cost more than the rest of the body."""
    dumps = json.dumps
    changes = ",".join(
        f'{{"change_id":{dumps(entry.change_id)},"entity":{dumps(entry.entity)},'
        f'"row_id":{dumps(entry.row_id)},"op":{dumps(entry.op)},'
        f'"base_version":{dumps(entry.base_version)},"fields":{entry.payload}}}'
        for entry in batch
    )
    head = f'"team_member_id":{dumps(team_member_id)},"cursor":{int(cursor)}'
    if after is not None:  # this device's last acknowledged change: device_history.py
        head += f',"after":{dumps(after)}'
    return f'{{{head},"changes":[{changes}]}}'.encode()


def _push_all(
    store: Store,
    connection: ServerConnection,
    team_member_id: str | None,
    progress: Progress,
    batch_size: int,
) -> tuple[int, int]:
    with store.reading() as session:
        total = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        # Sent with every batch: a server whose feed ends before it (restored from an
        # older backup) refuses the batch instead of taking changes it cannot place.
        cursor = state.cursor(session)
        after = device_history.last_acked(session)
    with store.transaction() as session:  # later changes of a row refused before wait too
        set_aside.sweep(session, set_aside.now_text(store))
    pushed = conflicts = 0
    while batch := _outbox_batch(store, batch_size):
        body = _push_body(team_member_id, cursor, batch, after)
        try:
            answer = connection.post_json("/v1/push", body)
        except ServerRefusedError as exc:
            if (index := set_aside.refused_change(exc, len(batch))) is not None:
                # One change refused: kept aside with the server's reason, the rest goes.
                with store.transaction() as session:
                    reason = (exc.message_vi, exc.message_en, set_aside.now_text(store))
                    set_aside.set_aside(session, batch[index].change_id, *reason)
                continue
            if exc.code != device_history.DIVERGED_CODE:
                raise
            with store.transaction() as session:
                device_history.note_copied(session)
            raise device_history.CopiedFolderError() from exc
        results = answer.get("results", [])
        if len(results) != len(batch):
            raise SyncError(
                "Máy chủ trả lời thiếu kết quả; sẽ gửi lại lần sau.",
                "The server's reply was incomplete; will resend.",
            )
        with store.transaction() as session:
            _acknowledge(session, batch, results)
            after = batch[-1].change_id
            device_history.note_acked(session, after)
        pushed += len(batch)
        conflicts += sum(1 for result in results if result.get("status") == "conflict")
        progress("push", pushed, max(total, pushed))
    return pushed, conflicts


def _acknowledge(session: Session, batch: list[_Pending], results: list[dict[str, Any]]) -> None:
    """Drop acknowledged outbox entries; rows with no change left in flight are clean.

    Plain UPDATE statements, one ``executemany`` per table and kind: loading a
    thousand rows through the ORM to change three columns each cost more than the
    server's whole answer.
    """
    session.execute(
        delete(OutboxEntry).where(OutboxEntry.change_id.in_([entry.change_id for entry in batch]))
    )
    # The rows of the batch with changes still waiting (edited again while this batch
    # was in flight) stay dirty.
    row_ids = sorted({entry.row_id for entry in batch})
    still_pending = {
        (entity, row_id)
        for entity, row_id in session.execute(
            select(OutboxEntry.entity, OutboxEntry.row_id).where(OutboxEntry.row_id.in_(row_ids))
        )
    }
    # entity → (rows whose server version is now the reply's, rows that keep theirs)
    clean: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for entry, result in zip(batch, results, strict=True):
        status = result.get("status")
        if status == "superseded":
            # A household merge the server did not keep (another laptop merged one of
            # the two first): not kept here either.  What it changed here comes back
            # from the server with the download.
            row = session.get(ENTITIES[entry.entity], entry.row_id)
            if row is not None:
                session.delete(row)
            continue
        if (entry.entity, entry.row_id) in still_pending:
            continue
        versioned, kept = clean.setdefault(entry.entity, ([], []))
        if entry.entity in EVENT_ENTITIES and status != "moved":
            # Events never change, so the server's copy is ours: no need to pull it back.
            # Unless the server filed it under the survivor of a merge this laptop had
            # not seen ("moved"): then the download brings the server's copy.
            versioned.append({"key": entry.row_id, "version": result["version"]})
        else:
            # Editable rows keep their old server version: the server's row may hold
            # other laptops' fields too, and the download brings that merged state.
            kept.append({"key": entry.row_id})
    session.flush()
    for entity, (versioned, kept) in clean.items():
        table = ENTITIES[entity].__table__
        assert isinstance(table, Table)
        key = table.c[primary_key_name(ENTITIES[entity])]
        synced = {"sync_state": SyncState.SYNCED.value}
        if versioned:
            session.execute(
                update(table)
                .where(key == bindparam("key"))
                .values(
                    server_version=bindparam("version"), base_version=bindparam("version"), **synced
                ),
                versioned,
            )
        if kept:
            session.execute(
                update(table)
                .where(key == bindparam("key"))
                .values(base_version=table.c.server_version, **synced),
                kept,
            )


def _pull_all(
    store: Store,
    connection: ServerConnection,
    progress: Progress,
    page_size: int,
    use_snapshot: bool,
) -> tuple[int, Changes]:
    def fetch(since: int) -> dict[str, Any]:
        return connection.get("/v1/changes", {"since": since, "limit": page_size})

    adopted = _start_from_snapshot(store, connection, progress) if use_snapshot else None
    pulled, changes = follow_feed(store, fetch, progress)
    if adopted is None:
        return pulled, changes
    adopted.changes.merge(changes)
    return adopted.rows + pulled, adopted.changes


def _start_from_snapshot(
    store: Store, connection: ServerConnection, progress: Progress
) -> snapshot.Adopted | None:
    """An empty laptop takes the commune's snapshot, then follows the feed from there;
    None when it is not empty, or the server has none for this version."""
    with store.reading() as session:
        if not snapshot.holds_nothing(session):
            return None
    with snapshot.scratch(store.path.parent, "commune-snapshot.sqlite3") as path:
        got = connection.download(
            "/v1/snapshot",
            {"schema": HEAD_REVISION},
            path,
            wire.MAX_SNAPSHOT_BYTES,
            lambda done, total: progress("snapshot", done, total),
        )
        if not got:
            return None
        try:
            return snapshot.adopt(store, path)
        except snapshot.SnapshotUnusableError as exc:
            log.warning("commune snapshot not used: %s", exc.message_en)
            return None


def _take_page(
    store: Store,
    since: int,
    page: dict[str, Any],
    changes: Changes,
    apply: quarantine.PageApplier,
) -> bool:
    """One page and the cursor after it, in one transaction; False if the cursor moved."""
    with store.feed_transaction() as session:
        if state.cursor(session) != since:
            return False
        if since == 0 and page["more"]:
            summaries.suspend(session.connection())
        apply(session, page["changes"], changes)
        state.put(session, state.CURSOR, str(page["cursor"]))
        if not page["more"]:
            summaries.resume(session.connection())
    return True


def follow_feed(
    store: Store, fetch: Callable[[int], dict[str, Any]], progress: Progress = _no_progress
) -> tuple[int, Changes]:
    """Apply feed pages from the store's cursor to the end of the feed, each page and the
    cursor after it in one transaction (laptops, and the server's tally replicas).

    A download of the whole feed (from cursor 0, more than a page) suspends the tally
    summaries and refills them once with the last page: kept row by row by their
    triggers, a commune's sessions would cost most of the download's time.  A download
    cut short leaves them suspended (tallies then count over the sessions, exactly)
    until a later one reaches the end.
    """
    pulled = 0
    changes = Changes()
    while True:
        with store.reading() as session:
            since = state.cursor(session)
        page = fetch(since)
        # A row this store cannot hold is set aside, not fatal (quarantine.py).
        taken = quarantine.bulk_then_row_by_row(partial(_take_page, store, since, page, changes))
        if not taken:
            continue  # another sync moved the cursor meanwhile: ask again from there
        pulled += len(page["changes"])
        progress("pull", pulled, 0)
        if not page["more"]:
            return pulled, changes
