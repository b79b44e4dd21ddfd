"""How big a file one import takes, and what the person is told past that.

An import checks every row and writes the file in one transaction (all or nothing).  It
plans and writes a batch of rows at a time, but keeps the whole file's rows, packed, and
a digest of each id it must not see twice, so its memory still grows a little with the
rows (at the row limit ~190 MB for households, ~230 MB for sessions, ~75 MB of it the
program itself: ``benchmarks/import_memory.py``); the limits keep a laptop with little
memory safe and answer at once — before the rows are parsed — instead of after minutes
of work.  A commune's household list is a few thousand rows,
a district's some tens of thousands: the limits leave room for ten times that.
"""

from __future__ import annotations

from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.text import format_number

MAX_DATA_ROWS = 200_000
MAX_FILE_BYTES = 100 * 1024 * 1024
_MB = 1024 * 1024

_SPLIT_VI = (
    "Hãy chia tệp thành nhiều tệp nhỏ hơn (mỗi tệp giữ dòng tiêu đề ở trên cùng, ví dụ "
    "mỗi thôn một tệp) rồi nhập lần lượt từng tệp."
)
_SPLIT_EN = (
    "Split it into smaller files (each keeping the header row at the top, e.g. one file "
    "per village) and import them one after another."
)


def check_file_size(path: Path, size: int) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` before opening it."""
    if size <= MAX_FILE_BYTES:
        return
    shown, limit = format_number(-(-size // _MB)), format_number(MAX_FILE_BYTES // _MB)
    raise UserError(
        f"Tệp «{path.name}» nặng {shown} MB, quá giới hạn {limit} MB của một lần nhập. "
        + _SPLIT_VI,
        f"{path.name} is {-(-size // _MB):,} MB, over the {MAX_FILE_BYTES // _MB:,} MB one "
        "import takes. " + _SPLIT_EN,
    )


def too_many_rows(most: int = MAX_DATA_ROWS) -> UserError:
    """Said as soon as the row after the last one allowed is read; nothing is imported."""
    limit = format_number(most)
    return UserError(
        f"Tệp có hơn {limit} dòng dữ liệu, quá giới hạn của một lần nhập; chưa nhập gì. "
        + _SPLIT_VI,
        f"The file has more than {most:,} data rows, over the limit of one import; "
        "nothing "
        "was imported. " + _SPLIT_EN,
    )
