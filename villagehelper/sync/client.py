"""The laptop's side of sync (no Qt): enrol, then rounds of upload-then-download.

One round: the outbox goes up in order, in batches; each acknowledged batch leaves the
outbox in one local transaction (``upload.py``).  Then the feed comes down page by page;
each page and the cursor after it are applied in one local transaction, so an
interrupted round resumes where it stopped and never applies a page twice or skips one
(``download.py``, and the feed loop the server's replicas share,
``villagehelper.exchange.feed``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from villagehelper import geography
from villagehelper.errors import UserError
from villagehelper.exchange import update_offer, wire
from villagehelper.exchange.feed import Progress, no_progress
from villagehelper.ops import trusted_time
from villagehelper.store import quarantine_rows, sync_state
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.store.models import Commune, OutboxEntry
from villagehelper.sync import device_history, download, epoch, set_aside, upload
from villagehelper.sync.http import (
    ServerConnection,
    ServerRefusedError,
    SyncError,
    normalise_url,
)

ConnectionFactory = Callable[[str, str | None], ServerConnection]


def default_connection(url: str, token: str | None) -> ServerConnection:
    return ServerConnection(url, token)


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
    if sync_state.is_demo(session):
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
) -> sync_state.Enrolled:
    """Exchange a leader's one-time code for this laptop's credentials."""
    with store.reading() as session:
        _refuse_demo(session)
        previous = sync_state.enrolled(session)
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
        _note_update(session, connection)
        sync_state.clear(session, sync_state.ENROL_ATTEMPT)
        _adopt_commune(session, answer["commune_code"], answer["commune_name"], answer["role"])
        previous = sync_state.enrolled(session)
        if previous is not None and previous.server_url != connection.base_url:
            # Another server: its versions mean nothing here. The outbox stays.
            sync_state.put(session, sync_state.CURSOR, "0")
        sync_state.put(session, sync_state.SERVER_URL, connection.base_url)
        sync_state.put(session, sync_state.DEVICE_ID, answer["device_id"])
        sync_state.put(session, sync_state.TOKEN, answer["token"])
        sync_state.put(session, sync_state.ROLE, answer["role"])
        device_history.start_new_device(session)
        epoch.adopt_at_enrolment(session, connection.server_epoch)
        enrolled = sync_state.enrolled(session)
    assert enrolled is not None
    return enrolled


def _note_server_time(session: Session, store: Store, connection: ServerConnection) -> None:
    """The server's time against this laptop's, for the verdict on the clock."""
    server_now = connection.server_now()
    if server_now is not None:
        trusted_time.note_server_time(session, server_now, store.now())


def _note_update(
    session: Session, connection: ServerConnection, error: Exception | None = None
) -> None:
    """The app version the server's last answer offered (the updates package fetches its
    offer), and the offer itself when a "too old" refusal carried it."""
    if connection.offered_version is not None:
        sync_state.note_offered_version(session, connection.offered_version)
    if isinstance(error, ServerRefusedError) and error.status == 426:
        try:
            offer = update_offer.UpdateOffer.from_json(error.details.get("update"))
        except update_offer.UpdateOfferError:
            return
        sync_state.put(session, sync_state.UPDATE_OFFER, json.dumps(offer.to_json()))


def _enrol_attempt(store: Store, server_url: str, code: str) -> str:
    """The id of this laptop's attempt to use ``code`` on ``server_url``, committed
    before it is sent.  A retry (by the connection, or by the person after the app was
    closed or lost power once the server had used the code) sends the same id and gets
    the same device back instead of "code already used".  The code itself is kept only
    as a digest: it is a credential until it has been used."""
    code_digest = hashlib.sha256(wire.normalise_code(code).encode()).hexdigest()
    with store.transaction() as session:
        pending = sync_state.get(session, sync_state.ENROL_ATTEMPT)
        if pending:
            kept = json.loads(pending)
            if kept.get("server") == server_url and kept.get("code") == code_digest:
                return str(kept["attempt"])
        attempt = secrets.token_urlsafe(24)
        record = {"server": server_url, "code": code_digest, "attempt": attempt}
        sync_state.put(session, sync_state.ENROL_ATTEMPT, json.dumps(record))
        return attempt


def join_commune(
    store: Store,
    server_url: str,
    code: str,
    device_name: str,
    *,
    progress: Progress = no_progress,
    connect: ConnectionFactory = default_connection,
) -> SyncReport:
    """A new laptop of a team that already syncs: enrol, then download the commune.

    Safe to repeat after a failure: a laptop already enrolled with this server does not
    use the (one-time) code again, it only syncs.
    """
    with store.reading() as session:
        enrolled = sync_state.enrolled(session)
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
    progress: Progress = no_progress,
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
        credentials = enrolment(session)
        _refuse_demo(session)
    connection = round_connection(store, credentials, connect)
    try:
        _refuse_copied_folder(store)
        # A server restored from a backup is healed from inside (sync/epoch.py).
        pushed, conflicts, pulled, changes = epoch.run_round(
            store,
            connection,
            credentials.is_leader,
            lambda: (
                *upload.push_all(store, connection, team_member_id, progress, batch_size),
                *download.pull_all(store, connection, progress, page_size, use_snapshot),
            ),
        )
    except UserError as exc:
        with store.transaction() as session:
            sync_state.note_failure(session, exc.message_vi, exc.message_en)
            _note_server_time(session, store, connection)
            _note_update(session, connection, exc)
        raise
    finally:
        connection.close()
    with store.transaction() as session:
        sync_state.note_success(session, store.now())
        _note_server_time(session, store, connection)
        _note_update(session, connection)
        faulty = quarantine_rows.count(session)
        refused = set_aside.count(session)
    return SyncReport(pushed, pulled, conflicts, changes, quarantined=faulty, set_aside=refused)


def round_connection(
    store: Store, credentials: sync_state.Enrolled, connect: ConnectionFactory
) -> ServerConnection:
    """The connection of a sync round: every call says how many changes still wait here."""
    connection = connect(credentials.server_url, credentials.token)
    connection.waiting = lambda: changes_waiting(store)
    return connection


def changes_waiting(store: Store) -> int:
    """This laptop's changes the commune server does not have: the outbox, and the
    changes the server refused, set aside for a leader.  Counted afresh for each call
    (about 2 ms with 100,000 changes waiting: benchmarks/console_laptops.py): a batch
    acknowledged, or a visit logged while the round runs, shows in the next call's count."""
    with store.reading() as session:
        outbox = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        return outbox + set_aside.count(session)


def enrolment(session: Session) -> sync_state.Enrolled:
    """This laptop's enrolment; :class:`SyncError` saying how to enrol if it has none."""
    credentials = sync_state.enrolled(session)
    if credentials is None:
        raise SyncError(
            "Máy này chưa đăng ký với máy chủ xã: vào Cài đặt → Đồng bộ để đăng ký.",
            "This laptop is not enrolled: enrol it in Settings → Sync.",
        )
    return credentials


def _refuse_copied_folder(store: Store) -> None:
    with store.transaction() as session:
        copied = device_history.note_if_copied(session)
    if copied:
        raise device_history.CopiedFolderError()
