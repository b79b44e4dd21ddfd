"""Issue 14, finding 8: an import reads the header first and the rows as a stream.

A 3-million-row spreadsheet took minutes and most of a gigabyte to say "no header row".
Each file here is valid at the top and a bomb further down — bytes that are not UTF-8,
or a sheet whose XML breaks off — so the answer shows how far the import read: a file
without a header, or with more rows than one import takes, is refused before the bomb
is reached; reading everything first would report the bomb instead.  Nothing is
imported in any case, and the messages say the limit and what to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import Team
from villagehelper.errors import UserError
from villagehelper.paths import DATA_DIR_ENV
from villagehelper.store.engine import Store
from villagehelper.store.models import Household
from villagehelper.transfer import columns
from villagehelper.transfer.households import import_households
from villagehelper.transfer.limits import MAX_DATA_ROWS, MAX_FILE_BYTES
from villagehelper.transfer.report import ImportRejected
from villagehelper.transfer.sessions import import_sessions

NO_HEADER = "Không tìm thấy dòng tiêu đề"
NOT_UTF8 = "không dùng bảng mã UTF-8"
BROKEN_SHEET = "nội dung trang tính bị hỏng"
# Not UTF-8 (a name in a legacy code page): reading this far into the file is an error.
BOMB = b"Nguy\xean V\xe3n B\xf9i,Th\xf4n Khay\r\n"


def _junk_rows(count: int) -> list[list[str]]:
    """Rows that name no known column: a list somebody typed without titles."""
    return [[f"Nguyễn Văn {n}", "Thôn Khay", f"09{n:08d}"] for n in range(count)]


def _csv_with_bomb(path: Path, top: list[list[str]], rows_above_bomb: int) -> Path:
    lines = [",".join(row) for row in top]
    lines += [f"Trần Thị {n},Thôn Khay" for n in range(rows_above_bomb)]
    path.write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n" + BOMB)
    return path


def _xlsx_broken_below(path: Path, top: list[list[str]], rows: int, broken_at: int) -> Path:
    """A real workbook with a number cell that is not a number at row ``broken_at``:
    well-formed XML (opening the file does not notice), damaged once that row is read."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Hộ gia đình")
    for row in top:
        sheet.append(row)
    for n in range(rows):
        sheet.append([f"Trần Thị {n}", "Thôn Khay"])
    whole = path.with_name("whole-" + path.name)
    workbook.save(whole)
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                start = f'<row r="{broken_at}"'.encode()
                assert start in data
                data = data.replace(start, start + b'><c t="n"><v>x</v></c></row><row', 1)
            target.writestr(item, data)
    return path


def _household_count(store: Store) -> int:
    with store.reading() as session:
        return session.scalar(select(func.count()).select_from(Household)) or 0


def test_a_csv_without_a_header_is_refused_before_its_rows_are_read(
    village_team: Team, tmp_path: Path
) -> None:
    path = _csv_with_bomb(tmp_path / "danh-sach.csv", _junk_rows(30), 20_000)
    with pytest.raises(UserError) as refused:
        import_households(village_team.store, path)
    assert NO_HEADER in refused.value.message_vi
    assert NOT_UTF8 not in refused.value.message_vi  # the bomb below was never reached


def test_an_xlsx_without_a_header_is_refused_before_its_rows_are_read(
    village_team: Team, tmp_path: Path
) -> None:
    path = _xlsx_broken_below(tmp_path / "danh-sach.xlsx", _junk_rows(30), 5_000, 4_000)
    with pytest.raises(UserError) as refused:
        import_sessions(village_team.store, path)
    assert NO_HEADER in refused.value.message_vi
    assert BROKEN_SHEET not in refused.value.message_vi


def test_a_bomb_under_a_good_header_is_still_found_and_nothing_goes_in(
    village_team: Team, tmp_path: Path
) -> None:
    """Streaming changes when the file is read, not what is checked: all or nothing."""
    header = [["Chủ hộ", "Thôn"]]
    path = _csv_with_bomb(tmp_path / "ho.csv", header, 50)
    with pytest.raises(UserError) as refused:
        import_households(village_team.store, path)
    assert NOT_UTF8 in refused.value.message_vi
    broken = _xlsx_broken_below(tmp_path / "ho.xlsx", header, 200, 150)
    with pytest.raises(UserError) as refused:
        import_households(village_team.store, broken)
    assert BROKEN_SHEET in refused.value.message_vi
    assert _household_count(village_team.store) == 0


def test_more_rows_than_one_import_takes_are_refused_as_soon_as_read(
    village_team: Team, tmp_path: Path
) -> None:
    path = _csv_with_bomb(tmp_path / "ca-huyen.csv", [["Chủ hộ", "Thôn"]], MAX_DATA_ROWS + 1000)
    with pytest.raises(UserError) as refused:
        import_households(village_team.store, path)
    message = refused.value
    assert f"hơn {MAX_DATA_ROWS:,}".replace(",", ".") in message.message_vi
    assert "chia tệp" in message.message_vi and "chưa nhập gì" in message.message_vi
    assert f"more than {MAX_DATA_ROWS:,} data rows" in message.message_en
    assert not isinstance(message, ImportRejected)
    assert _household_count(village_team.store) == 0


def test_the_row_limit_counts_data_rows_only(
    village_team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title block, blank rows and a form's column numbers are not rows of data, and
    the rows kept still carry the line Excel shows and the file's own column title.
    (The limit is lowered for this test: the counting is the same at any size.)"""
    monkeypatch.setattr(columns, "MAX_DATA_ROWS", 3)
    top = ["DANH SÁCH HỘ GIA ĐÌNH", "", "STT,Chủ hộ,Ghi chú riêng,Thôn", "(1),(2),(3),(4)"]
    rows = ["1,Trần Thị Na,x,Thôn Khay", "", "2,Lê Văn Bình,y,Thôn Khay", "3,,z,Thôn Khay"]
    path = tmp_path / "vua-du.csv"
    path.write_text("\r\n".join(top + rows) + "\r\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:  # three rows: read whole, then checked
        import_households(village_team.store, path)
    [problem] = rejected.value.problems
    assert (problem.line, problem.column) == (8, "Chủ hộ")
    report = import_households(village_team.store, path, skip_invalid=True)
    assert (report.imported, [p.line for p in report.skipped]) == (2, [8])

    path.write_text("\r\n".join([*top, *rows, "4,Đỗ Thị Mai,w,Thôn Khay"]), encoding="utf-8")
    with pytest.raises(UserError) as refused:
        import_households(village_team.store, path)
    assert "hơn 3 dòng dữ liệu" in refused.value.message_vi
    assert _household_count(village_team.store) == 2


def test_a_missing_column_is_refused_before_the_rows_are_read(
    village_team: Team, tmp_path: Path
) -> None:
    path = _csv_with_bomb(tmp_path / "ho.csv", [["Chủ hộ", "Ghi chú"]], 20_000)
    with pytest.raises(UserError) as refused:
        import_households(village_team.store, path)  # no village column, no household id
    assert "Tệp thiếu cột «Thôn»" in refused.value.message_vi
    assert NOT_UTF8 not in refused.value.message_vi


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "qua-lon.csv"
    with path.open("wb") as handle:
        handle.write("Chủ hộ,Thôn\r\n".encode())
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(UserError) as refused:
        import_households(village_team.store, path)
    limit = MAX_FILE_BYTES // (1024 * 1024)
    assert f"quá giới hạn {limit} MB" in refused.value.message_vi
    assert "chia tệp" in refused.value.message_vi
    assert f"over the {limit} MB" in refused.value.message_en


def test_the_command_line_says_the_limit_in_both_languages(tmp_path: Path) -> None:
    path = _csv_with_bomb(tmp_path / "ca-huyen.csv", [["Chủ hộ", "Thôn"]], MAX_DATA_ROWS + 1000)
    done = subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", "import", "households", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", DATA_DIR_ENV: str(tmp_path / "data")},
    )
    assert done.returncode == 1, done.stderr
    limit_vi = f"{MAX_DATA_ROWS:,}".replace(",", ".")
    assert f"Lỗi: Tệp có hơn {limit_vi} dòng dữ liệu" in done.stderr
    assert f"Error: The file has more than {MAX_DATA_ROWS:,} data rows" in done.stderr
    assert "Traceback" not in done.stderr
