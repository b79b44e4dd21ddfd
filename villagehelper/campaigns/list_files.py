"""A commune's list file as numbered rows of cell text: CSV or XLSX, as lists really come.

CSV is read in UTF-8 (with or without the BOM Excel's "CSV UTF-8" writes), UTF-16 (Excel's
"Unicode Text"), or — when it is none of these — Windows-1258, the code page Excel on a
Vietnamese Windows saves a plain "CSV" in (its tones as combining marks, which the
reading composes: ``text.clean_text``).  The delimiter is the one the first lines use
most: comma, semicolon (Excel in a comma-decimal locale) or tab.  XLSX is read from the
sheet Excel shows first; a date cell becomes "dd/mm/yyyy", as it was typed.

Standing on openpyxl alone (no part of the laptop's import), so the commune server can
read the same lists.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl

from villagehelper.errors import UserError
from villagehelper.spreadsheet_cells import restore

MAX_FILE_BYTES = 50 * 1024 * 1024
_DELIMITERS = (",", ";", "\t")
_LINES_FOR_DELIMITER = 30

Row = tuple[int, tuple[str, ...]]  # the line Excel shows, and the cells' text


def _unreadable(path: Path, why_vi: str, why_en: str) -> UserError:
    return UserError(
        f"Không đọc được tệp «{path.name}»: {why_vi}", f"Cannot read {path.name}: {why_en}"
    )


def read_list_file(path: Path) -> list[Row]:
    """Every row of the file, blank ones included (their line numbers count)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise UserError(
            f"Tệp «{path.name}» không phải .csv hay .xlsx. Với tệp Excel đời cũ (.xls), hãy "
            "mở bằng Excel và «Lưu thành» Sổ làm việc Excel (.xlsx), rồi chọn lại.",
            f"{path.name} is not a .csv or .xlsx file; save an old .xls as .xlsx first.",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(
            f"Không tìm thấy tệp «{path}». Kiểm tra lại đường dẫn và tên tệp.",
            f"File not found: {path}",
        ) from exc
    if size > MAX_FILE_BYTES:
        raise _unreadable(
            path,
            f"tệp nặng hơn {MAX_FILE_BYTES // (1024 * 1024)} MB. Hãy chia danh sách thành "
            "nhiều tệp (ví dụ mỗi thôn một tệp).",
            f"over {MAX_FILE_BYTES // (1024 * 1024)} MB; split the list into several files.",
        )
    return _read_csv(path) if suffix == ".csv" else _read_xlsx(path)


def decode_csv(data: bytes) -> str:
    """The text of a CSV file in whichever of the encodings Excel writes it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: a Vietnamese Windows's ANSI code page.  Every byte decodes in it
        # except five unassigned ones, which a real list never holds.
        return data.decode("cp1258", errors="replace")


def _read_csv(path: Path) -> list[Row]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(
            path,
            f"{exc.strerror}. Nếu tệp đang mở ở chương trình khác, hãy đóng lại.",
            str(exc.strerror),
        ) from exc
    if data.startswith(b"PK\x03\x04"):
        raise _unreadable(
            path,
            "đây là tệp Excel (.xlsx) nhưng có đuôi .csv. Hãy đổi đuôi tên tệp thành .xlsx.",
            "an XLSX file named .csv; rename it to .xlsx.",
        )
    text = decode_csv(data)
    top = [line for line in text.splitlines()[:_LINES_FOR_DELIMITER] if line.strip()]
    delimiter = max(_DELIMITERS, key=lambda mark: sum(line.count(mark) for line in top))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        # Excel numbers records, not physical lines: a quoted cell over two lines is one.
        return [
            (line, tuple(restore(cell) for cell in cells))
            for line, cells in enumerate(reader, start=1)
        ]
    except csv.Error as exc:
        raise _unreadable(path, f"không phải tệp CSV hợp lệ ({exc}).", str(exc)) from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return restore(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a year typed as a number, 1956.0
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _read_xlsx(path: Path) -> list[Row]:
    # openpyxl raises many kinds of exception on a damaged or foreign file; at this
    # boundary each one means "cannot read this file".
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise _unreadable(
            path,
            "tệp hỏng hoặc không phải bảng tính Excel (.xlsx).",
            "damaged, or not an Excel workbook.",
        ) from exc
    try:
        sheet = workbook.active
        if sheet is None:
            raise _unreadable(path, "tệp không có trang tính nào.", "no worksheet.")
        return [
            (line, tuple(_cell_text(value) for value in values))
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    except UserError:
        raise
    except Exception as exc:
        raise _unreadable(path, "nội dung trang tính bị hỏng.", "damaged sheet.") from exc
    finally:
        workbook.close()
