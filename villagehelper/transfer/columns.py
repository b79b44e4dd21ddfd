"""Which column is which: the titles we export and the ones commune spreadsheets use.

Titles are compared by :func:`header_key` (case, diacritics and punctuation ignored),
so "SỐ ĐIỆN THOẠI", "Số điện thoại:" and "so dien thoai" are the same title.  Each
column also answers to its English machine name (``household_id``), for files made by
scripts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field, replace

from villagehelper.errors import UserError
from villagehelper.text import search_key
from villagehelper.transfer.limits import MAX_DATA_ROWS, too_many_rows
from villagehelper.transfer.packed import PackedRows
from villagehelper.transfer.tabular import OutColumn, RawRow, WriteCell

# How far down a header row may sit below a title block ("DANH SÁCH HỘ … THÔN KHAY").
HEADER_SEARCH_ROWS = 20

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# A row of column numbers under the header, as administrative forms have: (1) (2) (3)…
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


def header_key(title: str) -> str:
    """ "Thôn/xóm" → "thon xom", "SĐT (*)" → "sdt", "household_id" → "household id"."""
    return " ".join(_NOT_ALNUM.sub(" ", search_key(title)).split())


@dataclass(frozen=True)
class Column:
    key: str  # the machine name, also accepted as a title
    title: str  # what exports write
    width: int = 14
    aliases: tuple[str, ...] = ()
    text: bool = True  # keep as text in Excel (ids, phones)

    def out(self) -> OutColumn:
        return OutColumn(self.title, self.width, self.text)


@dataclass(frozen=True)
class Spec:
    """The columns of one kind of file, in export order, plus titles to skip silently."""

    columns: tuple[Column, ...]
    ignored: tuple[str, ...] = ("STT", "TT", "Số TT", "Số thứ tự")
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for column in self.columns:
            for name in (column.key, column.title, *column.aliases):
                key = header_key(name)
                if lookup.setdefault(key, column.key) != column.key:
                    raise ValueError(f"title {name!r} names two columns")
        object.__setattr__(self, "_lookup", lookup)

    def column_key(self, title: str) -> str | None:
        return self._lookup.get(header_key(title))

    def is_ignored(self, title: str) -> bool:
        return header_key(title) in {header_key(name) for name in self.ignored}

    def title(self, key: str) -> str:
        return next(column.title for column in self.columns if column.key == key)

    def out_columns(self) -> list[OutColumn]:
        return [column.out() for column in self.columns]

    def out_row(self, values: dict[str, WriteCell]) -> list[WriteCell]:
        return [values.get(column.key) for column in self.columns]


@dataclass(frozen=True)
class Layout:
    """Where each known column sits in one particular file."""

    spec: Spec
    header_line: int
    positions: dict[str, int]  # column key → index in the row
    titles: dict[str, str]  # column key → title as written in the file
    ignored_titles: tuple[str, ...]  # titles we did not recognise, for the report

    def has(self, key: str) -> bool:
        return key in self.positions

    def title(self, key: str) -> str:
        """The title the person sees in their file (ours when the column is absent)."""
        return self.titles.get(key) or self.spec.title(key)

    def moved(self, old: str, new: str) -> Layout:
        """The same file with column ``old`` read as column ``new``."""
        positions = {new if k == old else k: v for k, v in self.positions.items()}
        titles = {new if k == old else k: v for k, v in self.titles.items()}
        return Layout(self.spec, self.header_line, positions, titles, self.ignored_titles)

    def values(self, row: RawRow) -> dict[str, str]:
        """Cell text of the known columns present in the file, trimmed."""
        cells = row.cells
        return {
            key: cells[index].strip() if index < len(cells) else ""
            for key, index in self.positions.items()
        }


def _matches(cells: Sequence[str], spec: Spec) -> int:
    return sum(1 for cell in cells if cell.strip() and spec.column_key(cell) is not None)


def _is_blank(row: RawRow) -> bool:
    return not any(cell.strip() for cell in row.cells)


def _is_column_numbers(row: RawRow) -> bool:
    filled = [cell.strip() for cell in row.cells if cell.strip()]
    return len(filled) > 1 and all(_COLUMN_NUMBER.match(cell) for cell in filled)


def locate(
    rows: Iterable[RawRow],
    spec: Spec,
    what_vi: str,
    check: Callable[[Layout], Layout] | None = None,
) -> tuple[Layout, PackedRows]:
    """Find the header row (the one naming most known columns near the top) and return
    the layout and the data rows under it, blank rows and column-number rows left out.

    ``rows`` is read as a stream: the header is judged from the top rows alone, so a
    file without one — or whose columns ``check`` refuses (it may also return the
    layout read another way) — is refused before the rest is read; more data rows than
    :data:`~villagehelper.transfer.limits.MAX_DATA_ROWS` are refused as soon as the
    next one is read.  The rows kept hold the known columns' cells only (the layout
    returned points into those), and the stream is closed either way.
    """
    stream = iter(rows)
    try:
        candidates = list(itertools.islice(stream, HEADER_SEARCH_ROWS))
        best = max(candidates, key=lambda row: _matches(row.cells, spec), default=None)
        if best is None or _matches(best.cells, spec) == 0:
            expected = ", ".join(f"«{column.title}»" for column in spec.columns[:8])
            raise UserError(
                f"Không tìm thấy dòng tiêu đề của {what_vi} trong tệp: cần các cột như {expected}…",
                "No header row with known column titles was found.",
            )
        layout = _header_layout(best, spec)
        if check is not None:
            layout = check(layout)
        kept = sorted(set(layout.positions.values()))  # the file's indexes of known columns
        data = PackedRows()  # every row is needed before any is written: kept small
        for row in itertools.chain(candidates, stream):
            if row.line <= best.line or _is_blank(row) or _is_column_numbers(row):
                continue
            if len(data) == MAX_DATA_ROWS:
                raise too_many_rows(MAX_DATA_ROWS)
            cells = row.cells
            data.append(RawRow(row.line, tuple(cells[i] if i < len(cells) else "" for i in kept)))
    finally:
        if isinstance(stream, Generator):  # a reader holding its file open
            stream.close()
    compact = {key: kept.index(index) for key, index in layout.positions.items()}
    return replace(layout, positions=compact), data


def _header_layout(header: RawRow, spec: Spec) -> Layout:
    positions: dict[str, int] = {}
    titles: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header.cells):
        title = cell.strip()
        key = spec.column_key(title) if title else None
        if key is None:
            if title and not spec.is_ignored(title):
                ignored.append(title)
            continue
        if key in positions:
            raise UserError(
                f"Hai cột «{titles[key]}» và «{title}» đều được hiểu là «{spec.title(key)}». "
                "Hãy xóa hoặc đổi tên một cột rồi nhập lại.",
                f"Two columns both mean {key}.",
            )
        positions[key] = index
        titles[key] = title
    return Layout(spec, header.line, positions, titles, tuple(ignored))


def require_any(layout: Layout, *keys: str) -> None:
    """Refuse a file that has none of ``keys`` (one of them is enough)."""
    if any(layout.has(key) for key in keys):
        return
    titles = " hoặc ".join(f"«{layout.spec.title(key)}»" for key in keys)
    raise UserError(
        f"Tệp thiếu cột {titles}. Hãy thêm cột này vào dòng tiêu đề rồi nhập lại.",
        f"Missing column: one of {', '.join(keys)}.",
    )


# --- the two kinds of file -------------------------------------------------------------

_VILLAGE_ALIASES = (
    "Tên thôn",
    "Thôn/xóm",
    "Thôn xóm",
    "Xóm",
    "Thôn/tổ dân phố",
    "Thôn, tổ dân phố",
    "Thôn/TDP",
    "Tổ dân phố",
    "TDP",
    "Khu phố",
    "Ấp",
    "Bản",
    "Làng",
    "village",
)
# Titles that say the villages are urban (tổ dân phố) rather than rural (thôn).
URBAN_VILLAGE_TITLES = frozenset(header_key(t) for t in ("Tổ dân phố", "TDP", "Khu phố"))

HOUSEHOLDS = Spec(
    (
        Column("commune_code", "Mã xã", 8, ("Mã xã/phường", "Mã phường", "Mã đơn vị")),
        Column("commune_name", "Xã", 18, ("Xã/phường", "Tên xã", "Phường", "commune")),
        Column("village_id", "Mã thôn", 38),
        Column("village_name", "Thôn", 18, _VILLAGE_ALIASES),
        Column("household_id", "Mã hộ", 38, ("Mã hộ gia đình", "ID hộ")),
        Column(
            "head_name",
            "Chủ hộ",
            24,
            (
                "Họ tên chủ hộ",
                "Họ và tên chủ hộ",
                "Tên chủ hộ",
                "Chủ hộ gia đình",
            ),
        ),
        Column(
            "address_detail",
            "Địa chỉ",
            24,
            (
                "Địa chỉ chi tiết",
                "Số nhà",
                "Số nhà, đường",
                "Nơi ở",
                "address",
            ),
        ),
        Column(
            "household_phone",
            "SĐT hộ",
            13,
            (
                "Số điện thoại hộ",
                "Điện thoại hộ",
                "SĐT chủ hộ",
                "Số điện thoại chủ hộ",
                "Điện thoại chủ hộ",
            ),
        ),
        Column("notes", "Ghi chú", 24, ("notes", "note")),
        Column("member_id", "Mã nhân khẩu", 38),
        Column(
            "member_name",
            "Họ và tên",
            24,
            (
                "Họ tên",
                "Họ tên nhân khẩu",
                "Họ và tên nhân khẩu",
                "Tên nhân khẩu",
                "Nhân khẩu",
                "Thành viên hộ",
                "full_name",
                "name",
            ),
        ),
        Column(
            "birth_year",
            "Năm sinh",
            9,
            (
                "Năm sinh (yyyy)",
                "Ngày sinh",
                "Ngày tháng năm sinh",
                "Ngày, tháng, năm sinh",
            ),
            text=False,
        ),
        Column(
            "member_phone",
            "SĐT",
            13,
            (
                "Số điện thoại",
                "Điện thoại",
                "Số ĐT",
                "ĐT",
                "SĐT nhân khẩu",
                "Di động",
                "phone",
            ),
        ),
        Column(
            "consent",
            "Đồng ý",
            8,
            (
                "Đồng ý xử lý dữ liệu",
                "Đồng ý xử lý dữ liệu cá nhân",
                "Đồng ý cung cấp thông tin",
            ),
        ),
        Column("consent_date", "Ngày đồng ý", 12),
        # Team members by name: a file is read by people, and names are what they know.
        Column("consent_recorded_by", "Người ghi nhận đồng ý", 22),
        Column("consent_withdrawn_date", "Ngày rút lại đồng ý", 12),
        Column("consent_withdrawn_by", "Người ghi nhận rút lại", 22),
    )
)

SESSIONS = Spec(
    (
        Column("session_id", "Mã lượt", 38, ("Mã lượt hỗ trợ", "id")),
        Column("visit_id", "Mã lần đến", 38, ("Mã lần hỗ trợ", "Mã buổi")),
        Column(
            "occurred_at",
            "Thời gian",
            26,
            (
                "Thời điểm",
                "Ngày giờ",
                "Ngày hỗ trợ",
                "Thời gian hỗ trợ",
                "Ngày",
                "time",
            ),
        ),
        Column("household_id", "Mã hộ", 38, ("Mã hộ gia đình", "ID hộ")),
        Column("head_name", "Chủ hộ", 24, ("Họ tên chủ hộ", "Họ và tên chủ hộ", "Tên chủ hộ")),
        Column("village_name", "Thôn", 18, _VILLAGE_ALIASES),
        Column("member_id", "Mã nhân khẩu", 38),
        Column(
            "member_name",
            "Người được hỗ trợ",
            24,
            (
                "Họ và tên",
                "Họ tên",
                "Họ tên người được hỗ trợ",
                "Người dân",
                "member_name",
            ),
        ),
        Column("service_code", "Mã loại hỗ trợ", 18, ("Mã dịch vụ", "service")),
        Column(
            "service_label",
            "Loại hỗ trợ",
            36,
            (
                "Nội dung hỗ trợ",
                "Dịch vụ",
                "Nội dung",
                "Hỗ trợ",
                "service_label_vi",
            ),
        ),
        Column("outcome", "Kết quả", 11, ("Kết quả hỗ trợ",)),
        Column("follow_up_date", "Ngày hẹn lại", 12, ("Ngày hẹn", "Hẹn lại ngày")),
        Column("failure_reason", "Lý do", 24, ("Lý do chưa thành công", "Lý do không thành công")),
        Column("note", "Ghi chú", 24, ("notes",)),
        Column("volunteer_id", "Mã người hỗ trợ", 38, ("Mã thành viên tổ",)),
        Column(
            "volunteer_name",
            "Người hỗ trợ",
            22,
            (
                "Thành viên tổ",
                "Người thực hiện",
                "Người ghi",
                "Cán bộ hỗ trợ",
                "Tổ viên",
                "volunteer",
            ),
        ),
        Column("device_id", "Mã thiết bị", 38),
        Column("replaces_id", "Thay cho lượt", 38, ("Thay thế lượt", "replaces")),
        Column("voided", "Đã hủy", 8, ("Hủy",)),
    )
)
