"""Demo data: reproducible, realistic, and indistinguishable from data typed in the app."""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import FakeClock
from villagehelper.clock import to_vietnam, vietnam_today
from villagehelper.demo.generate import DEMO_SETTING, DemoSummary, generate_demo
from villagehelper.errors import UserError
from villagehelper.ids import is_valid_id
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops import team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import (
    FollowUpStatus,
    count_sessions,
    follow_ups,
    household_history,
    list_sessions,
)
from villagehelper.store.changelog import ENTITIES, row_payload
from villagehelper.store.engine import Store, open_store
from villagehelper.store.kinds import Outcome, Role
from villagehelper.store.models import (
    Base,
    HelpSession,
    Household,
    Member,
    OutboxEntry,
    SessionVoid,
    Setting,
    TeamMember,
    Village,
)
from villagehelper.store.search_index import indexed_documents, rebuild_all
from villagehelper.tally.tables import TallyDay
from villagehelper.text import parse_phone, search_key


class Sizes(TypedDict):
    households: int
    sessions: int


SMALL = Sizes(households=120, sessions=500)
SHAPE = Sizes(households=500, sessions=3000)  # big enough for shares to be stable
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Demo:
    store: Store
    summary: DemoSummary


def _open_demo(path: Path, sizes: Sizes, seed: int = 2025) -> Demo:
    store = open_store(path, clock=FakeClock())
    return Demo(store, generate_demo(store, seed=seed, **sizes))


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Demo]:
    demo = _open_demo(tmp_path / "small", SMALL)
    yield demo
    demo.store.close()


@pytest.fixture(scope="module")
def shaped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    # Read-only tests share one larger demo.
    demo = _open_demo(tmp_path_factory.mktemp("shape"), SHAPE)
    yield demo
    demo.store.close()


def _dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in a stable order, the laptop's own device id masked."""
    # The service catalog is the migration's seed, not demo data.
    assert TallyDay.__tablename__ in Base.metadata.tables  # the summaries are dumped too
    tables = [
        *sorted(set(Base.metadata.tables) - {"services"}),
        "household_search",
        "household_search_ids",
    ]
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as connection:
        for table in tables:
            rows = connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()
            dump[table] = [
                tuple(
                    v.replace(store.device_id, "<device>") if isinstance(v, str) else v for v in row
                )
                for row in rows
                if not (table == "settings" and row[0] == "device_id")
            ]
    return dump


def _all(session: Session, model: type[Any]) -> list[Any]:
    return list(session.scalars(select(model)))


# --- reproducibility -----------------------------------------------------------------


def test_same_seed_and_clock_give_identical_rows_and_ids(tmp_path: Path) -> None:
    first = _open_demo(tmp_path / "a", SMALL)
    second = _open_demo(tmp_path / "b", SMALL)
    other = _open_demo(tmp_path / "c", SMALL, seed=7)
    try:
        assert first.store.device_id != second.store.device_id
        assert first.summary == second.summary
        first_dump, second_dump = _dump(first.store), _dump(second.store)
        assert first_dump == second_dump
        assert len(first_dump["help_sessions"]) == SMALL["sessions"]
        other_dump = _dump(other.store)
        assert other_dump["households"] != first_dump["households"]
        first_ids = {row[0] for row in first_dump["households"]}
        assert first_ids.isdisjoint(row[0] for row in other_dump["households"])
    finally:
        for demo in (first, second, other):
            demo.store.close()


def test_summary_counts_what_was_written(small: Demo) -> None:
    summary = small.summary
    with small.store.reading() as session:
        assert summary.commune_name == "Xã Gia Lộc"
        assert summary.villages == len(_all(session, Village))
        assert summary.team_members == len(_all(session, TeamMember))
        assert summary.households == SMALL["households"] == len(_all(session, Household))
        assert summary.members == len(_all(session, Member))
        assert summary.sessions == SMALL["sessions"] == len(_all(session, HelpSession))
        assert summary.voided == len(_all(session, SessionVoid))


def test_progress_reaches_the_total_and_never_goes_back(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    store = open_store(tmp_path / "p", clock=FakeClock())
    try:
        generate_demo(
            store, households=50, sessions=200, progress=lambda d, t: calls.append((d, t))
        )
    finally:
        store.close()
    assert calls[0] == (0, 250)
    assert calls[-1] == (250, 250)
    done = [d for d, _ in calls]
    assert done == sorted(done)


# --- indistinguishable from data entered through the core operations ------------------


def test_every_row_has_one_outbox_entry_equal_to_its_row_payload(small: Demo) -> None:
    with small.store.reading() as session:
        entries = _all(session, OutboxEntry)
        seen: Counter[tuple[str, str]] = Counter()
        for entry in entries:
            row: Any = session.get(ENTITIES[entry.entity], entry.row_id)
            assert row is not None, entry.row_id
            expected = row_payload(row)
            assert entry.payload == json.dumps(expected, ensure_ascii=False, sort_keys=True)
            assert entry.op == "insert"
            assert entry.base_version is None
            assert entry.created_at == row.updated_at
            assert uuid.UUID(entry.change_id).version == 7
            seen[(entry.entity, entry.row_id)] += 1
        assert set(seen.values()) == {1}
        row_count = sum(
            len(_all(session, ENTITIES[entity]))
            for entity in (
                "village",
                "team_member",
                "household",
                "member",
                "help_session",
                "session_void",
            )
        )
        assert len(entries) == row_count
        # The outbox is in time order, parents before the rows that point at them.
        created = [entry.created_at for entry in sorted(entries, key=lambda e: e.seq)]
        assert created == sorted(created)


def test_rows_carry_fresh_local_sync_metadata(small: Demo) -> None:
    with small.store.reading() as session:
        for model in (Village, TeamMember, Household, Member, HelpSession, SessionVoid):
            for row in _all(session, model):
                assert row.sync_state == "dirty"
                assert row.server_version is None
                assert row.base_version is None
                assert row.deleted is False
                assert row.updated_at.tzinfo is not None


def test_derived_keys_equal_what_refresh_derived_computes(small: Demo) -> None:
    with small.store.reading() as session:
        for village in _all(session, Village):
            probe_village = Village(name=village.name)
            probe_village.refresh_derived()
            assert village.name_key == probe_village.name_key
        for household in _all(session, Household):
            probe_household = Household(head_name=household.head_name)
            probe_household.refresh_derived()
            assert household.head_sort_key == probe_household.head_sort_key
        for member in _all(session, Member):
            probe_member = Member(full_name=member.full_name)
            probe_member.refresh_derived()
            assert member.name_sort_key == probe_member.name_sort_key


def test_search_index_equals_a_full_rebuild(small: Demo) -> None:
    with small.store.transaction() as session:
        written = indexed_documents(session.connection())
        rebuild_all(session.connection())
        rebuilt = indexed_documents(session.connection())
        session.rollback()
    assert len(written) == SMALL["households"]
    assert written == rebuilt


def test_ids_are_uuid7_made_at_the_event_time(small: Demo) -> None:
    with small.store.reading() as session:
        for model in (Village, TeamMember, Household, Member, HelpSession, SessionVoid):
            for row in _all(session, model):
                assert is_valid_id(row.id)
                assert uuid.UUID(row.id).version == 7
        for hs in _all(session, HelpSession):
            for made in (hs.id, hs.visit_id):
                unix_ms = uuid.UUID(made).int >> 80
                assert unix_ms == (hs.occurred_at - _EPOCH) // timedelta(milliseconds=1)


def test_voids_are_events_and_mark_their_session(shaped: Demo) -> None:
    now = shaped.store.now()
    with shaped.store.reading() as session:
        voids = _all(session, SessionVoid)
        voided = {hs.id: hs for hs in _all(session, HelpSession) if hs.voided}
    assert 0.003 < len(voids) / SHAPE["sessions"] < 0.02
    assert {v.session_id for v in voids} == set(voided)
    assert len(voids) == len(voided) == shaped.summary.voided
    for void in voids:
        target = voided[void.session_id]
        assert target.occurred_at <= void.voided_at <= now
        assert void.reason
        assert void.device_id == target.device_id == shaped.store.device_id


def test_the_data_dir_is_flagged_as_demo(small: Demo) -> None:
    with small.store.reading() as session:
        setting = session.get(Setting, DEMO_SETTING)
        commune = small.store.commune()
    assert setting is not None and setting.value == "1"
    assert commune is not None and commune.code == "10999"
    assert commune.province_name == "Thành phố Hải Phòng"


# --- realistic shape -------------------------------------------------------------------


def test_names_are_nfc_vietnamese_with_every_kind_of_mark(shaped: Demo) -> None:
    with shaped.store.reading() as session:
        names = [m.full_name for m in _all(session, Member)]
        names += [t.full_name for t in _all(session, TeamMember)]
        heads = [h.head_name for h in _all(session, Household)]
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    letters = set("".join(names))
    assert set("ỹựằẫộĐơưăâêô") <= letters
    assert all(3 <= len(name.split()) <= 4 for name in names)
    families = Counter(name.split()[0] for name in heads)
    assert 0.30 < families["Nguyễn"] / len(heads) < 0.46
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert len(families) >= 12


def test_households_look_like_a_rural_commune(shaped: Demo) -> None:
    this_year = vietnam_today(shaped.store.now()).year
    with shaped.store.reading() as session:
        members = _all(session, Member)
        households = _all(session, Household)
        villages = _all(session, Village)
        volunteers = _all(session, TeamMember)
    sizes = Counter(m.household_id for m in members)
    assert set(sizes.values()) <= set(range(1, 7))
    assert len(sizes) == len(households)
    years = [m.birth_year for m in members if m.birth_year is not None]
    assert all(1900 <= year <= this_year for year in years)
    elderly = sum(1 for year in years if this_year - year >= 60)
    assert elderly / len(years) > 0.18  # many residents are elderly
    consenting = [m for m in members if m.consent]
    assert len(consenting) / len(members) > 0.75
    assert all((m.consent_date is not None) == m.consent for m in members)
    phones = [p for p in [*(m.phone for m in members), *(h.phone for h in households)] if p]
    assert len(phones) > len(households) // 2
    for phone in phones:
        assert parse_phone(phone).national == phone
        assert len(phone) == 10 and phone[:2] in {"03", "05", "07", "08", "09"}
    assert 6 <= len(villages) <= 10
    for village in villages:
        team_of_village = [t for t in volunteers if t.village_id == village.id]
        assert 4 <= len(team_of_village) <= 6
        assert sum(t.role == Role.LEADER for t in team_of_village) == 1


def test_sessions_span_a_year_with_a_realistic_mix(shaped: Demo) -> None:
    now = shaped.store.now()
    with shaped.store.reading() as session:
        sessions = _all(session, HelpSession)
    times = [hs.occurred_at for hs in sessions]
    assert max(times) < now
    assert min(times) > now - timedelta(days=366)
    assert max(times) - min(times) > timedelta(days=330)
    hours = Counter(to_vietnam(t).hour for t in times)
    assert set(hours) <= set(range(7, 22))  # sittings: morning, afternoon, evening
    months = Counter((t.year, t.month) for t in times)
    assert max(months.values()) > 2 * min(months.values())  # campaign peaks, Tết dip

    services = Counter(hs.service_code for hs in sessions)
    assert len(services) >= 12
    assert {code for code, _ in services.most_common(2)} == {"VNEID_L1", "VNEID_L2"}
    assert services["ECOMMERCE_OCOP"] / len(sessions) < 0.02

    outcomes = Counter(hs.outcome for hs in sessions)
    assert 0.72 < outcomes[Outcome.DONE] / len(sessions) < 0.88
    assert 0.07 < outcomes[Outcome.FOLLOW_UP] / len(sessions) < 0.18
    assert 0.04 < outcomes[Outcome.FAILED] / len(sessions) < 0.12
    for hs in sessions:
        day = to_vietnam(hs.occurred_at).date()
        if hs.outcome == Outcome.FOLLOW_UP:
            assert hs.follow_up_date is not None
            assert day < hs.follow_up_date <= day + timedelta(days=14)
        else:
            assert hs.follow_up_date is None
        assert bool(hs.failure_reason) == (hs.outcome == Outcome.FAILED)
    reasons = {hs.failure_reason for hs in sessions if hs.failure_reason}
    assert "Điện thoại không hỗ trợ NFC" in reasons and "Chưa có CCCD gắn chip" in reasons


def test_visits_group_one_to_three_services_of_one_person(shaped: Demo) -> None:
    with shaped.store.reading() as session:
        sessions = _all(session, HelpSession)
        volunteer_village = {t.id: t.village_id for t in _all(session, TeamMember)}
        household_village = {h.id: h.village_id for h in _all(session, Household)}
        member_household = {m.id: m.household_id for m in _all(session, Member)}
    visits: dict[str, list[HelpSession]] = {}
    for hs in sessions:
        visits.setdefault(hs.visit_id, []).append(hs)
    sizes = Counter(len(group) for group in visits.values())
    assert set(sizes) <= {1, 2, 3}
    assert sizes[2] > 0 and sizes[3] > 0
    for group in visits.values():
        first = group[0]
        assert len({hs.service_code for hs in group}) == len(group)
        for hs in group:
            assert (hs.occurred_at, hs.household_id, hs.member_id, hs.volunteer_id) == (
                first.occurred_at,
                first.household_id,
                first.member_id,
                first.volunteer_id,
            )
        # The village's own team helps its households.
        assert volunteer_village[first.volunteer_id] == household_village[first.household_id]
        if first.member_id is not None:
            assert member_household[first.member_id] == first.household_id


# --- refusal ---------------------------------------------------------------------------


def test_refuses_a_data_dir_that_already_has_households(store: Store) -> None:
    team.set_commune(store, "10999")
    village = team.add_village(store, "Thôn Khay")
    hh.create_household(store, HouseholdInput(village.id, "Nguyễn Thị Hệ"))
    with pytest.raises(UserError, match=r"[Dd]ữ liệu mẫu"):
        generate_demo(store, households=10, sessions=10)
    with store.reading() as session:
        assert session.get(Setting, DEMO_SETTING) is None
        assert len(_all(session, Household)) == 1


def test_refuses_to_run_twice(small: Demo) -> None:
    with pytest.raises(UserError):
        generate_demo(small.store, **SMALL)
    assert len(_dump(small.store)["help_sessions"]) == SMALL["sessions"]


def test_refuses_nonsense_sizes(store: Store) -> None:
    with pytest.raises(ValueError):
        generate_demo(store, households=0, sessions=10)


# --- the core operations work on demo data ---------------------------------------------


def test_search_finds_demo_households_typed_without_diacritics(shaped: Demo) -> None:
    with shaped.store.reading() as session:
        household = session.scalars(select(Household).where(Household.phone.is_not(None))).first()
    assert household is not None and household.phone is not None
    typed = search_key(household.head_name)
    result = hh.find_households(shaped.store, typed, limit=500)
    assert household.id in {hit.id for hit in result.hits}
    by_phone = hh.find_households(shaped.store, household.phone[-6:])
    assert household.id in {hit.id for hit in by_phone.hits}
    detail = hh.get_household(shaped.store, household.id)
    assert detail.members


def test_session_lists_and_follow_ups_work_on_demo_data(shaped: Demo) -> None:
    store = shaped.store
    newest = list_sessions(store, limit=20)
    assert len(newest) == 20
    assert [row.occurred_at for row in newest] == sorted(
        (row.occurred_at for row in newest), reverse=True
    )
    assert count_sessions(store) == SHAPE["sessions"] - shaped.summary.voided
    today = vietnam_today(store.now())
    last_month = SessionFilter(start=today - timedelta(days=30), end=today)
    assert 0 < count_sessions(store, last_month) < SHAPE["sessions"]
    open_follow_ups = follow_ups(store, until=today + timedelta(days=30))
    statuses = Counter(item.status for item in open_follow_ups)
    assert statuses[FollowUpStatus.OVERDUE] > 0
    assert statuses[FollowUpStatus.UPCOMING] > 0
    all_follow_ups = count_sessions(store, SessionFilter(outcome=Outcome.FOLLOW_UP))
    assert len(open_follow_ups) < all_follow_ups  # returning residents closed many


def test_a_visit_can_be_logged_on_top_of_demo_data(small: Demo) -> None:
    store = small.store
    volunteer = team.list_team_members(store)[0]
    with store.reading() as session:
        household = session.scalars(
            select(Household).where(Household.village_id == volunteer.village_id)
        ).first()
    assert household is not None
    logged = ss.log_visit(
        store,
        VisitInput(household.id, volunteer.id, [ServiceOutcome("VNEID_L2")]),
    )
    history = household_history(store, household.id)
    assert history[0].id == logged.session_ids[0]
    assert len(history) > 1 or history[0].household_id == household.id
