"""The tally's spreadsheet exports (XLSX, CSV) and the ``villagehelper tally`` command."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import Team
from villagehelper.cli import dispatch
from villagehelper.ops.households import create_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.sessions import log_visit
from villagehelper.ops.team import add_village, list_services
from villagehelper.reports.spreadsheet import (
    BREAKDOWN_SHEET,
    compute_breakdown,
    write_tally_csv,
    write_tally_xlsx,
)
from villagehelper.store.thread_guard import allowed_here
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week
from villagehelper.tally.results import Tally

WEEK = iso_week(2026, 47)  # 16/11 – 22/11/2026, before the test clock's "now"
INJECTION = '=HYPERLINK("http://x","y")'


def log_week(village_team: Team) -> Tally:
    """Five sessions in 2026-W47: two households of Thôn Khay, one of the injected-name
    village, logged by the member and the leader."""
    store = village_team.store
    codes = [service.code for service in list_services(store)]
    odd = add_village(store, INJECTION)
    households = [
        create_household(store, HouseholdInput(village, head), [MemberInput(head, 1970)]).id
        for village, head in (
            (village_team.village_id, "Trần Văn Tèo"),
            (village_team.village_id, "Lò Thị Mỷ"),
            (odd.id, "Hà Văn Sáu"),
        )
    ]
    visits = [
        (
            households[0],
            village_team.member_id,
            [ServiceOutcome(codes[0]), ServiceOutcome(codes[1], "failed", None, "=1+1")],
        ),
        (households[1], village_team.member_id, [ServiceOutcome(codes[0])]),
        (
            households[2],
            village_team.leader_id,
            [ServiceOutcome(codes[0], "follow_up", datetime(2026, 11, 30).date())],
        ),
        (households[2], village_team.leader_id, [ServiceOutcome(codes[2])]),
    ]
    for day, (household, volunteer, services) in enumerate(visits, start=16):
        log_visit(
            store,
            VisitInput(
                household, volunteer, services, occurred_at=datetime(2026, 11, day, 3, tzinfo=UTC)
            ),
        )
    return compute_tally(store, WEEK)


def test_xlsx_holds_the_engines_numbers_with_sum_formulas(
    village_team: Team, tmp_path: Path
) -> None:
    tally = log_week(village_team)
    assert tally.totals.sessions == 5
    path = tmp_path / "tally.xlsx"
    write_tally_xlsx(
        tally,
        path,
        commune_name="Xã Gia Lộc",
        village_name=None,
        breakdown=compute_breakdown(village_team.store, tally),
    )
    book = openpyxl.load_workbook(path)
    report = book.worksheets[0]
    assert report["A1"].value == "BÁO CÁO KẾT QUẢ HỖ TRỢ NGƯỜI DÂN"
    assert report["A2"].value == "TUẦN 47 (16/11 – 22/11/2026)"
    merged = {str(cells) for cells in report.merged_cells.ranges}
    assert {"A1:I1", "A2:I2", "F5:H5", "A5:A6", "B5:B6"} <= merged
    assert report["A5"].font.bold
    assert report.column_dimensions["B"].width == 40

    first, last = 7, 6 + len(tally.rows)
    for offset, row in enumerate(tally.rows):
        values = [report.cell(row=first + offset, column=c).value for c in range(2, 10)]
        counts = row.counts
        assert values == [
            row.label_vi,
            counts.sessions,
            counts.people,
            counts.households,
            counts.done,
            counts.follow_up,
            counts.failed,
            counts.cumulative,
        ]
        assert report.cell(row=first + offset, column=3).number_format == "#,##0"
    total = last + 1
    assert report.cell(row=total, column=2).value == "Tổng cộng"
    for letter in "CFGHI":  # additive: sessions, done, follow-up, failed, cumulative
        assert report[f"{letter}{total}"].value == f"=SUM({letter}{first}:{letter}{last})"
    assert report[f"D{total}"].value == tally.totals.people
    assert report[f"E{total}"].value == tally.totals.households

    breakdown = book[BREAKDOWN_SHEET]
    rows = {
        row[0]: row[1:]
        for row in breakdown.iter_rows(values_only=True)
        if row[0] is not None and isinstance(row[1], int)
    }
    assert rows["Thôn Khay"] == (3, 2, 2, 0, 1)
    assert rows["'" + INJECTION] == (2, 1, 1, 1, 0)  # text, not a formula
    assert rows["Nguyễn Thị Hệ"][0] == 3
    assert rows["Phạm Đăng Xuyết"][0] == 2
    assert all(cell.data_type != "f" for cell in breakdown["A"])


def test_csv_has_a_bom_vietnamese_text_and_no_formulas(village_team: Team, tmp_path: Path) -> None:
    tally = log_week(village_team)
    path = tmp_path / "tally.csv"
    write_tally_csv(tally, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["STT", "Loại hỗ trợ", "Số lượt"]
    assert rows[-1][1] == "Tổng cộng"
    assert rows[-1][2] == str(tally.totals.sessions)
    assert [row[1] for row in rows[1:-1]] == [row.label_vi for row in tally.rows]
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row
    )
    assert "=1+1" not in path.read_text(encoding="utf-8-sig")  # notes never leave the store


def test_the_command_prints_the_table_and_writes_the_files(
    village_team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str], qapp: object
) -> None:
    with allowed_here():  # Qt is loaded (to print the PDF): the store guards this thread
        tally = log_week(village_team)
    data = str(tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    code = dispatch.main(
        [
            "tally",
            "--data-dir",
            data,
            "--week",
            "2026-W47",
            "--village",
            "thon khay",
            "--csv",
            str(out / "t.csv"),
            "--xlsx",
            str(out / "t.xlsx"),
            "--pdf",
            str(out / "t.pdf"),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "TUẦN 47 (16/11 – 22/11/2026)" in printed
    assert "Thôn Khay – Xã Gia Lộc" in printed
    total_line = next(line for line in printed.splitlines() if "Tổng cộng" in line)
    with allowed_here():
        khay = compute_tally(village_team.store, WEEK, village_id=village_team.village_id)
    assert total_line.split()[2:] == [
        str(value)
        for value in (
            khay.totals.sessions,
            khay.totals.people,
            khay.totals.households,
            khay.totals.done,
            khay.totals.follow_up,
            khay.totals.failed,
            khay.totals.cumulative,
        )
    ]
    assert khay.totals.sessions == 3 != tally.totals.sessions
    for name in ("t.csv", "t.xlsx", "t.pdf"):
        assert (out / name).stat().st_size > 0
    assert (out / "t.pdf").read_bytes().startswith(b"%PDF")


def test_the_command_refuses_a_bad_week_or_an_unknown_village(
    village_team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    assert dispatch.main(["tally", "--data-dir", data, "--week", "2026-47"]) == 1
    assert "Tuần không hợp lệ" in capsys.readouterr().err
    assert dispatch.main(["tally", "--data-dir", data, "--week", "2026-W54"]) == 1
    assert "không có tuần 54" in capsys.readouterr().err
    assert (
        dispatch.main(["tally", "--data-dir", data, "--week", "last", "--village", "Nowhere"]) == 1
    )
    err = capsys.readouterr().err
    assert "Không có thôn «Nowhere»" in err
    assert "Thôn Hữu Chung" in err and "Thôn Khay" in err
    assert dispatch.main(["tally", "--data-dir", data, "--week", "this", "--member", "Ai Đó"]) == 1
    assert "Nguyễn Thị Hệ" in capsys.readouterr().err
    assert (
        dispatch.main(["tally", "--data-dir", data, "--week", "this", "--member", "nguyen thi he"])
        == 0
    )


def test_spreadsheet_export_and_the_command_module_load_without_qt() -> None:
    code = (
        "import sys, villagehelper.cli.dispatch, villagehelper.reports.spreadsheet;"
        "print('PySide6' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
