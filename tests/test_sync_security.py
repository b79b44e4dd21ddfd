"""Who may read and write what on the commune server, and what a refusal leaves behind:
nothing.  Each refusal is checked three ways: the HTTP status, the Vietnamese message a
laptop shows as it is, and the server's tables (records, received changes, audit log,
feed's ends, devices, enrolment codes) exactly as they were before.  Where a refusal
could be refusing for the wrong reason, the same request made right is shown to pass.

Real HTTP on a loopback port (SQLite and PostgreSQL), with ``requests`` directly so that
headers, bodies and statuses are exactly what the test says.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from tests.conftest import START, FakeClock
from tests.sync_support import (
    COMMUNE,
    OTHER_COMMUNE,
    Commune,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    fast_connection,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.exchange import wire
from villagehelper.exchange.feed import Progress
from villagehelper.ids import new_id
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.tables import AuditEntry, Device, RateBucket, Record, ServerBase
from villagehelper.store import sync_state
from villagehelper.store.migrate import HEAD_REVISION
from villagehelper.store.models import Member, OutboxEntry
from villagehelper.sync import client
from villagehelper.sync import status as sync_status
from villagehelper.sync.http import ServerRefusedError
from villagehelper.text import search_key

# What the server says, word for word: a laptop shows these messages as they are.
# The ISO week of the tests' clock, when every session here is logged.
WEEK = "{}-W{:02d}".format(*START.isocalendar()[:2])
NO_TOKEN = "Thiếu mã truy cập: hãy đăng ký máy với máy chủ xã."
BAD_TOKEN = "Máy này chưa được cấp quyền hoặc đã bị thu hồi: hãy đăng ký lại với mã mới."
BAD_CODE = "Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. Hãy xin tổ trưởng mã mới."
ANOTHER_COMMUNES_ROW = "Dữ liệu thuộc xã khác."
# Another commune's row is answered as one the server does not have (not_yours.py): the
# answer must not tell a stranger the id is in use elsewhere.
THEIR_COMMUNE_CODE = (403, ANOTHER_COMMUNES_ROW)  # the change itself names their commune
NOT_ON_THE_SERVER = (400, "Máy chủ không có bản ghi")
TAKEN_ID = (409, "đã có trên máy chủ với nội dung khác")
UNKNOWN_REFERENCE = (400, "mà máy chủ chưa có")
LEADERS_ONLY = "Chỉ tổ trưởng được sửa thôn, thành viên tổ và xử lý xung đột."
TALLY_LEADERS_ONLY = "Chỉ tổ trưởng được xem báo cáo toàn xã."
CATALOG_IS_THE_SERVERS = "Danh mục dịch vụ chỉ được sửa trên máy chủ xã."
SENT_BEFORE_WITH_OTHER_CONTENT = "đã được gửi trước đây với nội dung khác."
TOO_OLD = (
    "Phiên bản VillageHelper trên máy này đã cũ, máy chủ xã không nhận nữa. "
    "Hãy cập nhật VillageHelper rồi đồng bộ lại; dữ liệu chưa gửi vẫn được giữ trên máy."
)
TOO_LARGE = "Gói dữ liệu quá lớn; máy sẽ gửi thành nhiều phần nhỏ hơn."
INVALID = "Dữ liệu gửi lên không hợp lệ"
MALFORMED = "Dữ liệu gửi lên không đúng dạng"
RATE_LIMITED = "Quá nhiều yêu cầu trong thời gian ngắn; máy sẽ thử lại sau ít phút."

Stored = dict[str, list[tuple[Any, ...]]]
Change = dict[str, Any]


# --- talking to the server -------------------------------------------------------------


def call(
    server: LoopbackServer,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    params: dict[str, Any] | None = None,
    protocol: str | None = str(wire.PROTOCOL_VERSION),
    compress: bool = True,
) -> requests.Response:
    """One request as a laptop would make it, unless told to leave something out."""
    headers = {}
    if protocol is not None:
        headers[wire.PROTOCOL_HEADER] = protocol
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        try:
            data = json.dumps(body, ensure_ascii=False).encode()
        except UnicodeEncodeError:  # a lone surrogate: JSON can still carry it, escaped
            data = json.dumps(body).encode()
        if compress:
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = "application/json"
    return requests.request(
        method, server.url + path, params=params, data=data, headers=headers, timeout=30
    )


def push(
    server: LoopbackServer, token: str | None, changes: list[Change], member: str | None = None
) -> requests.Response:
    return call(
        server,
        "POST",
        "/v1/push",
        token=token,
        body={"team_member_id": member, "changes": changes},
    )


def pull(
    server: LoopbackServer, token: str | None, since: int = 0, limit: int = wire.MAX_PAGE
) -> requests.Response:
    return call(server, "GET", "/v1/changes", token=token, params={"since": since, "limit": limit})


def change(
    entity: str, row_id: str, op: str, fields: dict[str, Any] | None = None, base: int = 0
) -> Change:
    return {
        "change_id": new_id(),
        "entity": entity,
        "row_id": row_id,
        "op": op,
        "base_version": base,
        "fields": fields or {},
    }


def assert_refused(
    response: requests.Response, status: int, error: str, message_vi: str, context: str = ""
) -> dict[str, Any]:
    assert response.status_code == status, f"{context}: {response.status_code} {response.text}"
    body: dict[str, Any] = response.json()
    assert body["error"] == error, context
    assert message_vi in body["message_vi"], f"{context}: {body['message_vi']}"
    assert body["message_en"], context
    return body


def stored(db: ServerDB) -> Stored:
    """Every row of every server table, in key order: what "nothing stored" compares.

    Except when a device last called and the changes it said were waiting then, and
    the throttles' buckets (PostgreSQL): every call moves them, and they are
    bookkeeping, not something a laptop sent."""
    calls = {Device.__table__.c.last_seen_at, Device.__table__.c.waiting_changes}
    tables: Stored = {}
    with db.reading() as session:
        for table in ServerBase.metadata.sorted_tables:
            if table is RateBucket.__table__:
                continue
            columns = [c for c in table.columns if c not in calls]
            rows = session.execute(select(*columns).order_by(*table.primary_key.columns))
            tables[table.name] = [tuple(row) for row in rows]
    return tables


def record(db: ServerDB, entity: str, row_id: str) -> Record:
    with db.reading() as session:
        found = session.get(Record, (entity, row_id))
    assert found is not None, (entity, row_id)
    return found


def fields_of(db: ServerDB, entity: str, row_id: str) -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(record(db, entity, row_id).fields)
    return fields


def token_of(laptop: Laptop) -> str:
    with laptop.store.reading() as session:
        enrolled = sync_state.enrolled(session)
    assert enrolled is not None
    return enrolled.token


def device_of(laptop: Laptop) -> str:
    with laptop.store.reading() as session:
        enrolled = sync_state.enrolled(session)
    assert enrolled is not None
    return enrolled.device_id


# --- two communes on one server ---------------------------------------------------------


@dataclass
class GiaLoc:
    """Xã Gia Lộc (10999) on the server: a leader's and a volunteer's laptop, and a
    household with a resident and a help session, synced everywhere."""

    server: LoopbackServer
    commune: Commune
    volunteer: Laptop
    household_id: str
    person_id: str
    session_id: str

    @property
    def db(self) -> ServerDB:
        return self.server.db

    def ids_of(self, commune: str) -> set[tuple[str, str]]:
        with self.db.reading() as session:
            return {
                (r.entity, r.row_id)
                for r in session.scalars(select(Record).where(Record.commune_code == commune))
            }


@dataclass
class World(GiaLoc):
    """Gia Lộc with an open conflict too, and Phường Thạch Khôi (11002) beside it: a
    leader's laptop with a village, a household and a session of its own."""

    conflict_id: str
    other: Laptop
    other_village_id: str
    other_member_id: str
    other_household_id: str
    other_session_id: str


def _visit(laptop: Laptop, household_id: str, volunteer_id: str) -> str:
    logged = sessions.log_visit(
        laptop.store, VisitInput(household_id, volunteer_id, [ServiceOutcome("VNEID_L1")])
    )
    return logged.session_ids[0]


@pytest.fixture
def gia_loc(sync_server: LoopbackServer, tmp_path: Path) -> GiaLoc:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    saved = households.create_household(
        leader.store,
        HouseholdInput(commune.village_id, "Lê Văn Tám", phone="0912345678"),
        [MemberInput("Lê Văn Tám", 1960)],
    )
    with leader.store.reading() as session:
        person_id = session.scalars(select(Member.id).where(Member.household_id == saved.id)).one()
    session_id = _visit(leader, saved.id, commune.member_id)
    leader.sync()
    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    volunteer.sync()
    return GiaLoc(sync_server, commune, volunteer, saved.id, person_id, session_id)


@pytest.fixture
def world(gia_loc: GiaLoc, tmp_path: Path) -> World:
    leader, volunteer = gia_loc.commune.leader, gia_loc.volunteer
    village_id = gia_loc.commune.village_id
    # The same field edited on both laptops: the server keeps a conflict for the leader.
    for laptop, notes in ((leader, "Bác sĩ"), (volunteer, "Cựu chiến binh")):
        households.update_household(
            laptop.store,
            gia_loc.household_id,
            HouseholdInput(village_id, "Lê Văn Tám", notes=notes),
        )
        laptop.sync()
    leader.sync()
    conflicts = [row_id for entity, row_id in gia_loc.ids_of(COMMUNE) if entity == "sync_conflict"]
    assert len(conflicts) == 1

    other_store = open_laptop(tmp_path, "other-commune")
    team.set_commune(other_store, OTHER_COMMUNE)
    other_village = team.add_village(other_store, "Khu dân cư số 1")
    other_member = team.add_team_member(other_store, "Vũ Thị Lan", "leader", other_village.id)
    other = enrol_laptop(gia_loc.server, other_store, "leader", OTHER_COMMUNE)
    other_household = households.create_household(
        other_store, HouseholdInput(other_village.id, "Đinh Công Tráng")
    )
    other_session = _visit(other, other_household.id, other_member.id)
    other.sync()
    return World(
        **vars(gia_loc),
        conflict_id=conflicts[0],
        other=other,
        other_village_id=other_village.id,
        other_member_id=other_member.id,
        other_household_id=other_household.id,
        other_session_id=other_session,
    )


# --- credentials --------------------------------------------------------------------------


def test_without_a_token_nothing_is_read_or_written(gia_loc: GiaLoc) -> None:
    before = stored(gia_loc.db)
    own = change("household", gia_loc.household_id, "update", {"notes": "Không có mã"}, base=99)
    for authorization in (None, "", "Basic dXNlcjpwYXNz", "Bearer"):
        headers = {wire.PROTOCOL_HEADER: "1"}
        if authorization is not None:
            headers["Authorization"] = authorization
        for method, path, body in (
            ("GET", "/v1/changes", None),
            ("GET", f"/v1/snapshot?schema={HEAD_REVISION}", None),
            ("POST", "/v1/push", {"changes": [own]}),
        ):
            response = requests.request(
                method, gia_loc.server.url + path, json=body, headers=headers, timeout=30
            )
            assert_refused(response, 401, "unauthorized", NO_TOKEN, f"{authorization} {path}")
    assert stored(gia_loc.db) == before


def test_a_wrong_token_is_refused(gia_loc: GiaLoc) -> None:
    before = stored(gia_loc.db)
    good = token_of(gia_loc.volunteer)
    device_id, _, secret = good.partition(".")
    leader_secret = token_of(gia_loc.commune.leader).partition(".")[2]
    wrong_tokens = {
        "garbage": "not-a-token",
        "right device, wrong secret": f"{device_id}.{secret[:-2]}xx",
        "right device, another device's secret": f"{device_id}.{leader_secret}",
        "unknown device": f"{new_id()}.{secret}",
        "no secret": f"{device_id}.",
        "over-long device id": f"{device_id * 2}.{secret}",
    }
    own = change("household", gia_loc.household_id, "update", {"notes": "Mã sai"}, base=99)
    for what, token in wrong_tokens.items():
        assert_refused(pull(gia_loc.server, token), 401, "unauthorized", BAD_TOKEN, what)
        snapshot = call(
            gia_loc.server, "GET", "/v1/snapshot", token=token, params={"schema": HEAD_REVISION}
        )
        assert_refused(snapshot, 401, "unauthorized", BAD_TOKEN, what)
        assert_refused(push(gia_loc.server, token, [own]), 401, "unauthorized", BAD_TOKEN, what)
    assert stored(gia_loc.db) == before
    # The real token is accepted: the refusals above were about the token alone.
    assert pull(gia_loc.server, good).status_code == 200


def test_a_revoked_laptop_is_refused_and_keeps_its_unsent_work(
    gia_loc: GiaLoc, capsys: pytest.CaptureFixture[str]
) -> None:
    volunteer = gia_loc.volunteer
    households.create_household(
        volunteer.store, HouseholdInput(gia_loc.commune.village_id, "Hoàng Thị Nụ")
    )
    with volunteer.store.reading() as session:
        outbox_before = session.scalars(select(OutboxEntry.change_id)).all()
    assert outbox_before
    before = stored(gia_loc.db)

    # The leader revokes the stolen laptop from the server's command line.
    assert server_cli.main(["--db", gia_loc.db.url, "revoke", device_of(volunteer)]) == 0
    assert "Đã thu hồi máy" in capsys.readouterr().out
    revoked_at = stored(gia_loc.db)["devices"]
    assert revoked_at != before["devices"]
    before["devices"] = revoked_at

    with pytest.raises(ServerRefusedError) as refused:
        client.sync_once(volunteer.store, connect=fast_connection)
    assert refused.value.status == 401
    assert refused.value.message_vi == BAD_TOKEN
    assert sync_status.status(volunteer.store).last_error == BAD_TOKEN
    with volunteer.store.reading() as session:
        assert session.scalars(select(OutboxEntry.change_id)).all() == outbox_before
    assert_refused(pull(gia_loc.server, token_of(volunteer)), 401, "unauthorized", BAD_TOKEN)
    assert stored(gia_loc.db) == before
    # Only that laptop: the leader's still syncs (sync raises on any refusal).
    gia_loc.commune.leader.sync()


# --- enrolment codes ---------------------------------------------------------------------


@pytest.fixture
def server_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def clocked_server(server_db_url: str, server_clock: FakeClock) -> Iterator[LoopbackServer]:
    """A server whose clock the test moves (code expiry, audit times)."""
    db = open_server_db(server_db_url, clock=server_clock)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    accounts.add_commune(db, OTHER_COMMUNE, "Phường Thạch Khôi")
    server = LoopbackServer(db)
    yield server
    server.stop()
    db.close()


def enrol(server: LoopbackServer, code: str) -> requests.Response:
    return call(server, "POST", "/v1/enrol", body={"code": code, "device_name": "Máy tổ 2"})


def test_an_enrolment_code_works_once(clocked_server: LoopbackServer) -> None:
    code = accounts.issue_code(clocked_server.db, COMMUNE, "volunteer")
    first = enrol(clocked_server, code)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["commune_code"], answer["role"]) == (COMMUNE, "volunteer")
    assert pull(clocked_server, answer["token"]).status_code == 200

    before = stored(clocked_server.db)
    # Read out again, in any spelling: still used.
    for spelling in (code, code.replace("-", ""), code.lower(), f" {code} "):
        assert_refused(enrol(clocked_server, spelling), 401, "unauthorized", BAD_CODE, spelling)
    assert_refused(enrol(clocked_server, "ABCDE-FGHJK"), 401, "unauthorized", BAD_CODE)
    assert stored(clocked_server.db) == before


def test_an_enrolment_code_expires(clocked_server: LoopbackServer, server_clock: FakeClock) -> None:
    early = accounts.issue_code(clocked_server.db, COMMUNE, "leader")
    late = accounts.issue_code(clocked_server.db, COMMUNE, "leader")
    server_clock.now += accounts.CODE_LIFETIME - timedelta(minutes=1)
    assert enrol(clocked_server, early).status_code == 200
    server_clock.advance(minutes=1)
    before = stored(clocked_server.db)
    assert_refused(enrol(clocked_server, late), 401, "unauthorized", BAD_CODE)
    assert stored(clocked_server.db) == before


# --- communes ------------------------------------------------------------------------------


def test_a_laptop_cannot_write_another_communes_rows(world: World) -> None:
    db = world.db
    token = token_of(world.other)  # a leader, so no refusal is about the role
    own_household = record(db, "household", world.other_household_id)
    # A change of its own goes first in every batch: a refusal must take it down too.
    own_edit = {"notes": "Đã gọi điện"}
    own_session = fields_of(db, "help_session", world.other_session_id)
    their_household = fields_of(db, "household", world.household_id)
    their_person = fields_of(db, "member", world.person_id)
    attempts: dict[str, tuple[Change, tuple[int, str]]] = {
        "edit their household": (
            change("household", world.household_id, "update", {"head_name": "Kẻ gian"}, 99),
            NOT_ON_THE_SERVER,
        ),
        "delete their household": (
            change("household", world.household_id, "delete", base=99),
            NOT_ON_THE_SERVER,
        ),
        "edit their resident": (
            change("member", world.person_id, "update", {"phone": "0987654321"}, 99),
            NOT_ON_THE_SERVER,
        ),
        "take over their household's id": (
            change(
                "household",
                world.household_id,
                "insert",
                {"village_id": world.other_village_id, "head_name": "Kẻ gian"},
            ),
            TAKEN_ID,
        ),
        "add a person to their household": (
            change("member", new_id(), "insert", {**their_person, "full_name": "Kẻ gian"}),
            UNKNOWN_REFERENCE,
        ),
        "log a session on their household": (
            change(
                "help_session",
                new_id(),
                "insert",
                {**own_session, "household_id": world.household_id, "visit_id": new_id()},
            ),
            UNKNOWN_REFERENCE,
        ),
        "void their session": (
            change(
                "session_void",
                new_id(),
                "insert",
                {
                    "session_id": world.session_id,
                    "reason": "",
                    "volunteer_id": world.other_member_id,
                    "voided_at": own_session["occurred_at"],
                    "device_id": device_of(world.other),
                },
            ),
            UNKNOWN_REFERENCE,
        ),
        "merge their household into ours": (
            change(
                "household_merge",
                new_id(),
                "insert",
                {
                    "survivor_id": world.other_household_id,
                    "loser_id": world.household_id,
                    "volunteer_id": world.other_member_id,
                    "merged_at": own_session["occurred_at"],
                    "device_id": device_of(world.other),
                },
            ),
            UNKNOWN_REFERENCE,
        ),
        "point our household at theirs": (
            change(
                "household",
                world.other_household_id,
                "update",
                {"merged_into": world.household_id},
                own_household.version,
            ),
            UNKNOWN_REFERENCE,
        ),
        "add a village to their commune": (
            change("village", new_id(), "insert", {"commune_code": COMMUNE, "name": "Thôn Ma"}),
            THEIR_COMMUNE_CODE,
        ),
        "rename their village": (
            change("village", world.commune.village_id, "update", {"name": "Thôn Ma"}, 99),
            NOT_ON_THE_SERVER,
        ),
        "put our volunteer in their village": (
            change(
                "team_member",
                new_id(),
                "insert",
                {
                    "commune_code": OTHER_COMMUNE,
                    "full_name": "Kẻ gian",
                    "village_id": world.commune.village_id,
                },
            ),
            UNKNOWN_REFERENCE,
        ),
        "resolve their conflict": (
            change(
                "sync_conflict",
                world.conflict_id,
                "update",
                {"resolved": True, "resolution": "device"},
                99,
            ),
            NOT_ON_THE_SERVER,
        ),
    }
    assert their_household["head_name"] == "Lê Văn Tám"
    before = stored(db)
    for what, (attempt, (status, message)) in attempts.items():
        own = change("household", world.other_household_id, "update", own_edit, 99)
        answer = assert_refused(
            push(world.server, token, [own, attempt]), status, "refused", message, what
        )
        assert answer["index"] == 1, what
        assert stored(db) == before, what

    # The change of its own was fine on its own: only the other commune's row was refused.
    alone = push(
        world.server, token, [change("household", world.other_household_id, "update", own_edit, 99)]
    )
    assert alone.status_code == 200, alone.text
    assert alone.json()["results"][0]["status"] == "applied"
    assert fields_of(db, "household", world.household_id) == their_household


def _noting(phases: list[str]) -> Progress:
    def note(phase: str, _done: int, _total: int) -> None:
        phases.append(phase)

    return note


def test_a_laptop_never_receives_another_communes_rows(world: World, tmp_path: Path) -> None:
    theirs = world.ids_of(COMMUNE)
    ours = world.ids_of(OTHER_COMMUNE)
    assert theirs and ours
    with world.db.reading() as session:
        catalog = {
            (r.entity, r.row_id)
            for r in session.scalars(select(Record).where(Record.commune_code == ""))
        }
    for laptop, own, foreign in ((world.other, ours, theirs), (world.volunteer, theirs, ours)):
        token = token_of(laptop)
        # The whole feed in one page, and page by page: the same rows, none of the others'.
        whole = pull(world.server, token).json()
        assert not whole["more"]
        received = {(item["entity"], item["id"]) for item in whole["changes"]}
        assert received == own | catalog
        paged: set[tuple[str, str]] = set()
        since, more = 0, True
        while more:
            response = call(
                world.server, "GET", "/v1/changes", token=token, params={"since": since, "limit": 3}
            )
            page = response.json()
            assert len(page["changes"]) <= 3
            paged |= {(item["entity"], item["id"]) for item in page["changes"]}
            since, more = page["cursor"], page["more"]
        assert paged == received
        assert not paged & foreign
    # And what the laptop holds after its syncs is exactly its commune's share.
    world.other.sync()
    assert laptop_snapshot(world.other.store) == server_snapshot(world.db, OTHER_COMMUNE)
    # So does a new laptop of each commune that starts from its commune's snapshot.
    for commune in (OTHER_COMMUNE, COMMUNE):
        fresh = enrol_laptop(world.server, open_laptop(tmp_path, f"new-{commune}"), commune=commune)
        phases: list[str] = []
        client.sync_once(fresh.store, connect=fast_connection, progress=_noting(phases))
        assert "snapshot" in phases
        assert laptop_snapshot(fresh.store) == server_snapshot(world.db, commune)

    # The commune-wide tally counts its own commune only.
    for laptop, commune, village in (
        (world.other, OTHER_COMMUNE, "Khu dân cư số 1"),
        (world.commune.leader, COMMUNE, "Thôn Khay"),
    ):
        # The week the sessions were logged in (the tests' clock), not the server's today.
        tally = call(
            world.server, "GET", "/v1/tally/week", token=token_of(laptop), params={"week": WEEK}
        )
        assert tally.status_code == 200, tally.text
        body = tally.json()
        assert body["commune"]["code"] == commune
        assert [v["name"] for v in body["villages"]] == [village]
        assert body["totals"]["sessions"] == 1


# --- roles ---------------------------------------------------------------------------------


def test_a_volunteer_cannot_do_a_leaders_work(world: World) -> None:
    db = world.db
    volunteer = token_of(world.volunteer)
    village = record(db, "village", world.commune.village_id)
    member = record(db, "team_member", world.commune.member_id)
    conflict = record(db, "sync_conflict", world.conflict_id)
    attempts: dict[str, Change] = {
        "add a village": change(
            "village", new_id(), "insert", {"commune_code": COMMUNE, "name": "Thôn Mới"}
        ),
        "rename a village": change(
            "village", village.row_id, "update", {"name": "Thôn Đổi Tên"}, village.version
        ),
        "add a team member": change(
            "team_member", new_id(), "insert", {"commune_code": COMMUNE, "full_name": "Ai Đó"}
        ),
        "make oneself leader": change(
            "team_member", member.row_id, "update", {"role": "leader"}, member.version
        ),
        "remove a team member": change("team_member", member.row_id, "delete", base=member.version),
        "resolve a conflict": change(
            "sync_conflict",
            conflict.row_id,
            "update",
            {"resolved": True, "resolution": "device", "resolved_by": member.row_id},
            conflict.version,
        ),
        "make up a conflict": change(
            "sync_conflict",
            new_id(),
            "insert",
            {
                **json.loads(conflict.fields),
                "device_value": json.dumps("Bịa đặt", ensure_ascii=False),
            },
        ),
    }
    before = stored(db)
    for what, attempt in attempts.items():
        assert_refused(push(world.server, volunteer, [attempt]), 403, "refused", LEADERS_ONLY, what)
        assert stored(db) == before, what
    tally = call(world.server, "GET", "/v1/tally/week", token=volunteer)
    assert_refused(tally, 403, "forbidden", TALLY_LEADERS_ONLY, "commune tally")
    # The leader may: the refusals were about the role alone.
    leader = token_of(world.commune.leader)
    for what in ("rename a village", "resolve a conflict"):
        response = push(world.server, leader, [attempts[what]])
        assert response.status_code == 200, f"{what}: {response.text}"
        assert response.json()["results"][0]["status"] == "applied", what


def test_nobody_writes_the_service_catalog(world: World) -> None:
    db = world.db
    service = record(db, "service", "VNEID_L1")
    attempts: dict[str, Change] = {
        "rename a service": change(
            "service", "VNEID_L1", "update", {"label_vi": "Đã sửa"}, service.version
        ),
        "add a service": change(
            "service",
            "NEW_SERVICE",
            "insert",
            {"label_vi": "Mới", "label_en": "New", "active": True, "sort_order": 1},
        ),
        "retire a service": change("service", "VNEID_L1", "delete", base=service.version),
    }
    before = stored(db)
    for laptop in (world.volunteer, world.commune.leader, world.other):
        for what, attempt in attempts.items():
            response = push(world.server, token_of(laptop), [attempt])
            assert_refused(response, 403, "refused", CATALOG_IS_THE_SERVERS, what)
    assert stored(db) == before


# --- what a batch may hold ------------------------------------------------------------------


def _new_household_batch(gia_loc: GiaLoc) -> list[Change]:
    """A household, a person in it and a session for them: valid, and new to the server
    (the session signed by the volunteer's laptop, which sends it)."""
    household_id, person_id = new_id(), new_id()
    session_fields = fields_of(gia_loc.db, "help_session", gia_loc.session_id)
    session_fields["device_id"] = gia_loc.volunteer.store.device_id
    return [
        change(
            "household",
            household_id,
            "insert",
            {"village_id": gia_loc.commune.village_id, "head_name": "Mai Thị Hoa"},
        ),
        change("member", person_id, "insert", {"household_id": household_id, "full_name": "Hoa"}),
        change(
            "help_session",
            new_id(),
            "insert",
            {
                **session_fields,
                "household_id": household_id,
                "member_id": person_id,
                "visit_id": new_id(),
            },
        ),
    ]


def test_one_bad_change_stores_none_of_its_batch(gia_loc: GiaLoc) -> None:
    token = token_of(gia_loc.volunteer)
    good = _new_household_batch(gia_loc)
    too_long = "Nguyễn" * 21  # 126 characters: the column holds 120
    bad = change("household", gia_loc.household_id, "update", {"head_name": too_long}, 99)
    before = stored(gia_loc.db)
    answer = assert_refused(
        push(gia_loc.server, token, [*good, bad]), 400, "refused", INVALID, "one bad change"
    )
    assert answer["index"] == len(good)
    assert "head_name: longer than 120 characters" in answer["message_vi"]
    assert stored(gia_loc.db) == before
    # Without it, the same batch goes in whole.
    accepted = push(gia_loc.server, token, good)
    assert accepted.status_code == 200, accepted.text
    assert [r["status"] for r in accepted.json()["results"]] == ["applied"] * len(good)
    assert {(c["entity"], c["row_id"]) for c in good} <= gia_loc.ids_of(COMMUNE)


def test_a_change_id_sent_again_with_other_content_is_refused_loudly(gia_loc: GiaLoc) -> None:
    token = token_of(gia_loc.volunteer)
    first = _new_household_batch(gia_loc)[0]
    accepted = push(gia_loc.server, token, [first])
    assert accepted.status_code == 200, accepted.text
    after_first = stored(gia_loc.db)

    # The same change again (its reply was lost): the same answer, nothing new stored.
    again = push(gia_loc.server, token, [first])
    assert again.json() == accepted.json()
    assert stored(gia_loc.db) == after_first

    changed = {**first, "fields": {**first["fields"], "head_name": "Mai Thị Hoà"}}
    newcomer = _new_household_batch(gia_loc)[0]
    for what, sender, batch, index in (
        ("other content", token, [changed], 0),
        ("other content after a good change", token, [newcomer, changed], 1),
        ("the same content from another laptop", token_of(gia_loc.commune.leader), [first], 0),
    ):
        answer = assert_refused(
            push(gia_loc.server, sender, batch),
            409,
            "refused",
            SENT_BEFORE_WITH_OTHER_CONTENT,
            what,
        )
        assert answer["index"] == index, what
        assert first["change_id"] in answer["message_vi"], what
        assert stored(gia_loc.db) == after_first, what


def test_text_longer_than_its_column_is_refused(gia_loc: GiaLoc) -> None:
    token = token_of(gia_loc.volunteer)
    household = record(gia_loc.db, "household", gia_loc.household_id)
    session_fields = fields_of(gia_loc.db, "help_session", gia_loc.session_id)
    attempts: dict[str, tuple[Change, str]] = {
        "head name": (
            change("household", household.row_id, "update", {"head_name": "A" * 121}, 99),
            "head_name: longer than 120 characters",
        ),
        "phone": (
            change("household", household.row_id, "update", {"phone": "0" * 12}, 99),
            "phone: longer than 11 characters",
        ),
        "address": (
            change("household", household.row_id, "update", {"address_detail": "x" * 201}, 99),
            "address_detail: longer than 200 characters",
        ),
        "notes (no length of their own)": (
            change(
                "household",
                household.row_id,
                "update",
                {"notes": "ghi chú " * (wire.MAX_TEXT_FIELD // 8 + 1)},
                99,
            ),
            f"notes: longer than {wire.MAX_TEXT_FIELD} characters",
        ),
        "failure reason": (
            change(
                "help_session",
                new_id(),
                "insert",
                {
                    **session_fields,
                    "outcome": "failed",
                    "failure_reason": "r" * 301,
                    "visit_id": new_id(),
                },
            ),
            "failure_reason: longer than 300 characters",
        ),
    }
    before = stored(gia_loc.db)
    for what, (attempt, detail) in attempts.items():
        answer = assert_refused(
            push(gia_loc.server, token, [attempt]), 400, "refused", INVALID, what
        )
        assert detail in answer["message_vi"], what
    assert stored(gia_loc.db) == before
    # At the limit exactly, it fits.
    fits = push(
        gia_loc.server,
        token,
        [change("household", household.row_id, "update", {"head_name": "A" * 120}, 99)],
    )
    assert fits.status_code == 200, fits.text


def test_a_batch_above_the_limit_is_refused(gia_loc: GiaLoc) -> None:
    token = token_of(gia_loc.volunteer)

    def households_batch(size: int) -> list[Change]:
        return [
            change(
                "household",
                new_id(),
                "insert",
                {"village_id": gia_loc.commune.village_id, "head_name": f"Hộ số {n}"},
            )
            for n in range(size)
        ]

    before = stored(gia_loc.db)
    too_many = push(gia_loc.server, token, households_batch(wire.MAX_PUSH_BATCH + 1))
    assert_refused(too_many, 422, "invalid", MALFORMED)
    assert stored(gia_loc.db) == before
    at_the_limit = push(gia_loc.server, token, households_batch(wire.MAX_PUSH_BATCH))
    assert at_the_limit.status_code == 200, at_the_limit.text[:500]
    assert len(at_the_limit.json()["results"]) == wire.MAX_PUSH_BATCH


def test_a_page_above_the_limit_is_refused(gia_loc: GiaLoc) -> None:
    token = token_of(gia_loc.volunteer)
    for limit in (wire.MAX_PAGE + 1, 0, -1):
        response = call(
            gia_loc.server, "GET", "/v1/changes", token=token, params={"since": 0, "limit": limit}
        )
        assert_refused(response, 422, "invalid", MALFORMED, f"limit {limit}")
    ok = call(
        gia_loc.server,
        "GET",
        "/v1/changes",
        token=token,
        params={"since": 0, "limit": wire.MAX_PAGE},
    )
    assert ok.status_code == 200


# --- request hygiene -----------------------------------------------------------------------


def test_an_old_laptop_is_asked_to_update(gia_loc: GiaLoc) -> None:
    token = token_of(gia_loc.volunteer)
    code = accounts.issue_code(gia_loc.db, COMMUNE, "volunteer")
    before = stored(gia_loc.db)
    own = change("household", gia_loc.household_id, "update", {"notes": "Bản cũ"}, 99)
    for protocol in (None, "0", "", "v1"):
        for method, path, body, auth in (
            ("GET", "/v1/changes", None, token),
            ("GET", f"/v1/snapshot?schema={HEAD_REVISION}", None, token),
            ("POST", "/v1/push", {"changes": [own]}, token),
            ("POST", "/v1/enrol", {"code": code, "device_name": "Máy cũ"}, None),
        ):
            response = call(gia_loc.server, method, path, token=auth, body=body, protocol=protocol)
            assert_refused(response, 426, "client_too_old", TOO_OLD, f"{protocol!r} {path}")
    assert stored(gia_loc.db) == before
    # Health answers anyone, so an old laptop can still tell the server is there.
    assert call(gia_loc.server, "GET", "/v1/health", protocol=None).status_code == 200


def test_a_body_above_the_limit_is_refused_even_when_compressed(gia_loc: GiaLoc) -> None:
    token = token_of(gia_loc.volunteer)
    padding = wire.MAX_BODY_BYTES  # JSON allows white space: the body stays valid JSON

    def empty_push(spaces: int) -> bytes:
        return b'{"changes": []' + b" " * spaces + b"}"

    headers = {
        wire.PROTOCOL_HEADER: "1",
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
    }
    url = gia_loc.server.url + "/v1/push"
    before = stored(gia_loc.db)

    declared = requests.post(url, data=empty_push(padding), headers=headers, timeout=60)
    assert_refused(declared, 413, "too_large", TOO_LARGE, "plain body")

    def streamed() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        body = empty_push(padding)
        for start in range(0, len(body), 1 << 20):
            yield body[start : start + (1 << 20)]

    chunked = requests.post(url, data=streamed(), headers=headers, timeout=60)
    assert_refused(chunked, 413, "too_large", TOO_LARGE, "chunked body")

    bomb = gzip.compress(empty_push(padding), compresslevel=9)
    assert len(bomb) < 64 * 1024
    zipped = {**headers, "Content-Encoding": "gzip"}
    exploded = requests.post(url, data=bomb, headers=zipped, timeout=60)
    assert_refused(exploded, 413, "too_large", TOO_LARGE, "gzip bomb")
    assert stored(gia_loc.db) == before

    # Just under the limit once expanded, the same kind of body is read and answered.
    fits = gzip.compress(empty_push(wire.MAX_BODY_BYTES - 100), compresslevel=9)
    accepted = requests.post(url, data=fits, headers=zipped, timeout=60)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"results": []}


def test_a_laptop_calling_too_fast_is_slowed_down_alone(gia_loc: GiaLoc) -> None:
    busy, calm = token_of(gia_loc.volunteer), token_of(gia_loc.commune.leader)
    before = stored(gia_loc.db)
    # The bucket holds 120 calls and refills 20 a second; a loopback call takes a few
    # milliseconds, so a tight loop empties it long before this bound.
    answers = []
    for _ in range(2000):
        response = pull(gia_loc.server, busy, limit=1)
        answers.append(response.status_code)
        if response.status_code == 429:
            break
    assert answers[-1] == 429, f"no 429 after {len(answers)} calls"
    assert set(answers[:-1]) == {200}
    assert len(answers) > 100  # the burst a laptop catching up may need is allowed
    assert_refused(response, 429, "rate_limited", RATE_LIMITED)
    assert pull(gia_loc.server, calm, limit=1).status_code == 200
    assert stored(gia_loc.db) == before


# --- the audit log -------------------------------------------------------------------------


def test_the_audit_log_says_who_changed_what_and_when_without_personal_data(
    clocked_server: LoopbackServer, server_clock: FakeClock, tmp_path: Path
) -> None:
    commune = set_up_commune(clocked_server, tmp_path)
    volunteer = enrol_laptop(clocked_server, open_laptop(tmp_path, "volunteer"))
    volunteer.sync()
    personal = {
        "head": "Trịnh Thị Mỹ Duyên",
        "phone": "0912345678",
        "person": "Lê Văn Tèo",
        "person_phone": "0398765432",
        "address": "Xóm Đình, ngõ 4",
        "notes": "Bà cụ bị lãng tai",
        "visit_note": "Quên mật khẩu VNeID lần thứ ba",
    }
    saved = households.create_household(
        volunteer.store,
        HouseholdInput(
            commune.village_id,
            personal["head"],
            address_detail=personal["address"],
            phone=personal["phone"],
            notes=personal["notes"],
        ),
        [MemberInput(personal["person"], 1950, personal["person_phone"], consent=True)],
    )
    sessions.log_visit(
        volunteer.store,
        VisitInput(
            saved.id,
            commune.member_id,
            [ServiceOutcome("VNEID_L1"), ServiceOutcome("EHEALTH")],
            note=personal["visit_note"],
        ),
    )
    with volunteer.store.reading() as session:
        sent = session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)).all()
    expected = {(e.change_id, e.entity, e.row_id, e.op) for e in sent}
    assert sorted(e.entity for e in sent) == ["help_session", "help_session", "household", "member"]
    started = server_clock.now
    client.sync_once(volunteer.store, team_member_id=commune.member_id, connect=fast_connection)
    finished = server_clock.now

    device = device_of(volunteer)
    with clocked_server.db.reading() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        audit_columns = [column.key for column in AuditEntry.__table__.columns]
        rows = [tuple(getattr(entry, key) for key in audit_columns) for entry in entries]
    mine = [entry for entry in entries if entry.device_id == device]
    assert {(e.change_id, e.entity, e.row_id, e.op) for e in mine} == expected
    for entry in mine:
        assert entry.team_member_id == commune.member_id
        assert entry.commune_code == COMMUNE
        assert entry.outcome == "applied"
        assert started < entry.at <= finished
    # The leader's set-up changes were audited too, with no member named.
    leader_entries = [e for e in entries if e.device_id == device_of(commune.leader)]
    assert leader_entries and all(e.team_member_id is None for e in leader_entries)

    # Ids, codes and times only: nothing a resident said or is called.
    for row in rows:
        for value in row:
            text = str(value)
            for what, secret in personal.items():
                assert secret not in text, (what, row)
                assert search_key(secret) not in search_key(text), (what, row)
    # The server's records hold them (the test would prove nothing otherwise).
    assert fields_of(clocked_server.db, "household", saved.id)["head_name"] == personal["head"]

    # Sending the same batch again (a lost reply) audits nothing twice.
    replay = [
        {
            "change_id": e.change_id,
            "entity": e.entity,
            "row_id": e.row_id,
            "op": e.op,
            "base_version": e.base_version,
            "fields": json.loads(e.payload),
        }
        for e in sent
    ]
    before = stored(clocked_server.db)
    again = push(clocked_server, token_of(volunteer), replay, commune.member_id)
    assert again.status_code == 200, again.text
    assert [r["status"] for r in again.json()["results"]] == ["applied"] * len(replay)
    assert stored(clocked_server.db) == before
