"""The tally screen's tables: by service (the report's rows) and by village.

Both show the engine's :class:`~villagehelper.tally.Counts` as they are; the total line
comes from the engine too, because people and households are distinct counts (one person
helped with two services is one person) and are not the sums of the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from villagehelper.text import format_number
from villagehelper.ui.widgets.choice_lists import RowsModel

if TYPE_CHECKING:
    from villagehelper.tally import Counts, Tally
    from villagehelper.tally.overview import VillageTally

# Counts attributes in column order, after the leading columns.
COUNT_FIELDS = ("sessions", "people", "households", "done", "follow_up", "failed", "cumulative")
MINUS = "−"  # a real minus sign: a hyphen is easy to miss in a column of numbers


def change_text(change: int) -> str:
    if change > 0:
        return f"+{format_number(change)}"
    if change < 0:
        return MINUS + format_number(-change)
    return "0"


def rate_text(rate: float | None) -> str:
    """ "8,8 %" (decimal comma); a dash when there is nothing to divide by."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}".replace(".", ",") + " %"


@dataclass(frozen=True)
class CountsLine:
    """One table line: its leading texts (STT and service, or village), its counts."""

    lead: tuple[str, ...]
    counts: Counts
    is_total: bool = False
    rate: float | None = None  # households with the basic skills (village table)
    lead_tooltip: str = ""


class CountsModel(RowsModel[CountsLine]):
    """Leading text columns, the seven counts, the change, and optionally a rate."""

    LEADS = 1  # how many leading text columns
    WITH_RATE = False

    def __init__(self, parent: QObject | None = None) -> None:
        columns = self.LEADS + len(COUNT_FIELDS) + 1 + int(self.WITH_RATE)
        super().__init__(parent, columns=columns)
        self._change_title = self.tr("So với\nkỳ trước")
        self._previous_name = self.tr("Kỳ trước")

    def lead_titles(self) -> list[str]:
        raise NotImplementedError

    def set_previous_period(self, title: str, name: str) -> None:
        """How the change column names the period compared with ("tuần trước"…)."""
        self._change_title = title
        self._previous_name = name
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def column_titles(self) -> Sequence[str]:
        titles = [
            *self.lead_titles(),
            self.tr("Số\nlượt"),
            self.tr("Số\nngười"),
            self.tr("Số hộ"),
            self.tr("Thành\ncông"),
            self.tr("Hẹn lại"),
            self.tr("Chưa\nthành công"),
            self.tr("Lũy kế\ntừ đầu năm"),
            self._change_title,
        ]
        if self.WITH_RATE:
            titles.append(self.tr("Hộ đạt\nkỹ năng số"))
        return titles

    def numbers(self, row: int) -> list[int]:
        """The counts of line ``row`` as numbers, in column order (then the change)."""
        counts = self.row(row).counts
        return [int(getattr(counts, name)) for name in COUNT_FIELDS] + [counts.change]

    def cell(self, value: CountsLine, column: int, role: int) -> object:
        lead = len(value.lead)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(value, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= lead:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and value.is_total:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column < lead:
                return value.lead_tooltip or value.lead[column]
            if column == lead + len(COUNT_FIELDS):
                return (
                    self.tr("%1: %2 lượt")
                    .replace("%1", self._previous_name)
                    .replace("%2", format_number(value.counts.previous_sessions))
                )
        return None

    def _text(self, value: CountsLine, column: int) -> str:
        lead = len(value.lead)
        if column < lead:
            return value.lead[column]
        index = column - lead
        if index < len(COUNT_FIELDS):
            return format_number(int(getattr(value.counts, COUNT_FIELDS[index])))
        if index == len(COUNT_FIELDS):
            return change_text(value.counts.change)
        return rate_text(value.rate)


class ServiceTallyModel(CountsModel):
    """The report's rows: STT, service, counts; then the total line."""

    LEADS = 2

    def lead_titles(self) -> list[str]:
        return [self.tr("STT"), self.tr("Loại hỗ trợ")]

    def set_tally(self, tally: Tally, language: str) -> None:
        # As on the printout: services with something to show this period or this year;
        # a service nobody asked for all year is a row of zeros.
        shown = [
            row
            for row in tally.rows
            if row.counts.sessions
            or row.counts.cumulative
            or row.counts.previous_sessions
            or row.counts.open_follow_ups
        ]
        lines = [
            CountsLine(
                (str(number), row.label_en if language == "en" else row.label_vi), row.counts
            )
            for number, row in enumerate(shown, start=1)
        ]
        lines.append(CountsLine(("", self.tr("Tổng cộng")), tally.totals, is_total=True))
        self.set_rows(lines)


class VillageTallyModel(CountsModel):
    """One line per village, then the whole commune (the tally's totals)."""

    WITH_RATE = True

    def lead_titles(self) -> list[str]:
        return [self.tr("Thôn")]

    def set_villages(self, villages: Sequence[VillageTally], tally: Tally) -> None:
        lines = [
            CountsLine((village.name,), village.counts, rate=village.basic_skills.rate)
            for village in villages
        ]
        lines.append(
            CountsLine(
                (self.tr("Toàn xã"),), tally.totals, is_total=True, rate=tally.basic_skills.rate
            )
        )
        self.set_rows(lines)
