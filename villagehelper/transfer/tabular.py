"""Spreadsheet files as rows of text cells: CSV (UTF-8, Excel-friendly) and XLSX.

The format is chosen by the file's extension.  Everything above this module sees a
file as numbered rows of strings, so households and sessions never care which format
they came from, and a round trip through either gives back the same text.

Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
get a leading apostrophe on export (OWASP "CSV injection"); reading strips one leading
apostrophe, which is also how Excel users mark "this is text", e.g. ``'0912…``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from villagehelper.disk_errors import folder_problem
from villagehelper.errors import UserError
from villagehelper.spreadsheet_cells import neutralise, restore
from villagehelper.transfer.limits import check_file_size

WriteCell = str | int | None

_DELIMITERS = (",", ";", "\t")
_ZIP_MAGIC = b"PK\x03\x04"


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row of the file; ``line`` is the row number Excel shows for it."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class OutColumn:
    title: str
    width: int  # in characters, for XLSX
    text: bool = True  # XLSX "@" format: what a person types later stays text (phones)


def file_format(path: Path) -> FileFormat:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return FileFormat.CSV
    if suffix in (".xlsx", ".xlsm"):
        return FileFormat.XLSX
    if suffix == ".xls":
        raise UserError(
            f"Tệp «{path.name}» là Excel đời cũ (.xls). Hãy mở bằng Excel và «Lưu thành» "
            "Sổ làm việc Excel (.xlsx) hoặc CSV UTF-8, rồi làm lại.",
            "Old .xls files are not supported: save as .xlsx or CSV UTF-8.",
        )
    raise UserError(
        f"Không biết định dạng của tệp «{path.name}»: tên tệp phải kết thúc bằng .csv hoặc .xlsx.",
        "The file name must end in .csv or .xlsx.",
    )


# --- reading ------------------------------------------------------------------------


def read_rows(path: Path) -> Iterator[RawRow]:
    """The rows of the file one by one (the first sheet shown in Excel, for XLSX), never
    all at once: the header is judged, and limits applied, before the rest is read.

    A file that does not exist, or is over the size limit, is refused here; a problem
    further down is raised when its row is reached.  Close the iterator when stopping
    early (:func:`contextlib.closing`): it holds the file open.
    """
    kind = file_format(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = -1
    if size < 0 or not path.is_file():
        raise UserError(
            f"Không tìm thấy tệp «{path}». Kiểm tra lại đường dẫn và tên tệp.",
            f"File not found: {path}",
        )
    check_file_size(path, size)
    return _read_csv(path) if kind is FileFormat.CSV else _read_xlsx(path)


def _unreadable(path: Path, why: str) -> UserError:
    return UserError(f"Không đọc được tệp «{path.name}»: {why}", f"Cannot read {path}: {why}")


def _open_failed(path: Path, exc: OSError) -> UserError:
    return _unreadable(path, f"{exc.strerror}. Nếu tệp đang mở ở chương trình khác, hãy đóng lại.")


def _read_csv(path: Path) -> Iterator[RawRow]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _open_failed(path, exc) from exc
    with handle:
        start = handle.read(len(_ZIP_MAGIC))
        if start.startswith(_ZIP_MAGIC):
            raise _unreadable(
                path,
                "đây là tệp Excel (.xlsx) nhưng lại có đuôi .csv. Hãy đổi đuôi tên tệp "
                "thành .xlsx.",
            )
        handle.seek(0)
        # Excel's "Unicode Text" is UTF-16 with a BOM; "CSV UTF-8" has a UTF-8 BOM; other
        # tools write UTF-8 without one.  Legacy Vietnamese code pages (Windows-1258,
        # TCVN3) cannot be told apart reliably, so they are refused with the fix.
        utf16 = start.startswith((b"\xff\xfe", b"\xfe\xff"))
        text = io.TextIOWrapper(handle, encoding="utf-16" if utf16 else "utf-8-sig", newline="")
        try:
            top = _lines_to_first_filled(text)
            reader = csv.reader(itertools.chain(top, text), delimiter=_guess_delimiter(top))
            # Excel numbers records, not physical lines: a quoted cell spanning two lines
            # is still one row.
            for line, cells in enumerate(reader, start=1):
                yield RawRow(line, tuple(restore(cell) for cell in cells))
        except UnicodeDecodeError as exc:
            raise _unreadable(
                path,
                "tệp không dùng bảng mã UTF-8 (có thể là bảng mã cũ như TCVN3 hay "
                "Windows-1258). Trong Excel, chọn «Lưu thành» → «CSV UTF-8 (Comma delimited)» "
                "rồi nhập lại tệp mới.",
            ) from exc
        except csv.Error as exc:
            raise _unreadable(path, f"không phải tệp CSV hợp lệ ({exc}).") from exc
        except OSError as exc:
            raise _open_failed(path, exc) from exc


# Blank lines above the header looked through for the delimiter; a header further down
# is no header (``columns.HEADER_SEARCH_ROWS`` is far fewer rows).
_BLANK_LINES_LOOKED_AT = 1000


def _lines_to_first_filled(text: Iterable[str]) -> list[str]:
    lines: list[str] = []
    for line in text:
        lines.append(line)
        if line.strip() or len(lines) >= _BLANK_LINES_LOOKED_AT:
            break
    return lines


def _guess_delimiter(top: Sequence[str]) -> str:
    # Excel in Vietnamese (and other comma-decimal) locales saves CSV with ';'.  The
    # header line decides: titles rarely contain a delimiter, whereas csv.Sniffer can be
    # misled by commas inside the names and addresses of the data rows.
    first = top[-1] if top else ""
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_xlsx(path: Path) -> Iterator[RawRow]:
    # openpyxl raises many kinds of exception on a damaged or foreign file (zip, XML,
    # key and value errors); at this boundary each one means "cannot read this file".
    # Read-only mode parses the sheet as it goes: rows are never all in memory.
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise _unreadable(path, "tệp hỏng hoặc không phải bảng tính Excel (.xlsx).") from exc
    try:
        sheet = workbook.active
        if sheet is None:
            raise _unreadable(path, "tệp không có trang tính nào.")
        rows = sheet.iter_rows(values_only=True)
        line = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise _unreadable(path, "nội dung trang tính bị hỏng.") from exc
            line += 1
            yield RawRow(line, tuple(_cell_text(value) for value in values))
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return restore(value)
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float) and value.is_integer():
        # Excel keeps typed numbers as floats: a birth year 1956.0, or a phone number
        # that lost its leading zero (912345678.0); the parsers take it from here.
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


# --- writing ------------------------------------------------------------------------


def write_rows(
    path: Path,
    columns: Sequence[OutColumn],
    rows: Iterable[Sequence[WriteCell]],
    *,
    sheet_title: str,
) -> int:
    """Write a header and ``rows``; returns the number of data rows written.

    The file appears complete or not at all: it is written beside the target and
    renamed over it at the end.
    """
    kind = file_format(path)
    partial = path.with_name(f".{path.stem}.part{path.suffix}")
    try:
        if kind is FileFormat.CSV:
            count = _write_csv(partial, columns, rows)
        else:
            count = _write_xlsx(partial, columns, rows, sheet_title)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # a disk that refused the file has none
            partial.unlink(missing_ok=True)
        problem = folder_problem(exc, path.parent)
        if problem is not None:  # a full or read-only disk: say which and what to do
            raise problem from exc
        raise UserError(
            f"Không ghi được tệp «{path}»: {exc.strerror}. Nếu tệp đang mở trong Excel, "
            "hãy đóng lại; nếu không, hãy chọn thư mục khác.",
            f"Cannot write {path}: {exc.strerror}",
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def _csv_cell(value: WriteCell) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def _write_csv(
    path: Path, columns: Sequence[OutColumn], rows: Iterable[Sequence[WriteCell]]
) -> int:
    count = 0
    # The BOM makes Excel on Windows read UTF-8 instead of the ANSI code page.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([column.title for column in columns])
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
            count += 1
    return count


def _xlsx_cell(value: WriteCell) -> WriteCell:
    if isinstance(value, str):
        # XML cannot hold most control characters; openpyxl would refuse the whole file.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _write_xlsx(
    path: Path,
    columns: Sequence[OutColumn],
    rows: Iterable[Sequence[WriteCell]],
    sheet_title: str,
) -> int:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for index, column in enumerate(columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        count += 1
    workbook.save(path)
    return count
