"""The commune's report table, whichever way it is turned: villages as rows (services as
columns) or services as rows (villages as columns).

Each cell of the grid is a number of help sessions (số lượt).  After the grid, for the
row's village or service: its sessions (Cộng), the people helped (Số người) and the
sessions since 1 January (Lũy kế từ đầu năm).  The total row is the commune's own tally,
not a sum: people are distinct over the whole commune (one person helped in two services
is one person), as on the laptop's printout.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from villagehelper.errors import ValidationError
from villagehelper.server.commune_report.figures import CommuneFigures, village_counts
from villagehelper.spreadsheet_style import TOTAL_LABEL
from villagehelper.tally.results import Counts, ServiceTally


class Orientation(StrEnum):
    VILLAGES_AS_ROWS = "villages"
    SERVICES_AS_ROWS = "services"


ROW_HEADINGS = {
    Orientation.VILLAGES_AS_ROWS: "Thôn, tổ dân phố",
    Orientation.SERVICES_AS_ROWS: "Loại hỗ trợ",
}
SUMMARY_HEADINGS = ("Cộng", "Số người", "Lũy kế từ đầu năm")
NOTE = "Ghi chú: dòng Tổng cộng đếm mỗi người một lần, dù được hỗ trợ nhiều loại."


@dataclass(frozen=True)
class ReportRow:
    number: str  # STT, empty on the total row
    label: str
    values: tuple[int, ...]  # the grid's cells, then the summary columns


@dataclass(frozen=True)
class ReportTable:
    orientation: Orientation
    grid_headings: tuple[str, ...]  # the service or village of each grid column
    rows: tuple[ReportRow, ...]
    total: ReportRow
    # False on the parts of a table cut by column (:func:`column_parts`) but the last.
    with_summary: bool = True

    @property
    def headings(self) -> tuple[str, ...]:
        summary = SUMMARY_HEADINGS if self.with_summary else ()
        return ("STT", ROW_HEADINGS[self.orientation], *self.grid_headings, *summary)


def column_parts(table: ReportTable, parts: int) -> list[ReportTable]:
    """``table`` cut into ``parts`` tables of about as many grid columns each, for a grid
    wider than a page (many villages as columns): every part has the rows' numbers and
    names, the summary columns go with the last."""
    grid = len(table.grid_headings)
    size = -(-grid // parts)  # rounded up
    cut: list[ReportTable] = []
    for start in range(0, grid, size):
        end = min(start + size, grid)
        last = end == grid
        cut.append(
            ReportTable(
                table.orientation,
                table.grid_headings[start:end],
                tuple(_part_of(row, start, end, grid if last else None) for row in table.rows),
                _part_of(table.total, start, end, grid if last else None),
                with_summary=last,
            )
        )
    return cut


def parse_orientation(text: str) -> Orientation:
    try:
        return Orientation(text.strip().lower())
    except ValueError as error:
        raise ValidationError(
            "rows",
            f"Cách xếp bảng không hợp lệ: {text!r}. Chọn 'villages' (thôn theo hàng) "
            "hoặc 'services' (loại hỗ trợ theo hàng).",
            f"Bad table layout {text!r}: choose 'villages' or 'services' as rows.",
        ) from error


def _part_of(row: ReportRow, start: int, end: int, summary_from: int | None) -> ReportRow:
    """Grid columns ``start`` to ``end`` of ``row``, and its summary (the values from
    ``summary_from`` on) when given."""
    summary = row.values[summary_from:] if summary_from is not None else ()
    return ReportRow(row.number, row.label, (*row.values[start:end], *summary))


def _summary(counts: Counts) -> tuple[int, int, int]:
    return counts.sessions, counts.people, counts.cumulative


def reported_services(figures: CommuneFigures) -> list[ServiceTally]:
    """Services with work in the commune this year (in the period or since 1 January),
    as the laptop's printout lists them: a service nobody asked for all year tells the
    commune nothing."""
    return [row for row in figures.commune.rows if row.counts.sessions or row.counts.cumulative]


def build_table(figures: CommuneFigures, orientation: Orientation) -> ReportTable:
    services = reported_services(figures)
    by_village = [(village.name, village_counts(village)) for village in figures.villages]
    commune_total = _summary(figures.commune.totals)
    if orientation is Orientation.VILLAGES_AS_ROWS:
        rows = tuple(
            ReportRow(
                str(number),
                village.name,
                (
                    *(counts.get(service.service_code, Counts()).sessions for service in services),
                    *_summary(village.tally.totals),
                ),
            )
            for number, (village, (_, counts)) in enumerate(
                zip(figures.villages, by_village, strict=True), start=1
            )
        )
        total = ReportRow(
            "", TOTAL_LABEL, (*(row.counts.sessions for row in services), *commune_total)
        )
        return ReportTable(orientation, tuple(row.label_vi for row in services), rows, total)
    rows = tuple(
        ReportRow(
            str(number),
            service.label_vi,
            (
                *(counts.get(service.service_code, Counts()).sessions for _, counts in by_village),
                *_summary(service.counts),
            ),
        )
        for number, service in enumerate(services, start=1)
    )
    total = ReportRow(
        "",
        TOTAL_LABEL,
        (*(village.tally.totals.sessions for village in figures.villages), *commune_total),
    )
    return ReportTable(orientation, tuple(name for name, _ in by_village), rows, total)
