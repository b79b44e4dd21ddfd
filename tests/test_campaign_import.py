"""Reading a commune's target list: the files and headers lists really come in.

Real files each time: an XLSX written with openpyxl (title rows, a date cell, a row of
column numbers, blank rows, the signature block), CSV in Windows-1258 as Excel on a
Vietnamese Windows saves it, in UTF-8 with and without its BOM.  A list with a bad row is
refused whole, naming the row and the column; a full citizen ID is never kept.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from villagehelper.campaigns.list_columns import Field, field_of
from villagehelper.campaigns.list_files import decode_csv
from villagehelper.campaigns.target_rows import (
    TargetListError,
    TargetRow,
    id_last_digits,
    read_target_list,
    year_in,
)
from villagehelper.errors import UserError

TITLES: list[list[object]] = [
    ["ỦY BAN NHÂN DÂN XÃ GIA LỘC", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    [None, None, None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["DANH SÁCH NGƯỜI CAO TUỔI CHƯA CÀI ỨNG DỤNG CÔNG DÂN SỐ"],
]


def _xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_an_xlsx_list_with_its_title_block_is_read_row_by_row(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "danh-sach.xlsx",
        [
            *TITLES,
            ["STT", "HỌ VÀ TÊN", "Ngày sinh", "Thôn, tổ dân phố", "SĐT", "4 số cuối CCCD"],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
            [1, "Nguyễn Thị Hòa", datetime(1948, 3, 5), "Thôn Khay", "0912 345 678", "4567"],
            [],
            [2, "  Lê   văn Thắng ", 1950, "Hữu Chung", 912345679, None],
            [3, "Phạm Đăng Xuyết", "05/11/1941", "thôn Khay", "", "001203004567"],
            [4],  # a numbered row of the template left empty
            [None, None, None, None, "Gia Lộc, ngày 05 tháng 12 năm 2026"],
            [None, "Tổng cộng: 3 người"],
            [None, "Người lập biểu", None, "TM. ỦY BAN NHÂN DÂN"],
            [None, "Nguyễn Văn Lập"],
        ],
    )
    assert read_target_list(path) == [
        TargetRow(7, "Nguyễn Thị Hòa", 1948, "Thôn Khay", "0912345678", "4567"),
        TargetRow(9, "Lê văn Thắng", 1950, "Hữu Chung", "0912345679", None),
        TargetRow(10, "Phạm Đăng Xuyết", 1941, "thôn Khay", None, "4567"),
    ]


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """What Excel on a Vietnamese Windows writes: letters with their vowel marks as one
    byte where Windows-1258 has them, each tone as a combining mark after its letter."""
    out = bytearray()
    for character in text:
        try:
            out += character.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", character)
            tone = "".join(mark for mark in decomposed if mark in TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


LIST_TEXT = (
    "UBND XÃ GIA LỘC\r\n"
    "DANH SÁCH NGƯỜI HƯỞNG LƯƠNG HƯU\r\n"
    "\r\n"
    "STT;Họ tên;Năm sinh;Thôn;Điện thoại;Số CCCD\r\n"
    "1;Nguyễn Thị Hòa;1948;Thôn Khay;+84 912 345 678;\r\n"
    "2;Đỗ Thị Ước;1939;Thôn Đông Cận;;0012030045678\r\n"
)
EXPECTED = [
    TargetRow(5, "Nguyễn Thị Hòa", 1948, "Thôn Khay", "0912345678", None),
    TargetRow(6, "Đỗ Thị Ước", 1939, "Thôn Đông Cận", None, "5678"),
]


@pytest.mark.parametrize(
    "encode",
    [
        _cp1258,
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("utf-8"),
        lambda text: text.replace(";", "\t").encode("utf-16"),
    ],
    ids=["windows-1258", "utf-8 with BOM", "utf-8", "utf-16 tab-separated (Unicode Text)"],
)
def test_a_csv_list_is_read_in_each_encoding_excel_saves(tmp_path: Path, encode: object) -> None:
    assert callable(encode)
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(encode(LIST_TEXT))
    assert read_target_list(path) == EXPECTED


def test_windows_1258_really_is_tones_as_combining_marks() -> None:
    # The test's own encoder writes what Excel writes: "ễ" is "ê" then the tilde.
    assert _cp1258("ễ") == b"\xea\xde"
    assert decode_csv(_cp1258("Nguyễn")) == "Nguyê\u0303n"


def test_a_comma_separated_list_in_utf8_is_read(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        'Họ và tên,NS,Địa chỉ,SĐT\nNguyễn Thị Hòa,1948,"Thôn Khay, xã Gia Lộc",0912.345.678\n',
        encoding="utf-8",
    )
    assert read_target_list(path) == [
        TargetRow(2, "Nguyễn Thị Hòa", 1948, "Thôn Khay, xã Gia Lộc", "0912345678", None)
    ]


def test_a_name_in_two_columns_is_joined(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "list.xlsx",
        [["Họ và tên đệm", "Tên", "Năm sinh"], ["Nguyễn Thị", "Hòa", 1948]],
    )
    assert read_target_list(path) == [TargetRow(2, "Nguyễn Thị Hòa", 1948, "", None, None)]


def test_a_13_digit_id_is_cut_to_its_last_4_and_never_kept_whole(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "list.xlsx",
        [
            ["Họ và tên", "Số CCCD"],
            ["Đỗ Thị Ước", "0012030045678"],
            ["Lê Văn An", "001 203 004 567"],
        ],
    )
    rows = read_target_list(path)
    assert [row.id_last_digits for row in rows] == ["5678", "4567"]
    assert "0012030045678" not in repr(rows)
    assert "001203004" not in repr(rows)


@pytest.mark.parametrize(
    ("cell", "kept"),
    [("001203004567", "4567"), ("***4567", "4567"), ("567", "567"), ("x", None), ("", None)],
)
def test_only_the_last_four_id_digits_are_kept(cell: str, kept: str | None) -> None:
    assert id_last_digits(cell) == kept


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_read(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "list.xlsx",
        [
            *TITLES,
            ["STT", "Họ và tên", "Năm sinh", "Số điện thoại"],
            [1, "Nguyễn Thị Hòa", 1948, ""],
            [2, "", 1950, ""],
            [3, "Lê Văn Thắng", "19a5", ""],
            [4, "Phạm Văn Bình", 1960, "12345"],
            [5, "Trần Thị Mai", 1962, "001203004567"],  # an ID in the phone column
            [6, "Lê Văn An 001 203 004 567", 1970, ""],  # and one in a name
            [7, "Đỗ Thị Ước 😀", 1939, ""],
        ],
    )
    with pytest.raises(TargetListError) as caught:
        read_target_list(path)
    error = caught.value
    assert [(problem.line, problem.column) for problem in error.problems] == [
        (7, "Họ và tên"),
        (8, "Năm sinh"),
        (9, "Số điện thoại"),
        (10, "Số điện thoại"),
        (11, "Họ và tên"),
        (12, "Họ và tên"),
    ]
    assert error.message_vi.startswith("Danh sách «list.xlsx» có 6 dòng cần sửa; chưa nhập")
    assert "Dòng 8, cột «Năm sinh»: năm sinh «19a5» không đọc được" in error.message_vi
    assert "Row 8, column “Năm sinh”: the birth year “19a5” cannot be read" in error.message_en
    assert "«…4567» có 12 chữ số trở lên, không phải số điện thoại" in error.message_vi
    assert "họ tên «Lê Văn An …4567» có dãy số dài" in error.message_vi
    assert "«😀» (U+1F600)" in error.message_vi
    shown = (error.message_vi + error.message_en).replace(" ", "")
    assert "001203004" not in shown


def test_many_bad_rows_are_listed_twenty_at_most(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Họ và tên", "Năm sinh"]]
    rows += [[f"Người {n}", "năm"] for n in range(30)]
    with pytest.raises(TargetListError) as caught:
        read_target_list(_xlsx(tmp_path / "list.xlsx", rows))
    assert len(caught.value.problems) == 30
    assert caught.value.message_vi.count("• Dòng") == 20
    assert caught.value.message_vi.endswith("… và 10 lỗi khác.")


def test_a_list_without_a_name_column_says_which_column_it_needs(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "list.xlsx", [["STT", "Người", "Năm"], [1, "Nguyễn Thị Hòa", 1948]])
    with pytest.raises(UserError) as caught:
        read_target_list(path)
    assert "«Họ và tên»" in caught.value.message_vi


def test_an_old_xls_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "list.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UserError, match="Lưu thành"):
        read_target_list(path)


@pytest.mark.parametrize(
    ("title", "field"),
    [
        ("Họ và tên", Field.NAME),
        ("HỌ VÀ TÊN", Field.NAME),
        ("Họ tên", Field.NAME),
        ("Họ và tên người hưởng", Field.NAME),
        ("Năm sinh", Field.YEAR),
        ("NS", Field.YEAR),
        ("Ngày sinh", Field.YEAR),
        ("Ngày, tháng, năm sinh", Field.YEAR),
        ("Thôn", Field.VILLAGE),
        ("Thôn, tổ dân phố", Field.VILLAGE),
        ("Địa chỉ", Field.ADDRESS),
        ("Nơi ở hiện nay", Field.ADDRESS),
        ("Số điện thoại", Field.PHONE),
        ("SĐT", Field.PHONE),
        ("Điện thoại", Field.PHONE),
        ("CCCD", Field.ID_DIGITS),
        ("Số CCCD", Field.ID_DIGITS),
        ("4 số cuối CCCD", Field.ID_DIGITS),
        ("Số định danh cá nhân", Field.ID_DIGITS),
        ("Tên", Field.GIVEN),
        ("Họ và tên đệm", Field.FAMILY_MIDDLE),
        ("Ghi chú", None),
        ("STT", None),
    ],
)
def test_headers_as_lists_write_them(title: str, field: Field | None) -> None:
    assert field_of(title) == field


@given(
    title=st.sampled_from(["Họ và tên", "Năm sinh", "Thôn, tổ dân phố", "Số điện thoại"]),
    upper=st.lists(st.booleans(), min_size=30, max_size=30),
    strip_marks=st.booleans(),
    tail=st.sampled_from(["", ":", " (*)", " "]),
)
def test_a_header_is_recognised_whatever_its_case_marks_and_punctuation(
    title: str, upper: list[bool], strip_marks: bool, tail: str
) -> None:
    written = "".join(c.upper() if up else c for c, up in zip(title, upper, strict=False))
    if strip_marks:
        written = "".join(
            c for c in unicodedata.normalize("NFD", written) if not unicodedata.combining(c)
        )
    assert field_of(written + tail) == field_of(title) is not None


@given(
    day=st.integers(1, 31),
    month=st.integers(1, 12),
    year=st.integers(1900, 2020),
    separator=st.sampled_from("/.-"),
)
def test_a_date_of_birth_gives_its_year(day: int, month: int, year: int, separator: str) -> None:
    text = f"{day:02d}{separator}{month:02d}{separator}{year}"
    try:
        datetime(year, month, day)
    except ValueError:
        assert year_in(text) is None  # 31/02/1950 is no date
    else:
        assert year_in(text) == year


def test_a_person_below_the_total_row_is_said_not_dropped(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "list.xlsx",
        [
            ["STT", "Họ và tên", "Năm sinh"],
            [1, "Lê Công Bình", 1950],  # "Công" in a name is no "Cộng" total
            [None, "Cộng: 1 người"],
            [None, "Người lập biểu"],
            [None, "Nguyễn Văn Lập"],  # the signer: no year, not a target
            [2, "Trần Thị Mai", 1962],  # added under the total
        ],
    )
    with pytest.raises(UserError) as caught:
        read_target_list(path)
    assert "dòng 6 bên dưới vẫn có người" in caught.value.message_vi
    path = _xlsx(
        tmp_path / "list.xlsx",
        [
            ["STT", "Họ và tên", "Năm sinh"],
            [1, "Lê Công Bình", 1950],
            [None, "Cộng: 1 người"],
            [None, "Nguyễn Văn Lập"],
        ],
    )
    assert [row.full_name for row in read_target_list(path)] == ["Lê Công Bình"]


def test_line_numbers_are_excels_when_the_sheet_starts_lower_down(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["B3"], sheet["B4"], sheet["B7"] = "Họ và tên", "Nguyễn Thị Hòa", "Lê Văn An"
    workbook.save(tmp_path / "list.xlsx")
    rows = read_target_list(tmp_path / "list.xlsx")
    assert [(row.line, row.full_name) for row in rows] == [
        (4, "Nguyễn Thị Hòa"),
        (7, "Lê Văn An"),
    ]


_CELL = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"0\d{11,12}", fullmatch=True),  # citizen IDs, anywhere
    st.from_regex(r"[A-Za-zÀ-ỹ ]{0,8}0\d{11,12}", fullmatch=True),  # … after a name
    st.sampled_from(["1956", "05/03/1956", "0912 345 678", "Nguyễn Thị Hòa", "Tổng cộng"]),
)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.lists(_CELL, min_size=4, max_size=4), max_size=8))
def test_any_cells_give_rows_or_a_users_error_and_never_a_whole_id(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "list.csv"
    lines = [["Họ và tên", "Năm sinh", "SĐT", "Số CCCD"], *rows]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    try:
        read = read_target_list(path)
    except UserError as error:
        shown = error.message_vi + error.message_en
        assert not re.search(r"\d{12}", shown.replace(" ", ""))
    else:
        for row in read:
            assert row.full_name
            assert row.id_last_digits is None or len(row.id_last_digits) <= 4
            assert not re.search(r"\d{12}", repr(row))
