"""Issue 14, finding 8: a households import plans and writes a few hundred households at a
time, so its memory does not grow with the file — and keeps every promise it made when it
planned the whole file first.

Most tests shrink the batch to three households so that a ten-household file crosses
several batches: a member id repeated in a later batch is still refused, a bad row in the
last batch still leaves the laptop as it was (the earlier batches' writes rolled back)
and is listed with every other bad row, a household whose rows lie far apart is still
one household, villages and progress come out as before.  How much memory the import
takes is measured by ``benchmarks/import_memory.py``, not here; the last test only pins
that the rows are parsed a batch at a time rather than all at once.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import Team
from tests.test_transfer_support import counts, outbox_ops, search_documents, snapshot
from villagehelper.ids import new_id
from villagehelper.store.engine import Store
from villagehelper.store.models import (
    HelpSession,
    Household,
    Member,
    OutboxEntry,
    TeamMember,
    Village,
)
from villagehelper.transfer import household_plan, session_plan
from villagehelper.transfer.households import export_households, import_households
from villagehelper.transfer.packed import PackedRows
from villagehelper.transfer.report import ImportRejected
from villagehelper.transfer.sessions import import_sessions
from villagehelper.transfer.tabular import RawRow

SMALL_BATCH = 3
HEADER = ["Mã xã", "Thôn", "Chủ hộ", "Địa chỉ", "Số điện thoại hộ", "Họ tên", "Năm sinh"]
WITH_IDS = [*HEADER, "Mã nhân khẩu"]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # raising=False: the same tests run against the import that planned the whole file.
    monkeypatch.setattr(household_plan, "BATCH_HOUSEHOLDS", SMALL_BATCH, raising=False)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _household(n: int, village: str = "Thôn Khay", year: str = "1970") -> list[str]:
    """One household of one person (its head); the line it lands on is n + 1."""
    head = f"Nguyễn Văn Hộ {n}"
    return ["10999", village, head, f"Xóm {n}", "", head, year]


def _state(store: Store) -> tuple[object, ...]:
    return snapshot(store), counts(store), outbox_ops(store), search_documents(store)


def _refused_leaving_the_laptop_as_it_was(
    store: Store, do_import: Callable[[Store, Path], object], path: Path
) -> dict[int, str]:
    """The file is rejected and nothing it wrote stays; its problems by line."""
    before = _state(store)
    with pytest.raises(ImportRejected) as rejected:
        do_import(store, path)
    assert _state(store) == before
    return {problem.line: problem.message_vi for problem in rejected.value.problems}


@pytest.mark.usefixtures("small_batches")
def test_a_member_id_repeated_in_a_later_batch_is_refused_and_nothing_goes_in(
    village_team: Team, tmp_path: Path
) -> None:
    ids = [new_id() for _ in range(10)]
    rows = [[*_household(n), ids[n - 1]] for n in range(1, 11)]
    rows[8][-1] = ids[0]  # household 9 (line 10) names household 1's person (line 2)
    path = _write(tmp_path / "ho.csv", WITH_IDS, rows)
    problems = _refused_leaving_the_laptop_as_it_was(village_team.store, import_households, path)

    assert problems == {10: "Mã nhân khẩu này đã có ở dòng 2."}


@pytest.mark.usefixtures("small_batches")
def test_a_bad_row_in_the_last_batch_rolls_back_the_batches_written_before_it(
    village_team: Team, tmp_path: Path
) -> None:
    # The first batches name a village the laptop lacks: it would be made with them.
    rows = [_household(n, village="Thôn Mới") for n in range(1, 11)]
    rows[1][-1] = "năm xưa"  # line 3
    rows[9][-1] = "19700"  # line 11, in the last batch
    path = _write(tmp_path / "ho.csv", HEADER, rows)
    problems = _refused_leaving_the_laptop_as_it_was(village_team.store, import_households, path)

    assert sorted(problems) == [3, 11]  # every bad row, not only the first
    with village_team.store.reading() as session:
        assert session.scalars(select(Village).where(Village.name == "Thôn Mới")).all() == []


@pytest.mark.usefixtures("small_batches")
def test_a_bad_row_alone_in_the_last_batch_still_rolls_back_everything(
    village_team: Team, tmp_path: Path
) -> None:
    rows = [_household(n) for n in range(1, 11)]
    rows[9][-1] = "năm xưa"  # line 11: the first nine households were already written
    path = _write(tmp_path / "ho.csv", HEADER, rows)
    problems = _refused_leaving_the_laptop_as_it_was(village_team.store, import_households, path)

    assert sorted(problems) == [11]


@pytest.mark.usefixtures("small_batches")
def test_rows_of_one_household_far_apart_are_still_one_household(
    village_team: Team, tmp_path: Path
) -> None:
    head = ["10999", "Thôn Khay", "Lê Văn Tám", "Xóm Bãi", "", "Lê Văn Tám", "1950"]
    spouse = ["10999", "Thôn Khay", "Lê Văn Tám", "Xóm Bãi", "0912 345 678", "Đỗ Thị Hoa", "1955"]
    rows = [head, *(_household(n) for n in range(1, 10)), spouse]
    path = _write(tmp_path / "ho.csv", HEADER, rows)

    report = import_households(village_team.store, path)

    assert (report.imported, report.members_imported) == (10, 11)
    with village_team.store.reading() as session:
        household = session.scalars(
            select(Household).where(Household.head_name == "Lê Văn Tám")
        ).one()
        names = sorted(
            m.full_name
            for m in session.scalars(select(Member).filter_by(household_id=household.id))
        )
        # The phone only the last row gives is the household's, as if the rows were adjacent.
        assert (household.phone, names) == ("0912345678", ["Lê Văn Tám", "Đỗ Thị Hoa"])


@pytest.mark.usefixtures("small_batches")
def test_rows_of_one_household_far_apart_that_disagree_are_refused_on_the_later_row(
    village_team: Team, tmp_path: Path
) -> None:
    first = ["10999", "Thôn Khay", "Lê Văn Tám", "Xóm Bãi", "0912 345 678", "Lê Văn Tám", "1950"]
    last = ["10999", "Thôn Khay", "Lê Văn Tám", "Xóm Bãi", "0987 654 321", "Đỗ Thị Hoa", "1955"]
    path = _write(
        tmp_path / "ho.csv", HEADER, [first, *(_household(n) for n in range(1, 10)), last]
    )
    problems = _refused_leaving_the_laptop_as_it_was(village_team.store, import_households, path)

    assert list(problems) == [12]
    assert "ở dòng 2" in problems[12]


@pytest.mark.usefixtures("small_batches")
def test_skipping_a_bad_household_in_a_late_batch_keeps_the_others_and_their_villages(
    village_team: Team, tmp_path: Path
) -> None:
    rows = [_household(n) for n in range(1, 11)]
    rows[7] = _household(8, village="Thôn Bỏ")  # line 9: its household is skipped
    bad_member = [*_household(8, village="Thôn Bỏ")[:5], "Nguyễn Thị Tám", "năm xưa"]
    rows.insert(8, bad_member)  # line 10
    rows[-1] = _household(10, village="Thôn Sau")  # line 12, the last batch's new village
    path = _write(tmp_path / "ho.csv", HEADER, rows)

    report = import_households(village_team.store, path, skip_invalid=True)

    assert (report.imported, report.members_imported, report.villages_created) == (9, 9, 1)
    assert report.skipped_lines == (9, 10)
    assert {p.line: p.message_vi for p in report.skipped}[
        9
    ] == "Bỏ qua vì cùng hộ với dòng 10 bị lỗi."
    store = village_team.store
    with store.reading() as session:
        villages = set(session.scalars(select(Village.name)))
        assert "Thôn Sau" in villages and "Thôn Bỏ" not in villages
        sau = session.scalars(select(Village).where(Village.name == "Thôn Sau")).one()
        household = session.scalars(select(Household).where(Household.village_id == sau.id)).one()
        order = [
            (entry.entity, entry.row_id)
            for entry in session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))
        ]
    # The village travels before the household that lives in it.
    assert order.index(("village", sau.id)) < order.index(("household", household.id))


@pytest.mark.usefixtures("small_batches")
def test_importing_the_export_again_across_batches_changes_nothing(
    village_team: Team, tmp_path: Path
) -> None:
    rows = [_household(n) for n in range(1, 11)]
    rows.insert(4, [*_household(4)[:5], "Trần Thị Bốn", "1972"])  # two people in household 4
    import_households(village_team.store, _write(tmp_path / "ho.csv", HEADER, rows))
    exported = tmp_path / "xuat.csv"
    export_households(village_team.store, exported)
    before = _state(village_team.store)

    again = import_households(village_team.store, exported)
    # A list without ids matches the same records by name, batch by batch.
    by_name = import_households(village_team.store, tmp_path / "ho.csv")

    assert (again.imported, again.updated, again.unchanged) == (0, 0, 10)
    assert (by_name.imported, by_name.updated, by_name.unchanged) == (0, 0, 10)
    assert _state(village_team.store) == before


@pytest.mark.usefixtures("small_batches")
def test_progress_rises_to_its_total_across_batches(village_team: Team, tmp_path: Path) -> None:
    path = _write(tmp_path / "ho.csv", HEADER, [_household(n) for n in range(1, 601)])
    seen: list[tuple[int, int]] = []

    import_households(
        village_team.store, path, progress=lambda done, total: seen.append((done, total))
    )

    assert {total for _, total in seen} == {2 * 600}
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= 3 and seen[-1] == (2 * 600, 2 * 600)


def test_rows_are_parsed_a_batch_at_a_time_not_all_at_once(
    village_team: Team, tmp_path: Path
) -> None:
    """The real batch size: a file of 1,600 two-person households (3,200 rows).  When
    the import reports progress, the rows it holds parsed are at most two batches'."""
    rows: list[list[str]] = []
    for n in range(1, 1601):
        rows.append(_household(n))
        rows.append([*_household(n)[:5], f"Trần Thị {n}", "1975"])
    path = _write(tmp_path / "ho.csv", HEADER, rows)
    batch_rows = 2 * getattr(household_plan, "BATCH_HOUSEHOLDS", 500)
    held: list[int] = []

    def count_parsed_rows(done: int, total: int) -> None:
        gc.collect()
        held.append(sum(1 for item in gc.get_objects() if type(item) is household_plan._Row))

    report = import_households(village_team.store, path, progress=count_parsed_rows)

    assert (report.imported, report.members_imported) == (1600, 3200)
    assert held and max(held) <= 2 * batch_rows < len(rows)


# --- sessions ---------------------------------------------------------------------------

SESSION_HEADER = [
    "Ngày hỗ trợ",
    "Chủ hộ",
    "Thôn",
    "Nội dung hỗ trợ",
    "Kết quả",
    "Lý do",
    "Người hỗ trợ",
]


@pytest.fixture
def small_session_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_plan, "BATCH_ROWS", SMALL_BATCH, raising=False)


@pytest.fixture
def six_households(village_team: Team, tmp_path: Path) -> Store:
    rows = [_household(n) for n in range(1, 7)]
    import_households(village_team.store, _write(tmp_path / "ho.csv", HEADER, rows))
    return village_team.store


def _session(n: int, when: str = "20/11/2026 09:30", service: str = "vssid") -> list[str]:
    """A session given to household n by a volunteer of the team."""
    return [when, f"Nguyễn Văn Hộ {n}", "Thôn Khay", service, "Thành công", "", "Nguyễn Thị Hệ"]


@pytest.mark.usefixtures("small_session_batches")
def test_a_session_repeated_in_a_later_batch_is_refused_and_nothing_goes_in(
    six_households: Store, tmp_path: Path
) -> None:
    rows = [_session(n) for n in range(1, 7)]
    rows.append(_session(1))  # line 8 repeats line 2, two batches later
    path = _write(tmp_path / "luot.csv", SESSION_HEADER, rows)
    problems = _refused_leaving_the_laptop_as_it_was(six_households, import_sessions, path)

    assert list(problems) == [8]
    assert "Trùng với dòng 2" in problems[8]


@pytest.mark.usefixtures("small_session_batches")
def test_a_bad_session_in_the_last_batch_rolls_back_the_batches_written_before_it(
    six_households: Store, tmp_path: Path
) -> None:
    rows = [_session(n) for n in range(1, 7)]
    rows[0][-1] = "Đoàn Văn Mới"  # a volunteer the laptop lacks: made with the first batch
    rows[5][3] = "không có loại này"  # line 7
    path = _write(tmp_path / "luot.csv", SESSION_HEADER, rows)
    problems = _refused_leaving_the_laptop_as_it_was(six_households, import_sessions, path)

    assert list(problems) == [7]


@pytest.mark.usefixtures("small_session_batches")
def test_across_batches_a_new_volunteer_is_made_once_and_one_visit_stays_one_visit(
    six_households: Store, tmp_path: Path
) -> None:
    rows = [_session(n) for n in range(1, 7)]
    rows[0][-1] = rows[4][-1] = "Đoàn Văn Mới"  # lines 2 and 6, different batches
    rows.append(_session(1, service="vneid_l1"))  # line 8: household 1's visit of line 2?
    rows[-1][-1] = "Đoàn Văn Mới"  # yes: same household, moment and volunteer
    path = _write(tmp_path / "luot.csv", SESSION_HEADER, rows)

    report = import_sessions(six_households, path)

    assert (report.imported, report.volunteers_created) == (7, 1)
    with six_households.reading() as session:
        volunteers = session.scalars(
            select(TeamMember).where(TeamMember.full_name == "Đoàn Văn Mới")
        ).all()
        visits = session.execute(
            select(HelpSession.visit_id, HelpSession.volunteer_id)
            .join(Household, Household.id == HelpSession.household_id)
            .where(Household.head_name == "Nguyễn Văn Hộ 1")
        ).all()
    assert len(volunteers) == 1
    assert len(visits) == 2 and len({visit for visit, _ in visits}) == 1
    assert {volunteer for _, volunteer in visits} == {volunteers[0].id}


@pytest.mark.usefixtures("small_session_batches")
def test_skipping_a_bad_session_in_a_late_batch_keeps_the_rest_and_makes_no_volunteer_for_it(
    six_households: Store, tmp_path: Path
) -> None:
    rows = [_session(n) for n in range(1, 7)]
    rows[5][3] = "không có loại này"  # line 7, and its volunteer is named nowhere else
    rows[5][-1] = "Đoàn Văn Mới"
    path = _write(tmp_path / "luot.csv", SESSION_HEADER, rows)

    report = import_sessions(six_households, path, skip_invalid=True)

    assert (report.imported, report.volunteers_created, report.skipped_lines) == (5, 0, (7,))
    again = import_sessions(six_households, path, skip_invalid=True)
    assert (again.imported, again.unchanged, again.skipped_lines) == (0, 5, (7,))


def test_sessions_are_planned_a_batch_at_a_time_not_all_at_once(
    six_households: Store, tmp_path: Path
) -> None:
    """The real batch size: 2,500 sessions.  When the import reports progress, the
    sessions it holds planned are at most two batches'."""
    rows = []
    for n in range(2500):
        day, minute = divmod(n, 600)
        when = f"{10 + day:02d}/11/2026 {7 + minute // 60:02d}:{minute % 60:02d}"
        rows.append(_session(1 + n % 6, when=when))
    path = _write(tmp_path / "luot.csv", SESSION_HEADER, rows)
    batch_rows = getattr(session_plan, "BATCH_ROWS", 1000)
    held: list[int] = []

    def count_planned(done: int, total: int) -> None:
        gc.collect()
        held.append(
            sum(1 for item in gc.get_objects() if type(item) is session_plan._PlannedSession)
        )

    report = import_sessions(six_households, path, progress=count_planned)

    assert report.imported == 2500
    assert held and max(held) <= 2 * batch_rows < len(rows)


@given(st.lists(st.tuples(st.integers(1, 10**6), st.lists(st.text(), max_size=8)), max_size=20))
def test_packed_rows_give_back_every_cell_as_read(rows: list[tuple[int, list[str]]]) -> None:
    """Any text a file may hold (lone surrogates, control and bidi characters, empty
    cells) comes back equal from the packed rows, and a taken row is gone for good."""
    raw = [RawRow(line, tuple(cells)) for line, cells in rows]
    packed = PackedRows()
    for row in raw:
        packed.append(row)

    assert len(packed) == len(raw) and list(packed) == raw
    for index in reversed(range(len(raw))):
        assert packed.take(index) == raw[index]
        with pytest.raises(LookupError):
            packed[index]
    assert len(packed) == len(raw)  # the count of rows read is still known
