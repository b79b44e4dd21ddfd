"""Erasure on request: a leader erases a person or a household; the personal details go
everywhere (this laptop, the server, every other laptop), the counts stay, and a late
edit from a laptop that had not heard of it cannot bring them back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import MetaData, String, Text, select

from tests.conftest import FakeClock, Team
from tests.sync_support import (
    Commune,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.cli.telling import EXIT_USER_ERROR
from villagehelper.errors import UserError
from villagehelper.ops import erasure, households, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.personal_fields import ERASED_NAME
from villagehelper.server.database import ServerDB
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Household, Member, OutboxEntry
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week

HEAD = "Trần Văn Thuận"
SPOUSE = "Vũ Thị Nguyệt"
PHONE = "0912345678"
NOTE = "Bà Nguyệt hay quên mật khẩu"
REASON = "Chưa mang căn cước của ông Thuận"
WEEK = iso_week(2026, 48)  # the FakeClock's week


def _family(store: Store, village_id: str) -> str:
    saved = households.create_household(
        store,
        HouseholdInput(village_id, HEAD, "Xóm Đông, số 12", PHONE, "Nhà gần đình"),
        [MemberInput(HEAD, 1950, PHONE), MemberInput(SPOUSE, 1955, "0987654321")],
    )
    return saved.id


def _member_id(store: Store, household_id: str, name: str) -> str:
    detail = households.get_household(store, household_id)
    return next(m.id for m in detail.members if m.full_name == name)


def _visit(store: Store, household_id: str, member_id: str, volunteer_id: str) -> None:
    sessions.log_visit(
        store,
        VisitInput(
            household_id,
            volunteer_id,
            [
                ServiceOutcome("VNEID_L1"),
                ServiceOutcome("VNEID_L2", "failed", failure_reason=REASON),
            ],
            member_id=member_id,
            note=NOTE,
        ),
    )


def _laptop_texts(store: Store) -> str:
    """Every text value of every table of a laptop's database, outbox included."""
    return _all_text(store.engine)


def _server_texts(db: ServerDB) -> str:
    return _all_text(db.engine)


def _all_text(engine: object) -> str:
    from sqlalchemy.engine import Engine

    assert isinstance(engine, Engine)
    metadata = MetaData()
    metadata.reflect(engine)
    found: list[str] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in connection.execute(select(*columns)):
                found.extend(str(value) for value in row if value is not None)
    return "\n".join(found)


def _personal_data_in(text: str) -> list[str]:
    return [item for item in (HEAD, SPOUSE, PHONE, NOTE, REASON, "Xóm Đông") if item in text]


# --- the rules ------------------------------------------------------------------------

_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))


@given(
    st.sampled_from(["household", "member", "help_session"]),
    st.dictionaries(
        st.sampled_from(
            [
                "head_name",
                "phone",
                "notes",
                "full_name",
                "birth_year",
                "village_id",
                "note",
                "failure_reason",
                "outcome",
                "consent",
                "erased_at",
            ]
        ),
        _VALUES,
    ),
)
def test_a_neutralised_change_carries_nothing_personal_and_keeps_the_rest(
    entity: str, fields: dict[str, object]
) -> None:
    from villagehelper import personal_fields

    cleaned = personal_fields.neutralised(entity, fields)
    assert cleaned.keys() == fields.keys()
    assert personal_fields.same_when_neutralised(entity, fields, cleaned)
    assert personal_fields.neutralised(entity, cleaned) == cleaned
    erased = personal_fields.ERASED_VALUES.get(entity, {})
    for name, value in cleaned.items():
        if name in erased:
            assert value == erased[name]
        elif name not in ("note", "failure_reason") or entity != "help_session":
            assert value == fields[name]
    late = personal_fields.without_personal(entity, fields)
    assert not set(late) & (set(erased) | set(personal_fields.ERASURE_MARKS))


# --- on one laptop --------------------------------------------------------------------


def test_erasing_a_household_keeps_its_counts_and_nothing_personal(
    village_team: Team, clock: FakeClock
) -> None:
    store = village_team.store
    household_id = _family(store, village_team.village_id)
    _visit(store, household_id, _member_id(store, household_id, SPOUSE), village_team.member_id)
    before = compute_tally(store, WEEK)
    asked_at = clock.now

    erased = erasure.erase_household(store, household_id, village_team.leader_id)

    assert (erased.people, erased.sessions_kept) == (2, 2)
    assert compute_tally(store, WEEK) == before
    assert compute_tally(store, WEEK, from_sessions=True) == before
    detail = households.get_household(store, household_id)
    assert (detail.head_name, detail.phone, detail.address_detail, detail.notes) == (
        ERASED_NAME,
        None,
        "",
        "",
    )
    assert {m.full_name for m in detail.members} == {ERASED_NAME}
    assert households.find_households(store, "Thuận").hits == ()
    with store.reading() as session:
        household = session.get(Household, household_id)
        assert household is not None and household.erased_by == village_team.leader_id
        assert household.erased_at is not None and asked_at < household.erased_at <= clock.now
        failed = session.scalars(select(HelpSession).where(HelpSession.outcome == "failed"))
        assert [s.failure_reason for s in failed] == [ERASED_NAME]
    # The household was never synced: its outbox insert must not carry the names up.
    assert _personal_data_in(_laptop_texts(store)) == []
    # Nor may the old values stay readable in the file's free space or its log.
    for file in store.path.parent.glob(store.path.name + "*"):
        assert HEAD.encode() not in file.read_bytes(), file.name


def test_erased_households_are_not_taken_for_duplicates_of_each_other(
    village_team: Team,
) -> None:
    from villagehelper.ops.duplicates import duplicate_pairs

    store = village_team.store
    first = _family(store, village_team.village_id)
    second = households.create_household(
        store, HouseholdInput(village_team.village_id, "Lò Văn Pấng")
    ).id
    for household_id in (first, second):
        erasure.erase_household(store, household_id, village_team.leader_id)
    assert duplicate_pairs(store) == []


def test_erasing_one_person_leaves_the_rest_of_the_household(village_team: Team) -> None:
    store = village_team.store
    household_id = _family(store, village_team.village_id)
    spouse_id = _member_id(store, household_id, SPOUSE)
    _visit(store, household_id, spouse_id, village_team.member_id)

    erased = erasure.erase_member(store, spouse_id, village_team.leader_id)

    assert (erased.people, erased.sessions_kept) == (1, 2)
    detail = households.get_household(store, household_id)
    assert detail.head_name == HEAD and detail.phone == PHONE
    assert sorted(m.full_name for m in detail.members) == sorted([HEAD, ERASED_NAME])
    assert SPOUSE not in _laptop_texts(store) and NOTE not in _laptop_texts(store)
    with store.reading() as session:
        spouse = session.get(Member, spouse_id)
        assert spouse is not None
        assert (spouse.birth_year, spouse.phone, spouse.erased_by) == (
            None,
            None,
            village_team.leader_id,
        )


def test_only_a_leader_erases_and_twice_is_refused(village_team: Team) -> None:
    store = village_team.store
    household_id = _family(store, village_team.village_id)
    with pytest.raises(UserError, match="tổ trưởng"):
        erasure.erase_household(store, household_id, village_team.member_id)
    assert households.get_household(store, household_id).head_name == HEAD
    erasure.erase_household(store, household_id, village_team.leader_id)
    with pytest.raises(UserError, match="đã được xóa"):
        erasure.erase_household(store, household_id, village_team.leader_id)


# --- through the server ---------------------------------------------------------------


@pytest.fixture
def commune(sync_server: LoopbackServer, tmp_path: Path) -> Commune:
    return set_up_commune(sync_server, tmp_path)


def _synced_family(commune: Commune, *others: Laptop) -> str:
    leader = commune.leader
    household_id = _family(leader.store, commune.village_id)
    spouse = _member_id(leader.store, household_id, SPOUSE)
    _visit(leader.store, household_id, spouse, commune.member_id)
    leader.sync()
    for other in others:
        other.sync()
    return household_id


def test_an_erasure_reaches_the_server_and_every_laptop(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    second = enrol_laptop(sync_server, open_laptop(tmp_path, "second"))
    third = enrol_laptop(sync_server, open_laptop(tmp_path, "third"))
    household_id = _synced_family(commune, second, third)
    before = compute_tally(third.store, WEEK)
    assert _personal_data_in(_server_texts(sync_server.db)) != []  # the test can fail

    erasure.erase_household(commune.leader.store, household_id, commune.leader_id)
    commune.leader.sync()
    second.sync()
    third.sync()

    assert _personal_data_in(_server_texts(sync_server.db)) == []
    for laptop in (commune.leader, second, third):
        assert _personal_data_in(_laptop_texts(laptop.store)) == []
        assert compute_tally(laptop.store, WEEK) == before
        assert households.get_household(laptop.store, household_id).head_name == ERASED_NAME
    expected = server_snapshot(sync_server.db)
    assert laptop_snapshot(third.store) == expected
    assert laptop_snapshot(commune.leader.store) == expected


def test_a_late_edit_from_a_laptop_that_had_not_heard_cannot_bring_the_name_back(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """Laptop B edits the household offline (name, phone and village); the leader
    erases it and syncs; B syncs.  The name never comes back; B's move of the household
    to another village is not personal and stays."""
    from villagehelper.ops import team

    other_village = team.add_village(commune.leader.store, "Thôn Hữu Chung")
    b = enrol_laptop(sync_server, open_laptop(tmp_path, "b"))
    household_id = _synced_family(commune, b)
    households.update_household(
        b.store,
        household_id,
        HouseholdInput(other_village.id, "Trần Văn Thuận (ông)", "Xóm Đông, số 14", "0911111111"),
    )
    households.update_member(
        b.store,
        _member_id(b.store, household_id, SPOUSE),
        MemberInput("Vũ Thị Nguyệt (bà)", 1956),
    )

    erasure.erase_household(commune.leader.store, household_id, commune.leader_id)
    commune.leader.sync()
    b.sync()
    commune.leader.sync()
    b.sync()

    late = ("Trần Văn Thuận (ông)", "Vũ Thị Nguyệt (bà)", "0911111111", "số 14")
    for texts in (
        _server_texts(sync_server.db),
        _laptop_texts(b.store),
        _laptop_texts(commune.leader.store),
    ):
        assert _personal_data_in(texts) == []
        assert [item for item in late if item in texts] == []
    for laptop in (commune.leader, b):
        detail = households.get_household(laptop.store, household_id)
        assert detail.head_name == ERASED_NAME
        assert detail.village_id == other_village.id
        with laptop.store.reading() as session:
            assert session.scalars(select(OutboxEntry)).all() == []
    assert laptop_snapshot(b.store) == server_snapshot(sync_server.db)


def test_a_laptop_pulling_an_erasure_neutralises_its_pending_edits(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """B's edit is still in its outbox when the erasure arrives (a sync that only
    downloads, as after a refused upload): the entry must not carry the name up later."""
    from tests.sync_support import fast_connection
    from villagehelper.exchange.feed import follow_feed

    b = enrol_laptop(sync_server, open_laptop(tmp_path, "b"))
    household_id = _synced_family(commune, b)
    households.update_household(
        b.store, household_id, HouseholdInput(commune.village_id, "Trần Văn Thuận (ông)")
    )
    erasure.erase_household(commune.leader.store, household_id, commune.leader_id)
    commune.leader.sync()

    connection = fast_connection(*_enrolment(b.store))
    follow_feed(b.store, lambda since: connection.get("/v1/changes", {"since": since}))
    connection.close()
    assert "Trần Văn Thuận" not in _laptop_texts(b.store)
    with b.store.reading() as session:
        # The head's rename and the head member's, which follows it: both still pending.
        assert len(session.scalars(select(OutboxEntry)).all()) == 2
    b.sync()
    assert _personal_data_in(_server_texts(sync_server.db)) == []
    assert households.get_household(b.store, household_id).head_name == ERASED_NAME


def test_a_change_stored_before_its_reply_was_lost_goes_again_after_an_erasure(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """B adds a person to the household; the server stores it but B never hears back.
    The leader erases the household (the new person with it, on the server).  B learns
    of the erasure first, then uploads again: no refusal, and no name anywhere."""
    from tests.sync_support import fast_connection
    from tests.test_sync_security import push, token_of
    from villagehelper.exchange.feed import follow_feed

    b = enrol_laptop(sync_server, open_laptop(tmp_path, "b"))
    household_id = _synced_family(commune, b)
    households.add_member(b.store, household_id, MemberInput("Trần Thị Bé", 2015))
    with b.store.reading() as session:
        pending = [
            {
                "change_id": entry.change_id,
                "entity": entry.entity,
                "row_id": entry.row_id,
                "op": entry.op,
                "base_version": entry.base_version,
                "fields": json.loads(entry.payload),
            }
            for entry in session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))
        ]
    assert push(sync_server, token_of(b), pending).status_code == 200  # reply "lost"
    erasure.erase_household(commune.leader.store, household_id, commune.leader_id)
    commune.leader.sync()
    connection = fast_connection(*_enrolment(b.store))
    follow_feed(b.store, lambda since: connection.get("/v1/changes", {"since": since}))
    connection.close()

    b.sync()

    for texts in (_server_texts(sync_server.db), _laptop_texts(b.store)):
        assert "Trần Thị Bé" not in texts and _personal_data_in(texts) == []
    with b.store.reading() as session:
        assert session.scalars(select(OutboxEntry)).all() == []
    assert laptop_snapshot(b.store) == server_snapshot(sync_server.db)


def _enrolment(store: Store) -> tuple[str, str]:
    from villagehelper.store import sync_state

    with store.reading() as session:
        enrolled = sync_state.enrolled(session)
    assert enrolled is not None
    return enrolled.server_url, enrolled.token


def test_a_volunteer_device_cannot_erase(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """Refused on the laptop (the outbox would be held up), and by the server whatever
    a volunteer's device sends."""
    from tests.test_sync_security import assert_refused, change, push, token_of
    from villagehelper.personal_fields import erased_fields

    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    household_id = _synced_family(commune, volunteer)
    with pytest.raises(UserError, match="máy của tổ trưởng"):
        erasure.erase_household(volunteer.store, household_id, commune.leader_id)
    fields = erased_fields("household", "2026-11-23T07:00:00.000000Z", commune.leader_id)
    sent = change("household", household_id, "update", fields, base=1)
    response = push(sync_server, token_of(volunteer), [sent])
    assert_refused(response, 403, "refused", "Chỉ tổ trưởng được xóa dữ liệu")
    assert HEAD in _server_texts(sync_server.db)


# --- on the command line --------------------------------------------------------------


def test_the_command_line_records_consent_exports_and_erases(
    village_team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from villagehelper.cli import dispatch

    store = village_team.store
    household_id = _family(store, village_team.village_id)
    spouse = _member_id(store, household_id, SPOUSE)
    data = ["--data-dir", str(tmp_path / "data")]
    assert dispatch.main(["consent", spouse, "--by", "nguyen thi he", *data]) == 0
    out = tmp_path / "nguyet.txt"
    held = ["what-we-hold", "--member", spouse, "--out", str(out), *data]
    assert dispatch.main([*held, "--by", "Nguyễn Thị Hệ"]) == EXIT_USER_ERROR
    assert not out.exists()
    assert dispatch.main([*held, "--by", "Phạm Đăng Xuyết"]) == 0
    assert "ghi nhận bởi Nguyễn Thị Hệ" in out.read_text(encoding="utf-8-sig")
    erase = ["erase", "--household", household_id, "--by", "Phạm Đăng Xuyết", *data]
    assert dispatch.main(erase) == EXIT_USER_ERROR  # without --yes
    assert households.get_household(store, household_id).head_name == HEAD
    assert dispatch.main([*erase, "--yes"]) == 0
    assert "2 người" in capsys.readouterr().out
    assert households.get_household(store, household_id).head_name == ERASED_NAME


def test_conflicts_over_an_erased_name_keep_neither_value_and_new_laptops_get_none(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    from villagehelper.ops import conflicts

    b = enrol_laptop(sync_server, open_laptop(tmp_path, "b"))
    household_id = _synced_family(commune, b)
    households.update_household(
        b.store, household_id, HouseholdInput(commune.village_id, "Trần Văn Thuận (B)")
    )
    b.sync()
    households.update_household(
        commune.leader.store, household_id, HouseholdInput(commune.village_id, "Trần Văn Thuận (A)")
    )
    commune.leader.sync()
    # The head's name and the head member's (renamed with it) are both in conflict.
    assert {c.entity for c in conflicts.open_conflicts(commune.leader.store)} == {
        "household",
        "member",
    }
    assert "Trần Văn Thuận (B)" in _server_texts(sync_server.db)  # the test can fail

    erasure.erase_household(commune.leader.store, household_id, commune.leader_id)
    commune.leader.sync()
    b.sync()
    late = enrol_laptop(sync_server, open_laptop(tmp_path, "late"))
    late.sync()

    for texts in (
        _server_texts(sync_server.db),
        _laptop_texts(commune.leader.store),
        _laptop_texts(b.store),
        _laptop_texts(late.store),
    ):
        assert _personal_data_in(texts) == []
    assert conflicts.open_conflicts(commune.leader.store) == []
    assert households.get_household(late.store, household_id).head_name == ERASED_NAME
    assert laptop_snapshot(late.store) == server_snapshot(sync_server.db)
