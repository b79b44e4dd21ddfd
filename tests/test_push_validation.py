"""One validation, both sides: the commune server refuses, as the laptops' store does, a
change that breaks a synced entity's rules, and the writes a volunteer's device may
not make; a laptop whose change is refused sets it aside and syncs the rest.

Pushed as an attacker on the commune's Wi-Fi would, with a volunteer's own token,
straight to the HTTP API of a real server on loopback (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, func, inspect, select
from sqlalchemy.exc import IntegrityError

from tests import test_sync_security
from tests.sync_support import (
    COMMUNE,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    fast_connection,
    open_laptop,
    set_up_commune,
)
from tests.test_sync_security import (
    Change,
    GiaLoc,
    assert_refused,
    call,
    change,
    fields_of,
    push,
    stored,
    token_of,
)
from villagehelper import entity_rules
from villagehelper.cli import dispatch
from villagehelper.errors import UserError, ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.store import sync_state
from villagehelper.store.changelog import ENTITIES, Changes, record_insert, synced_fields
from villagehelper.store.models import HelpSession, OutboxEntry, UtcDateTime
from villagehelper.sync import client, set_aside
from villagehelper.sync import status as sync_status

gia_loc = test_sync_security.gia_loc  # the fixture: Gia Lộc, a leader, a volunteer

INVALID = "Dữ liệu gửi lên không hợp lệ"
FORBIDDEN_VOID = "Chỉ tổ trưởng, hoặc máy đã ghi lượt này"
FORGED = "ghi là của một máy khác"


def _instant(moment: datetime) -> str:
    """An instant as the wire writes it, four-digit year whatever the year."""
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
    )


def _session(gia_loc: GiaLoc, **changed: Any) -> Change:
    """A new help session from the volunteer's laptop, valid unless ``changed`` says."""
    fields = fields_of(gia_loc.db, "help_session", gia_loc.session_id)
    fields.update(visit_id=new_id(), device_id=gia_loc.volunteer.store.device_id)
    fields.update(changed)
    return change("help_session", new_id(), "insert", fields)


def _drop(fields: Change, name: str) -> Change:
    fields["fields"].pop(name, None)
    return fields


def _commune_still_works(gia_loc: GiaLoc, tmp_path: Path) -> None:
    leader = gia_loc.commune.leader
    tally = call(gia_loc.server, "GET", "/v1/tally/week", token=token_of(leader))
    assert tally.status_code == 200, tally.text
    gia_loc.volunteer.sync()
    leader.sync()
    newcomer = enrol_laptop(gia_loc.server, open_laptop(tmp_path, "newcomer"))
    newcomer.sync()
    with newcomer.store.reading() as session:
        assert session.get(HelpSession, gia_loc.session_id) is not None


def test_sessions_breaking_the_rules_are_refused_and_the_commune_goes_on(
    gia_loc: GiaLoc, tmp_path: Path
) -> None:
    token = token_of(gia_loc.volunteer)
    cases: dict[str, tuple[Change, str]] = {
        "outcome xyz": (_session(gia_loc, outcome="xyz"), "outcome"),
        "year 9999": (_session(gia_loc, occurred_at="9999-12-31T23:00:00.000000Z"), "9999"),
        "year 0001": (_session(gia_loc, occurred_at="0001-01-01T00:00:00.000000Z"), "năm 1 "),
        "follow-up, no date": (
            _drop(_session(gia_loc, outcome="follow_up"), "follow_up_date"),
            "phải có ngày hẹn",
        ),
        "follow-up, date null": (
            _session(gia_loc, outcome="follow_up", follow_up_date=None),
            "phải có ngày hẹn",
        ),
        "failure, no reason": (
            _session(gia_loc, outcome="failed", failure_reason=""),
            "phải có lý do",
        ),
        "follow-up in year 9999": (
            _session(gia_loc, outcome="follow_up", follow_up_date="9999-01-01"),
            "9999",
        ),
    }
    for what, (bad, words) in cases.items():
        before = stored(gia_loc.db)
        answer = assert_refused(push(gia_loc.server, token, [bad]), 400, "refused", INVALID, what)
        assert words in answer["message_vi"], f"{what}: {answer['message_vi']}"
        assert answer["message_en"].startswith("Invalid change (help_session)"), what
        assert stored(gia_loc.db) == before, what
    # A correction naming a session the commune does not have.
    unknown = _session(gia_loc, replaces_id=new_id())
    assert push(gia_loc.server, token, [unknown]).status_code == 400
    # The leader's device is held to the rules too.
    leader_token = token_of(gia_loc.commune.leader)
    for entity, row_id, fields in (
        ("village", gia_loc.commune.village_id, {"kind": "xyz"}),
        ("team_member", gia_loc.commune.member_id, {"role": "boss"}),
    ):
        edit = change(entity, row_id, "update", fields, 99)
        assert_refused(push(gia_loc.server, leader_token, [edit]), 400, "refused", INVALID, entity)
    # Every valid change still goes in, and the commune syncs and reports.
    good = push(gia_loc.server, token, [_session(gia_loc)])
    assert good.status_code == 200, good.text
    _commune_still_works(gia_loc, tmp_path)


def test_a_volunteers_device_may_not_delete_forge_or_void_others(
    gia_loc: GiaLoc, tmp_path: Path
) -> None:
    token = token_of(gia_loc.volunteer)
    leader = gia_loc.commune.leader
    household = gia_loc.household_id
    theirs = gia_loc.session_id  # logged on the leader's laptop

    def void(session_id: str, stamp: str) -> Change:
        fields = {
            "session_id": session_id,
            "reason": "",
            "volunteer_id": gia_loc.commune.member_id,
            "voided_at": "2026-12-01T03:00:00.000000Z",
            "device_id": stamp,
        }
        return change("session_void", new_id(), "insert", fields)

    own_stamp, leader_stamp = gia_loc.volunteer.store.device_id, leader.store.device_id
    cases: dict[str, tuple[Change, str]] = {
        "household delete": (change("household", household, "delete", {}, 99), "xóa hộ"),
        "household marked deleted": (
            change("household", household, "update", {"deleted": True}, 99),
            "xóa hộ",
        ),
        "session under the leader's laptop's id": (
            _session(gia_loc, device_id=leader_stamp),
            FORGED,
        ),
        "void of the leader's session": (void(theirs, own_stamp), FORBIDDEN_VOID),
        "void under the leader's laptop's id": (void(theirs, leader_stamp), FORGED),
    }
    for what, (bad, words) in cases.items():
        before = stored(gia_loc.db)
        assert_refused(push(gia_loc.server, token, [bad]), 403, "refused", words, what)
        assert stored(gia_loc.db) == before, what
    # What a volunteer may do: state again a household merged away (after a server
    # restore), and void a session its own laptop logged.
    twin = new_id()
    twin_fields = {"village_id": gia_loc.commune.village_id, "head_name": "Lê Văn Tám"}
    assert push(gia_loc.server, token, [change("household", twin, "insert", twin_fields)]).ok
    merged_away = {**twin_fields, "merged_into": household, "deleted": True}
    restated = push(gia_loc.server, token, [change("household", twin, "restate", merged_away)])
    assert restated.status_code == 200, restated.text
    mine = _session(gia_loc)
    assert push(gia_loc.server, token, [mine]).status_code == 200
    accepted = push(gia_loc.server, token, [void(mine["row_id"], own_stamp)])
    assert accepted.status_code == 200, accepted.text
    # A leader voids any session of the commune.
    leader_void = void(theirs, leader_stamp)
    assert push(gia_loc.server, token_of(leader), [leader_void]).status_code == 200
    _commune_still_works(gia_loc, tmp_path)


def _void_as_an_older_app(laptop: Laptop, session_id: str, member: str) -> None:
    """A void of another laptop's session, as the app made it before it kept the
    server's rule (the server refuses it from a volunteer's device)."""
    with laptop.store.transaction() as session:
        sessions.void_in(
            session,
            session_id,
            volunteer_id=member,
            reason="nhầm",
            store=laptop.store,
            changes=Changes(),
        )


def test_a_volunteers_laptop_voids_only_its_own_sessions(gia_loc: GiaLoc) -> None:
    volunteer, leader = gia_loc.volunteer, gia_loc.commune.leader
    member = gia_loc.commune.member_id
    with pytest.raises(UserError) as refused:
        sessions.void_session(volunteer.store, gia_loc.session_id, member, "nhầm")
    assert "chỉ tổ trưởng" in refused.value.message_vi
    with pytest.raises(UserError):
        sessions.correct_session(
            volunteer.store, gia_loc.session_id, member, ServiceOutcome("VNEID_L1"), ""
        )
    own = sessions.log_visit(
        volunteer.store, VisitInput(gia_loc.household_id, member, [ServiceOutcome("VNEID_L1")])
    ).session_ids[0]
    sessions.void_session(volunteer.store, own, member, "nhầm")
    volunteer.sync()
    leader.sync()
    sessions.void_session(leader.store, gia_loc.session_id, gia_loc.commune.leader_id, "nhầm")
    assert leader.sync().set_aside == 0


def test_a_refused_change_is_set_aside_and_the_rest_of_the_outbox_goes(gia_loc: GiaLoc) -> None:
    volunteer, leader = gia_loc.volunteer, gia_loc.commune.leader
    member = gia_loc.commune.member_id
    # The volunteer undoes the leader's session (the app lets them try); the server
    # refuses it. Work logged before and after must still reach the commune.
    before = sessions.log_visit(
        volunteer.store, VisitInput(gia_loc.household_id, member, [ServiceOutcome("VNEID_L1")])
    )
    _void_as_an_older_app(volunteer, gia_loc.session_id, member)
    after = sessions.log_visit(
        volunteer.store, VisitInput(gia_loc.household_id, member, [ServiceOutcome("VNEID_L2")])
    )
    report = volunteer.sync()
    assert report.set_aside == 1
    assert "bị từ chối 1" in report.summary_vi() and "refused 1" in report.summary_en()
    leader.sync()
    with leader.store.reading() as session:
        for logged in (before, after):
            assert session.get(HelpSession, logged.session_ids[0]) is not None
        still = session.get(HelpSession, gia_loc.session_id)
        assert still is not None and not still.voided
    status = sync_status.status(volunteer.store)
    assert status.set_aside == 1 and status.pending == 0 and not status.last_error
    with volunteer.store.reading() as session:
        [kept] = set_aside.listed(session)
    assert kept.entity == "session_void" and FORBIDDEN_VOID in kept.reason_vi
    assert "Only a team leader" in kept.reason_en
    assert volunteer.sync().set_aside == 1  # and the next syncs go on as well
    set_aside.discard(volunteer.store, kept.change_id)
    assert sync_status.status(volunteer.store).set_aside == 0


def test_changes_that_depend_on_a_refused_insert_wait_with_it_and_go_once_resent(
    gia_loc: GiaLoc,
) -> None:
    volunteer, leader = gia_loc.volunteer, gia_loc.commune.leader
    village, member = gia_loc.commune.village_id, gia_loc.commune.member_id

    def new_household(head: str) -> tuple[str, str]:
        saved = households.create_household(
            volunteer.store, HouseholdInput(village, head), [MemberInput(head, 1970)]
        )
        visit = VisitInput(saved.id, member, [ServiceOutcome("VNEID_L1")])
        return saved.id, sessions.log_visit(volunteer.store, visit).session_ids[0]

    refused_household, its_session = new_household("Đỗ Văn Hùng")
    other_household, other_session = new_household("Vũ Thị Lan")
    # As an older app might have sent it: a head's name longer than the server holds.
    with volunteer.store.transaction() as session:
        entry = session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.entity == "household", OutboxEntry.row_id == refused_household
            )
        ).one()
        entry.payload = json.dumps({**json.loads(entry.payload), "head_name": "Đ" * 121})
    report = volunteer.sync()
    assert report.set_aside == 3  # the household, its person and its session
    with volunteer.store.reading() as session:
        kept = set_aside.listed(session)
    root = next(k for k in kept if k.entity == "household")
    assert "head_name" in root.reason_vi
    assert {k.entity for k in kept if k.depends_on == root.change_id} == {"member", "help_session"}
    assert all("Phụ thuộc" in k.reason_vi for k in kept if k is not root)
    leader.sync()
    with leader.store.reading() as session:
        assert session.get(HelpSession, other_session) is not None
        assert session.get(HelpSession, its_session) is None
    # The leader sends it again: it goes as the row is (its name fits), and after it
    # what waited for it.
    set_aside.resend(volunteer.store, root.change_id)
    assert volunteer.sync().set_aside == 0
    leader.sync()
    with leader.store.reading() as session:
        assert session.get(HelpSession, its_session) is not None
    assert other_household != refused_household


def test_the_sync_command_says_how_many_were_refused_and_set_aside_lists_them(
    sync_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    data = tmp_path / "cli-volunteer"
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "cli-volunteer"))
    laptop.sync()
    leader_session = sessions.log_visit(
        commune.leader.store,
        VisitInput(
            households.create_household(
                commune.leader.store, HouseholdInput(commune.village_id, "Lê Văn Tám"), []
            ).id,
            commune.leader_id,
            [ServiceOutcome("VNEID_L1")],
        ),
    ).session_ids[0]
    commune.leader.sync()
    laptop.sync()
    _void_as_an_older_app(laptop, leader_session, commune.member_id)
    laptop.store.close()
    assert dispatch.main(["sync", "--data-dir", str(data)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[0]
    assert "bị từ chối 1" in line and "villagehelper set-aside" in line
    assert dispatch.main(["set-aside", "--data-dir", str(data)]) == 0
    listing = capsys.readouterr().out
    assert "session_void" in listing and FORBIDDEN_VOID in listing
    assert "Only a team leader" in listing


# --- the rules, the same on both sides --------------------------------------------


def test_the_declared_rules_name_every_time_and_date_field() -> None:
    for entity, model in ENTITIES.items():
        columns = inspect(model).columns
        synced = set(synced_fields(model)) - {"updated_at"}
        instants = {n for n in synced if isinstance(columns[n].type, UtcDateTime)}
        dates = {n for n in synced if isinstance(columns[n].type, Date)}
        assert instants == set(entity_rules.INSTANTS.get(entity, ())), entity
        assert dates == set(entity_rules.DATES.get(entity, ())), entity


class _RollbackError(Exception):
    pass


def _laptop_takes(gia_loc: GiaLoc, values: dict[str, Any]) -> bool:
    """Whether the volunteer's laptop stores a session with these values (nothing kept)."""
    store = gia_loc.volunteer.store
    row = HelpSession(
        id=new_id(),
        visit_id=new_id(),
        household_id=gia_loc.household_id,
        member_id=gia_loc.person_id,
        service_code="VNEID_L1",
        note="",
        volunteer_id=gia_loc.commune.member_id,
        device_id=store.device_id,
        **values,
    )
    try:
        with store.transaction() as session:
            record_insert(session, row, Changes())
            session.flush()
            raise _RollbackError
    except (ValidationError, IntegrityError):
        return False
    except _RollbackError:
        return True


OUTCOMES = st.sampled_from(["done", "follow_up", "failed", "xyz", "", "DONE"]) | st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), max_size=10
)
YEARS = st.sampled_from([1, 1969, 1970, 1999, 2000, 2026, 2999, 3000, 9999]) | st.integers(1, 9999)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    outcome=OUTCOMES,
    follow_up_year=st.none() | YEARS,
    failure_reason=st.sampled_from(["", "Không có sóng"]),
    occurred_year=YEARS,
)
def test_laptop_and_server_accept_and_refuse_the_same_sessions(
    gia_loc: GiaLoc,
    outcome: str,
    follow_up_year: int | None,
    failure_reason: str,
    occurred_year: int,
) -> None:
    occurred = datetime(occurred_year, 6, 1, 3, 0, tzinfo=UTC)
    follow_up = None if follow_up_year is None else date(follow_up_year, 6, 2)
    laptop = _laptop_takes(
        gia_loc,
        {
            "outcome": outcome,
            "follow_up_date": follow_up,
            "failure_reason": failure_reason,
            "occurred_at": occurred,
        },
    )
    sent = _session(
        gia_loc,
        outcome=outcome,
        follow_up_date=None if follow_up is None else follow_up.isoformat(),
        failure_reason=failure_reason,
        occurred_at=_instant(occurred),
    )
    answer = push(gia_loc.server, token_of(gia_loc.volunteer), [sent])
    assert answer.status_code in (200, 400), answer.text
    assert (answer.status_code == 200) == laptop, (answer.text, laptop)


def test_the_server_keeps_nothing_a_laptop_cannot(gia_loc: GiaLoc) -> None:
    """The check runs before the feed: the commune's feed holds no row that breaks a rule."""
    token = token_of(gia_loc.volunteer)
    push(gia_loc.server, token, [_session(gia_loc, outcome="xyz")])
    with gia_loc.db.reading() as session:
        from villagehelper.server.tables import Record

        rows = session.scalars(
            select(Record.fields).where(
                Record.entity == "help_session", Record.commune_code == COMMUNE
            )
        ).all()
        total = session.scalar(select(func.count()).select_from(Record))
    assert total
    assert all(not entity_rules.row_problems("help_session", json.loads(f)) for f in rows)


def test_a_laptop_refuses_a_session_the_server_would(gia_loc: GiaLoc) -> None:
    store = gia_loc.volunteer.store
    with pytest.raises(ValidationError) as refused, store.transaction() as session:
        record_insert(
            session,
            HelpSession(
                id=new_id(),
                visit_id=new_id(),
                household_id=gia_loc.household_id,
                service_code="VNEID_L1",
                outcome="done",
                volunteer_id=gia_loc.commune.member_id,
                device_id=store.device_id,
                occurred_at=datetime(9999, 1, 1, tzinfo=UTC),
            ),
            Changes(),
        )
    assert "9999" in refused.value.message_vi


def test_a_laptop_enrolled_again_at_a_new_address_keeps_signing_its_work(
    gia_loc: GiaLoc,
) -> None:
    volunteer, member = gia_loc.volunteer, gia_loc.commune.member_id

    def visit() -> str:
        logged = sessions.log_visit(
            volunteer.store,
            VisitInput(gia_loc.household_id, member, [ServiceOutcome("VNEID_L1")]),
        )
        return logged.session_ids[0]

    first = visit()
    volunteer.sync()  # the server now knows the laptop's signature as this device's
    # The server moved (a new PC, a new address): the laptop enrols again, as a new device.
    with volunteer.store.transaction() as session:
        sync_state.put(session, sync_state.SERVER_URL, "http://old-commune-pc:8765")
    code = accounts.issue_code(gia_loc.db, COMMUNE, "volunteer")
    client.enrol(volunteer.store, gia_loc.server.url, code, "laptop", connect=fast_connection)
    second = visit()
    assert volunteer.sync().set_aside == 0
    gia_loc.commune.leader.sync()
    with gia_loc.commune.leader.store.reading() as session:
        assert session.get(HelpSession, first) is not None
        assert session.get(HelpSession, second) is not None


def _laptop_updates(laptop: Laptop, entity: str, row_id: str, values: dict[str, Any]) -> bool:
    """Whether the laptop's store takes this edit (nothing kept)."""
    from villagehelper.store.changelog import from_wire, record_update

    model = ENTITIES[entity]
    try:
        with laptop.store.transaction() as session:
            row = session.get(model, row_id)
            assert row is not None
            typed = {name: from_wire(model, name, value) for name, value in values.items()}
            record_update(session, row, typed, Changes())
            session.flush()
            raise _RollbackError
    except (ValidationError, IntegrityError):
        return False
    except _RollbackError:
        return True


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["thon", "to_dan_pho", "xyz", "THON", ""]),
    role=st.sampled_from(["member", "leader", "boss", ""]),
    consent_year=st.none() | YEARS,
)
def test_laptop_and_server_accept_and_refuse_the_same_edits(
    gia_loc: GiaLoc, kind: str, role: str, consent_year: int | None
) -> None:
    leader = gia_loc.commune.leader
    consent = None if consent_year is None else date(consent_year, 3, 8).isoformat()
    for entity, row_id, values in (
        ("village", gia_loc.commune.village_id, {"kind": kind}),
        ("team_member", gia_loc.commune.member_id, {"role": role}),
        ("member", gia_loc.person_id, {"consent_date": consent}),
    ):
        laptop = _laptop_updates(leader, entity, row_id, values)
        answer = push(gia_loc.server, token_of(leader), [change(entity, row_id, "update", values)])
        assert answer.status_code in (200, 400), answer.text
        assert (answer.status_code == 200) == laptop, (entity, values, answer.text)
