"""Import and export of households and help sessions (CSV and XLSX)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from tests.conftest import FakeClock, Team
from tests.test_transfer_support import counts, outbox_ops, search_documents, snapshot
from villagehelper.clock import VIETNAM
from villagehelper.errors import UserError
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops import team
from villagehelper.ops.duplicates import merge_households
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import household_history, list_sessions
from villagehelper.store import search_index
from villagehelper.store.engine import Store, open_store
from villagehelper.store.kinds import VillageKind
from villagehelper.store.models import Household, Member, OutboxEntry
from villagehelper.transfer.households import export_households, import_households
from villagehelper.transfer.report import ImportRejected
from villagehelper.transfer.sessions import export_sessions, import_sessions

FORMATS = ["csv", "xlsx"]


@dataclass
class Filled:
    store: Store
    household_id: str
    member_id: str
    voided_id: str


@pytest.fixture
def filled(village_team: Team, clock: FakeClock) -> Filled:
    """Households with tricky text, members with consent, and every kind of session."""
    store = village_team.store
    first = hh.create_household(
        store,
        HouseholdInput(
            village_team.village_id,
            "Nguyễn Văn Hoà",
            "Xóm Đông, số 5",
            "0912 345 678",
            '=HYPERLINK("x")',
        ),
        [
            MemberInput("Nguyễn Văn Hoà", 1956, None, True),
            MemberInput("Trần Thị Ánh", 1960, "+84 387 654 321"),
            MemberInput("Nguyễn Hoà Bình", None, "0220 375 1234", True, date(2026, 11, 1)),
        ],
    )
    hh.create_household(
        store, HouseholdInput(village_team.other_village_id, "Lê Thị Cúc", notes="'quote")
    )
    hh.create_household(
        store,
        HouseholdInput(village_team.village_id, "Phạm Đức Độ", notes="-5 + @ và ghi chú"),
        [MemberInput("Phạm Đức Độ", 1948)],
    )
    member_id = hh.get_household(store, first.id).members[0].id
    visit = ss.log_visit(
        store,
        VisitInput(
            first.id,
            village_team.member_id,
            [
                ServiceOutcome("VNEID_L1"),
                ServiceOutcome("VNEID_L2", "follow_up", date(2026, 12, 1)),
                ServiceOutcome("EHEALTH", "failed", failure_reason="Chưa có VNeID mức 2"),
            ],
            member_id=member_id,
            note="+ghi chú, có dấu phẩy",
        ),
    )
    clock.advance(hours=1)
    ss.log_visit(
        store,
        VisitInput(first.id, village_team.leader_id, [ServiceOutcome("DIGITAL_SKILLS")]),
    )
    ss.void_session(store, visit.session_ids[0], village_team.leader_id, "Ghi nhầm")
    ss.correct_session(
        store,
        visit.session_ids[2],
        village_team.leader_id,
        ServiceOutcome("EHEALTH"),
        "Đã làm lại",
    )
    return Filled(store, first.id, member_id, visit.session_ids[0])


@pytest.fixture
def other(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    """An empty data dir, as on a new laptop."""
    opened = open_store(tmp_path / "other", clock=clock)
    yield opened
    opened.close()


def _write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = True
) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


# --- round trips -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_reproduces_every_record_with_its_id(
    filled: Filled, other: Store, tmp_path: Path, fmt: str
) -> None:
    households_file = tmp_path / f"households.{fmt}"
    sessions_file = tmp_path / f"sessions.{fmt}"
    assert export_households(filled.store, households_file) == 5  # 3 + 1 + 1 rows
    assert export_sessions(filled.store, sessions_file) == 5

    households = import_households(other, households_file)
    sessions = import_sessions(other, sessions_file)

    assert snapshot(other) == snapshot(filled.store)
    assert (households.imported, households.members_imported) == (3, 4)
    assert households.villages_created == 2
    assert (sessions.imported, sessions.volunteers_created) == (5, 2)
    assert other.commune() is not None and other.commune().code == "10999"  # type: ignore[union-attr]
    # The search index is what a full rebuild would give.
    before = search_documents(other)
    with other.transaction() as session:
        search_index.rebuild_all(session.connection())
    assert search_documents(other) == before
    assert [hit.id for hit in hh.find_households(other, "hoa binh").hits] == [filled.household_id]


def test_imported_rows_reach_the_outbox(filled: Filled, other: Store, tmp_path: Path) -> None:
    export_households(filled.store, tmp_path / "h.csv")
    export_sessions(filled.store, tmp_path / "s.csv")
    import_households(other, tmp_path / "h.csv")
    import_sessions(other, tmp_path / "s.csv")

    ops = outbox_ops(other)
    for entity, rows in snapshot(other).items():
        name = {
            "villages": "village",
            "volunteers": "team_member",
            "households": "household",
            "members": "member",
            "sessions": "help_session",
        }[entity]
        assert {(name, row[0], "insert") for row in rows} <= ops
    assert sum(1 for entity, _, _ in ops if entity == "session_void") == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_reimport_changes_nothing(filled: Filled, tmp_path: Path, fmt: str) -> None:
    export_households(filled.store, tmp_path / f"h.{fmt}")
    export_sessions(filled.store, tmp_path / f"s.{fmt}")
    before = counts(filled.store)

    households = import_households(filled.store, tmp_path / f"h.{fmt}")
    sessions = import_sessions(filled.store, tmp_path / f"s.{fmt}")

    assert (households.imported, households.updated, households.unchanged) == (0, 0, 3)
    assert (sessions.imported, sessions.updated, sessions.unchanged) == (0, 0, 5)
    assert households.updated_or_unchanged == 3
    assert counts(filled.store) == before


def test_changed_rows_become_updates_in_the_outbox(filled: Filled, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    export_households(filled.store, path)
    rows = _read_csv(path)
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("Mã hộ")] == filled.household_id:
            row[header.index("SĐT hộ")] = "0987 654 321"
        if row[header.index("Mã nhân khẩu")] == filled.member_id:
            row[header.index("Năm sinh")] = "1957"
    _write_csv(path, rows)

    report = import_households(filled.store, path)

    assert (report.updated, report.unchanged, report.members_updated) == (1, 2, 1)
    with filled.store.reading() as session:
        updates = session.scalars(
            select(OutboxEntry).where(OutboxEntry.op == "update").order_by(OutboxEntry.seq)
        ).all()
        assert [(u.entity, u.row_id, u.payload) for u in updates[-2:]] == [
            ("household", filled.household_id, '{"phone": "0987654321"}'),
            ("member", filled.member_id, '{"birth_year": 1957}'),
        ]
    assert hh.find_households(filled.store, "0987654321").hits[0].id == filled.household_id


def test_voided_in_the_file_adds_a_void_event(filled: Filled, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    export_sessions(filled.store, path)
    rows = _read_csv(path)
    header = rows[0]
    target = next(r for r in rows[1:] if r[header.index("Đã hủy")] == "")
    target[header.index("Đã hủy")] = "có"
    _write_csv(path, rows)

    report = import_sessions(filled.store, path)

    assert (report.updated, report.unchanged) == (1, 4)
    history = household_history(filled.store, filled.household_id)
    assert next(r for r in history if r.id == target[0]).voided


# --- files people make -------------------------------------------------------------


def test_commune_list_with_vietnamese_headers_and_no_ids(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "danh-sach.csv"
    _write_csv(
        path,
        [
            ["DANH SÁCH HỘ GIA ĐÌNH THÔN KHAY VÀ TỔ DÂN PHỐ 3", "", "", "", "", "", ""],
            [],
            [
                "STT",
                "Thôn/xóm",
                "HỌ TÊN CHỦ HỘ",
                "Địa chỉ",
                "Họ và tên",
                "Năm sinh",
                "Số điện thoại",
                "Quan hệ với chủ hộ",
            ],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
            ["1", "Thôn Khay", "Vũ Văn Lâm", "Xóm 2", "Vũ Văn Lâm", "1950", "912345678", "Chủ hộ"],
            ["2", "thon khay", "VŨ VĂN LÂM", "xóm 2", "Đỗ Thị Mai", "12/03/1955", "", "Vợ"],
            ["3", "Tổ dân phố 3", "Hoàng Thị Nga", "", "", "", "", ""],
        ],
        delimiter=";",
        bom=False,
    )

    report = import_households(village_team.store, path)

    assert (report.imported, report.members_imported, report.villages_created) == (2, 2, 1)
    assert report.ignored_columns == ("Quan hệ với chủ hộ",)
    found = hh.find_households(village_team.store, "vu van lam").hits
    lam = hh.get_household(village_team.store, found[0].id)
    assert lam.village_id == village_team.village_id
    assert [(m.full_name, m.birth_year, m.phone) for m in lam.members] == [
        ("Vũ Văn Lâm", 1950, "0912345678"),
        ("Đỗ Thị Mai", 1955, None),
    ]
    villages = {v.name: v.kind for v in team.list_villages(village_team.store)}
    assert villages["Tổ dân phố 3"] == VillageKind.TO_DAN_PHO

    again = import_households(village_team.store, path)
    assert (again.imported, again.unchanged, again.members_imported) == (0, 2, 0)


def test_one_row_per_household_list_puts_phone_and_year_on_the_head(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "ho.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Số TT", "Tên chủ hộ", "Năm sinh", "Điện thoại", "Thôn"])
    sheet.append([1, "Bùi Thị Thu", 1962, 387654321, "Thôn Khay"])
    sheet.append([2, "Ngô Văn Tư", datetime(1971, 5, 2), "", "Thôn Khay"])
    workbook.save(path)

    report = import_households(village_team.store, path)

    assert (report.imported, report.members_imported) == (2, 2)
    thu = hh.find_households(village_team.store, "bui thi thu").hits[0]
    assert thu.phone == "0387654321"
    detail = hh.get_household(village_team.store, thu.id)
    assert [(m.full_name, m.birth_year) for m in detail.members] == [("Bùi Thị Thu", 1962)]


def test_sessions_list_with_words_and_names_instead_of_codes(
    filled: Filled, tmp_path: Path
) -> None:
    path = tmp_path / "luot.csv"
    _write_csv(
        path,
        [
            [
                "Ngày hỗ trợ",
                "Chủ hộ",
                "Thôn",
                "Người được hỗ trợ",
                "Nội dung hỗ trợ",
                "Kết quả",
                "Ngày hẹn",
                "Lý do",
                "Người hỗ trợ",
            ],
            [
                "20/11/2026 09:30",
                "Phạm Đức Độ",
                "Thôn Khay",
                "Phạm Đức Độ",
                "Cài đặt VNeID, tài khoản định danh điện tử mức 1",
                "Thành công",
                "",
                "",
                "Nguyễn Thị Hệ",
            ],
            [
                "20/11/2026",
                "Phạm Đức Độ",
                "",
                "",
                "vssid",
                "hẹn lại",
                "01/11/2026",
                "",
                "Đoàn Văn Mới",
            ],
            [
                "20/11/2026",
                "Phạm Đức Độ",
                "",
                "",
                "dvc_account",
                "chưa thành công",
                "",
                "Quên mật khẩu",
                "Đoàn Văn Mới",
            ],
        ],
    )

    report = import_sessions(filled.store, path)

    assert (report.imported, report.volunteers_created) == (3, 1)
    rows = list_sessions(
        filled.store,
        SessionFilter(start=date(2026, 11, 20), end=date(2026, 11, 20)),
        newest_first=False,
    )
    assert [(r.service_code, r.outcome, r.member_name, r.volunteer_name) for r in rows] == [
        ("VSSID", "follow_up", None, "Đoàn Văn Mới"),
        ("DVC_ACCOUNT", "failed", None, "Đoàn Văn Mới"),
        ("VNEID_L1", "done", "Phạm Đức Độ", "Nguyễn Thị Hệ"),
    ]
    assert rows[2].occurred_at == datetime(2026, 11, 20, 9, 30, tzinfo=VIETNAM)
    assert rows[0].follow_up_date == date(2026, 11, 1)  # in the past: history, allowed
    assert rows[0].visit_id == rows[1].visit_id != rows[2].visit_id
    assert import_sessions(filled.store, path).unchanged == 3


# --- bad rows ----------------------------------------------------------------------


def _bad_households_file(path: Path, village_team: Team) -> None:
    _write_csv(
        path,
        [
            ["Thôn", "Chủ hộ", "Họ và tên", "Năm sinh", "SĐT", "Đồng ý", "Ngày đồng ý"],
            ["Thôn Khay", "Lý Văn Tốt", "Lý Văn Tốt", "1980", "0912345678", "có", ""],
            ["Thôn Khay", "", "Ai Đó", "", "", "", ""],
            ["Thôn Khay", "Mã Văn Sai", "Mã Văn Sai", "1850", "", "", ""],
            ["Thôn Khay", "Đinh Văn Số", "Đinh Văn Số", "", "12345", "", ""],
            ["Thôn Khay", "Tạ Thị Hỏi", "Tạ Thị Hỏi", "", "", "hmm", "31/02/2026"],
            ["Thôn Mới", "Hà Văn Ổn", "", "", "", "", ""],
        ],
    )


def test_bad_rows_reject_the_whole_file_and_change_nothing(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    _bad_households_file(path, village_team)
    before = counts(village_team.store)

    with pytest.raises(ImportRejected) as caught:
        import_households(village_team.store, path)

    problems = caught.value.problems
    assert [(p.line, p.column) for p in problems] == [
        (3, "Chủ hộ"),
        (4, "Năm sinh"),
        (5, "SĐT"),
        (6, "Đồng ý"),
    ]
    assert "Chưa nhập họ tên chủ hộ" in problems[0].message_vi
    assert "Dòng 4, cột «Năm sinh»" in caught.value.message_vi
    assert "--skip-invalid" in caught.value.message_vi
    assert counts(village_team.store) == before


def test_skip_invalid_imports_the_good_rows_and_reports_the_bad(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    _bad_households_file(path, village_team)

    report = import_households(village_team.store, path, skip_invalid=True)

    assert report.skipped_lines == (3, 4, 5, 6)
    # Rows 2 and 7 are good: one household with its member, one (new village) without.
    assert (report.imported, report.members_imported, report.villages_created) == (2, 1, 1)
    assert "bỏ qua 4 dòng lỗi" in report.summary_vi()


def test_a_village_named_only_by_skipped_rows_is_not_created(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    _write_csv(path, [["Thôn", "Chủ hộ", "SĐT hộ"], ["Thôn Ma", "Kiều Văn Mơ", "999"]])
    before = counts(village_team.store)

    report = import_households(village_team.store, path, skip_invalid=True)

    assert (report.imported, report.villages_created, report.skipped_lines) == (0, 0, (2,))
    assert counts(village_team.store) == before


def test_rows_of_one_household_that_disagree_are_reported(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "h.csv"
    _write_csv(
        path,
        [
            ["Mã hộ", "Thôn", "Chủ hộ", "SĐT hộ", "Họ và tên"],
            ["0190aaaa-0000-7000-8000-000000000001", "Thôn Khay", "An", "0912345678", "An"],
            ["0190aaaa-0000-7000-8000-000000000001", "Thôn Khay", "An", "", "Bình"],
            ["0190aaaa-0000-7000-8000-000000000001", "Thôn Khay", "An", "0987654321", "Chi"],
            ["not-an-id", "Thôn Khay", "Dũng", "", ""],
        ],
    )

    report = import_households(village_team.store, path, skip_invalid=True)

    assert [(p.line, p.column) for p in report.skipped] == [
        (2, None),
        (3, None),
        (4, "SĐT hộ"),
        (5, "Mã hộ"),
    ]
    assert "khác với «0912345678» ở dòng 2" in report.skipped[2].message_vi
    assert report.imported == 0


def test_sessions_of_unknown_households_ask_to_import_households_first(
    filled: Filled, other: Store, tmp_path: Path
) -> None:
    path = tmp_path / "s.xlsx"
    export_sessions(filled.store, path)
    team.set_commune(other, "10999")

    with pytest.raises(ImportRejected) as caught:
        import_sessions(other, path)

    assert [p.line for p in caught.value.problems] == [2, 3, 4, 5, 6]
    assert all("nhập danh sách hộ trước" in p.message_vi for p in caught.value.problems)


def test_a_changed_session_is_a_conflict_not_an_edit(filled: Filled, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    export_sessions(filled.store, path)
    rows = _read_csv(path)
    rows[1][rows[0].index("Ghi chú")] = "sửa tay"
    _write_csv(path, rows)

    with pytest.raises(ImportRejected) as caught:
        import_sessions(filled.store, path)

    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "Mã lượt")]
    assert "«Ghi chú»" in caught.value.problems[0].message_vi


# --- files and formats -------------------------------------------------------------


def test_formula_cells_are_neutralised_and_restored(
    filled: Filled, other: Store, tmp_path: Path
) -> None:
    path = tmp_path / "h.csv"
    export_households(filled.store, path)
    notes = {row[8] for row in _read_csv(path)[1:]}
    assert notes == {'\'=HYPERLINK("x")', "''quote", "'-5 + @ và ghi chú"}
    xlsx = tmp_path / "s.xlsx"
    export_sessions(filled.store, xlsx)
    workbook = openpyxl.load_workbook(xlsx)
    sheet = workbook.active
    assert sheet is not None
    assert sheet["N2"].value == "'+ghi chú, có dấu phẩy"
    assert sheet["N2"].data_type == "s"  # text, never a formula
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold

    import_households(other, path)
    with other.reading() as session:
        assert set(session.scalars(select(Household.notes))) == {
            '=HYPERLINK("x")',
            "'quote",
            "-5 + @ và ghi chú",
        }


def test_csv_is_utf8_with_bom_and_read_with_or_without(
    filled: Filled, other: Store, tmp_path: Path
) -> None:
    path = tmp_path / "h.csv"
    export_households(filled.store, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    path.write_bytes(data[3:])
    assert import_households(other, path).imported == 3
    with other.reading() as session:
        assert "Nguyễn Văn Hoà" in set(session.scalars(select(Member.full_name)))


def test_phones_keep_their_leading_zero_as_xlsx_text(filled: Filled, tmp_path: Path) -> None:
    path = tmp_path / "h.xlsx"
    export_households(filled.store, path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    phones = {cell.value for cell in sheet["H"][1:]}
    assert "0912345678" in phones
    assert sheet["H2"].number_format == "@" or sheet.column_dimensions["H"].number_format == "@"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("list.txt", b"a,b", "phải kết thúc bằng .csv hoặc .xlsx"),
        ("list.xls", b"", "Excel đời cũ"),
        ("missing.csv", None, "Không tìm thấy tệp"),
        ("legacy.csv", b"Th\xf4n,Ch\xf9 h\xf4\nKhay,B\xf9i\n", "UTF-8"),
        ("fake.xlsx", b"not a zip", "không phải bảng tính Excel"),
        ("renamed.csv", b"PK\x03\x04rest", "đổi đuôi"),
        ("empty.csv", b"", "Không tìm thấy dòng tiêu đề"),
        ("other.csv", b"foo,bar\n1,2\n", "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_unreadable_files_are_user_errors(
    village_team: Team, tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserError) as caught:
        import_households(village_team.store, path)
    assert expected in caught.value.message_vi


def test_export_to_an_unknown_extension_or_missing_folder(filled: Filled, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="kết thúc bằng"):
        export_households(filled.store, tmp_path / "h.ods")
    with pytest.raises(UserError, match="Không ghi được tệp"):
        export_sessions(filled.store, tmp_path / "no-such-folder" / "s.csv")
    assert not list(tmp_path.glob("**/*.part*"))


def test_files_of_the_other_kind_are_refused(filled: Filled, tmp_path: Path) -> None:
    sessions_file = tmp_path / "s.csv"
    households_file = tmp_path / "h.csv"
    export_sessions(filled.store, sessions_file)
    export_households(filled.store, households_file)
    with pytest.raises(UserError, match="danh sách lượt hỗ trợ"):
        import_households(filled.store, sessions_file)
    with pytest.raises(UserError, match="thiếu cột"):
        import_sessions(filled.store, households_file)


def test_another_communes_file_is_refused(filled: Filled, tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "h.csv"
    export_households(filled.store, path)
    elsewhere = open_store(tmp_path / "elsewhere", clock=clock)
    try:
        team.set_commune(elsewhere, "00004")
        with pytest.raises(UserError, match="xã mã 10999"):
            import_households(elsewhere, path)
    finally:
        elsewhere.close()


def test_progress_reaches_the_total(filled: Filled, other: Store, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_households(filled.store, tmp_path / "h.xlsx", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (5, 5)
    calls.clear()
    import_households(other, tmp_path / "h.xlsx", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (10, 10)
    assert all(done <= total for done, total in calls)


def test_sessions_of_a_household_merged_since_the_export_follow_the_survivor(
    filled: Filled, village_team: Team, tmp_path: Path
) -> None:
    survivor = hh.create_household(
        filled.store, HouseholdInput(village_team.village_id, "Nguyễn Văn Hòa")
    ).id
    households_file, sessions_file = tmp_path / "h.csv", tmp_path / "s.csv"
    export_households(filled.store, households_file)
    export_sessions(filled.store, sessions_file)
    merge_households(filled.store, survivor, filled.household_id, village_team.leader_id)

    sessions = import_sessions(filled.store, sessions_file)
    with pytest.raises(ImportRejected) as caught:
        import_households(filled.store, households_file)

    assert (sessions.imported, sessions.unchanged) == (0, 5)
    assert [p.column for p in caught.value.problems] == ["Mã hộ"]  # the merged-away one
    assert survivor in caught.value.problems[0].message_vi


def test_a_new_laptop_needs_the_commune_from_somewhere(other: Store, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    _write_csv(path, [["Thôn", "Chủ hộ"], ["Thôn Khay", "Vũ Văn Lâm"]])
    with pytest.raises(UserError, match="Chưa chọn xã/phường"):
        import_households(other, path)
    _write_csv(path, [["Mã xã", "Thôn", "Chủ hộ"], ["99999", "Thôn Khay", "Vũ Văn Lâm"]])
    with pytest.raises(UserError, match="Không có xã/phường mã 99999"):
        import_households(other, path)
    assert other.commune() is None
