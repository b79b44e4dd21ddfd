"""Property: whatever volunteers typed, export → import into an empty data dir gives back
the same records, ids included, through CSV and XLSX alike."""

from __future__ import annotations

import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import START, FakeClock
from tests.test_transfer_support import snapshot
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops import team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.store.engine import open_store
from villagehelper.text import search_key
from villagehelper.transfer.households import export_households, import_households
from villagehelper.transfer.sessions import export_sessions, import_sessions

_LOWER = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
_LETTERS = _LOWER + _LOWER.upper()
_SERVICES = ["VNEID_L1", "VNEID_L2", "DVC_ACCOUNT", "EHEALTH", "VSSID", "BANK_ACCOUNT"]

_word = st.text(_LETTERS, min_size=1, max_size=8)
_spacing = st.sampled_from([" ", "  ", "\t", " \u00a0"])


@st.composite
def _typed_name(draw: st.DrawFn) -> str:
    """A name as a keyboard might deliver it: NFC or NFD, with stray spaces."""
    words = draw(st.lists(_word, min_size=1, max_size=4))
    text = draw(_spacing).join(words)
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    return draw(st.sampled_from(["", " ", "  "])) + text + draw(st.sampled_from(["", " "]))


_note = st.one_of(
    st.just(""),
    st.tuples(
        st.sampled_from(["", "=", "+", "-", "@", "'", "'=", "=SUM(A1)", '"']),
        st.text(_LETTERS + " ,;\"'=+-@\n0123456789", max_size=40),
    ).map("".join),
)


@st.composite
def _phone(draw: st.DrawFn) -> str | None:
    if draw(st.booleans()):
        return None
    digits = draw(st.sampled_from(["9", "8", "7", "3", "5"])) + draw(
        st.text("0123456789", min_size=8, max_size=8)
    )
    return draw(st.sampled_from(["0{}", "+84 {}", "84{}"])).format(digits)


_member = st.builds(
    MemberInput,
    full_name=_typed_name(),
    birth_year=st.none() | st.integers(1900, 2026),
    phone=_phone(),
    consent=st.booleans(),
    consent_date=st.none() | st.dates(date(2020, 1, 1), date(2026, 11, 23)),
)


@dataclass(frozen=True)
class _Visit:
    household: int
    member: int | None
    service: int
    outcome: str
    day_offset: int
    minutes_ago: int
    microseconds: int
    note: str
    voided: bool


_visit = st.builds(
    _Visit,
    household=st.integers(0, 10),
    member=st.none() | st.integers(0, 5),
    service=st.integers(0, len(_SERVICES) - 1),
    outcome=st.sampled_from(["done", "follow_up", "failed"]),
    day_offset=st.integers(1, 200),
    minutes_ago=st.integers(0, 60 * 24 * 400),
    microseconds=st.integers(0, 999_999),
    note=_note,
    voided=st.booleans(),
)


@st.composite
def _households(draw: st.DrawFn) -> list[tuple[HouseholdInput, list[MemberInput]]]:
    count = draw(st.integers(1, 6))
    return [
        (
            HouseholdInput(
                village_id=str(draw(st.integers(0, 2))),
                head_name=draw(_typed_name()),
                address_detail=draw(st.sampled_from(["", "Xóm 1", " số 5,  ngõ 3 "])),
                phone=draw(_phone()),
                notes=draw(_note),
            ),
            draw(st.lists(_member, max_size=3)),
        )
        for _ in range(count)
    ]


@settings(max_examples=25, deadline=None)
@given(
    villages=st.lists(_typed_name(), min_size=3, max_size=3, unique_by=search_key),
    households=_households(),
    visits=st.lists(_visit, max_size=8),
    fmt=st.sampled_from(["csv", "xlsx"]),
)
def test_export_then_import_gives_back_the_same_records(
    villages: list[str],
    households: list[tuple[HouseholdInput, list[MemberInput]]],
    visits: list[_Visit],
    fmt: str,
) -> None:
    clock = FakeClock()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = open_store(work / "source", clock=clock)
        target = open_store(work / "target", clock=clock)
        try:
            team.set_commune(source, "10999")
            village_ids = [team.add_village(source, name).id for name in villages]
            volunteer = team.add_team_member(source, "Nguyễn Thị Hệ").id
            saved = []
            for data, members in households:
                village_id = village_ids[int(data.village_id)]
                household_id = hh.create_household(
                    source,
                    HouseholdInput(
                        village_id, data.head_name, data.address_detail, data.phone, data.notes
                    ),
                    members,
                ).id
                saved.append(hh.get_household(source, household_id))
            for visit in visits:
                household = saved[visit.household % len(saved)]
                member = (
                    household.members[visit.member % len(household.members)].id
                    if visit.member is not None and household.members
                    else None
                )
                logged = ss.log_visit(
                    source,
                    VisitInput(
                        household.id,
                        volunteer,
                        [
                            ServiceOutcome(
                                _SERVICES[visit.service],
                                visit.outcome,
                                date(2026, 11, 23) + timedelta(days=visit.day_offset),
                                "Không có mạng" if visit.outcome == "failed" else "",
                            )
                        ],
                        member_id=member,
                        note=visit.note,
                        occurred_at=START
                        - timedelta(minutes=visit.minutes_ago, microseconds=visit.microseconds),
                    ),
                )
                if visit.voided:
                    ss.void_session(source, logged.session_ids[0], volunteer)

            export_households(source, work / f"households.{fmt}")
            export_sessions(source, work / f"sessions.{fmt}")
            import_households(target, work / f"households.{fmt}")
            import_sessions(target, work / f"sessions.{fmt}")

            assert snapshot(target) == snapshot(source)
        finally:
            source.close()
            target.close()
