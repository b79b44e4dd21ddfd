"""The printed weekly tally (báo cáo tuần) in the administrative format of Decree 30/2020.

The report is a :class:`QTextDocument` built with a cursor (user text is inserted as
plain text, never as HTML), laid out on the A4 body left by the decree's margins, and
painted page by page onto a :class:`QPrinter` so that the page number can go in the top
margin from page 2 on, as the decree asks (``QTextDocument.print`` would number every
page, at the bottom).

A ``QGuiApplication`` must exist (fonts); QtWidgets is not needed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrameFormat,
    QTextLength,
    QTextOption,
    QTextTable,
    QTextTableCellFormat,
    QTextTableFormat,
)
from PySide6.QtPrintSupport import QPrinter

from villagehelper.disk_errors import unreported_write_failure
from villagehelper.reports.columns import fitted_columns, widest_line
from villagehelper.reports.fonts import register_report_fonts
from villagehelper.reports.keep_together import TablePart, next_break
from villagehelper.reports.titles import REPORT_TITLE, period_title
from villagehelper.tally.results import Counts, Tally
from villagehelper.text import format_number

BODY_PT = 13.0
TITLE_PT = 14.0
# The table's text: the decree sets no size for tables, and at 12 pt all fourteen
# services, the headers and the signatures fit on one A4 page.
TABLE_PT = 12.0
CELL_PADDING = 3.0

# Decree 30/2020, Appendix I: A4, margins top/bottom 20-25 mm, left 30-35, right 15-20.
PAGE_MM = QSizeF(210.0, 297.0)
MARGIN_TOP_MM = 20.0
MARGIN_BOTTOM_MM = 20.0
MARGIN_LEFT_MM = 30.0
MARGIN_RIGHT_MM = 15.0
BODY_MM = QSizeF(
    PAGE_MM.width() - MARGIN_LEFT_MM - MARGIN_RIGHT_MM,
    PAGE_MM.height() - MARGIN_TOP_MM - MARGIN_BOTTOM_MM,
)
MM_PER_INCH = 25.4

COLUMNS = (
    "STT",
    "Loại hỗ trợ",
    "Số lượt",
    "Số người",
    "Thành công",
    "Hẹn lại",
    "Chưa thành công",
    "Lũy kế từ đầu năm",
)
NAME_COLUMN = 1  # the service's name: the one column that takes the rest of the width
HEADING_LINES = 3  # "Lũy kế / từ đầu / năm": narrow number columns, a short header row
# Prefixes an official village name may already carry ("Thôn Khay", "Tổ dân phố 3").
VILLAGE_PREFIXES = (
    "THÔN ",
    "XÓM ",
    "BẢN ",
    "ẤP ",
    "LÀNG ",
    "BUÔN ",
    "PLEI ",
    "SÓC ",
    "TỔ ",
    "KHU ",
)
COMMUNE_PREFIXES = ("Xã ", "Phường ", "Thị trấn ", "Đặc khu ")
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def _layout_dpi() -> float:
    """The resolution a QTextDocument without a paint device lays text out at.

    Mirrors Qt's qt_defaultDpiY so the page size given to the document is in the same
    units as its fonts, on any platform (72 on macOS, 96 elsewhere, 100 with no screen).
    """
    if QCoreApplication.testAttribute(Qt.ApplicationAttribute.AA_Use96Dpi):
        return 96.0
    screen = QGuiApplication.primaryScreen()
    return float(round(screen.logicalDotsPerInchY())) if screen is not None else 100.0


def report_font(point_size: float = BODY_PT, *, bold: bool = False) -> QFont:
    """The bundled font (``reports/fonts.py``), never what the machine happens to have."""
    font = QFont(register_report_fonts())
    font.setPointSizeF(point_size)
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setBold(bold)
    # The font's own advances, not those hinted for a screen by the machine's fontconfig
    # settings: otherwise lines wrapped at other words on another machine.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def place_name(commune_name: str) -> str:
    """ "Xã Gia Lộc" -> "Gia Lộc": the decree's place line uses the bare name."""
    for prefix in COMMUNE_PREFIXES:
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :].strip()
    return commune_name.strip()


def date_line(commune_name: str, printed_on: date) -> str:
    """ "Gia Lộc, ngày 05 tháng 12 năm 2026": two-digit day below 10 and months 1-2 (the
    decree's rule, so that "tháng 1" cannot be altered into "tháng 11" or "12")."""
    month = f"{printed_on.month:02d}" if printed_on.month < 3 else str(printed_on.month)
    return (
        f"{place_name(commune_name)}, ngày {printed_on.day:02d} tháng {month} năm {printed_on.year}"
    )


def issuing_body(village_name: str | None) -> str:
    team_line = "TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"
    if not village_name:
        return team_line
    village = village_name.strip().upper()
    if not village.startswith(VILLAGE_PREFIXES):
        village = "THÔN " + village
    return f"{team_line} {village}"


def _char(
    *, bold: bool = False, italic: bool = False, point_size: float = BODY_PT
) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setFont(report_font(point_size))
    fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    fmt.setFontItalic(italic)
    return fmt


def _block(
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignHCenter,
    *,
    top: float = 0.0,
    bottom: float = 0.0,
    rule_percent: float | None = None,
) -> QTextBlockFormat:
    fmt = QTextBlockFormat()
    fmt.setAlignment(align)
    fmt.setTopMargin(top)
    fmt.setBottomMargin(bottom)
    if rule_percent is not None:
        # An empty block with a trailing ruler: the short line under a header (vector,
        # so it prints sharp).
        fmt.setProperty(
            QTextFormat.Property.BlockTrailingHorizontalRulerWidth,
            QTextLength(QTextLength.Type.PercentageLength, rule_percent),
        )
    return fmt


def _borderless_table(cursor: QTextCursor, rows: int, widths: list[QTextLength]) -> QTextTable:
    fmt = QTextTableFormat()
    fmt.setBorder(0)
    fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_None)
    fmt.setCellPadding(0)
    fmt.setCellSpacing(0)
    fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    fmt.setColumnWidthConstraints(widths)
    return cursor.insertTable(rows, len(widths), fmt)


def _percent(*widths: float) -> list[QTextLength]:
    return [QTextLength(QTextLength.Type.PercentageLength, width) for width in widths]


def _lines(
    cursor: QTextCursor, lines: list[tuple[str, QTextCharFormat]], *, rule: float | None = None
) -> None:
    """Centred lines in the current (empty) table cell, optionally a rule under them."""
    for index, (text, fmt) in enumerate(lines):
        if index:
            cursor.insertBlock(_block(), fmt)
        else:
            cursor.setBlockFormat(_block())
            cursor.setBlockCharFormat(fmt)
        cursor.insertText(text, fmt)
    if rule is not None:
        small = _char(point_size=4.0)
        cursor.insertBlock(_block(rule_percent=rule), small)


def _header(
    cursor: QTextCursor, commune_name: str, village_name: str | None, printed_on: date
) -> None:
    bold = _char(bold=True)
    # Decree 30: the issuing body on the left, the national name and motto on the right,
    # each on one line: the right block is as wide as its longest line, the left takes
    # the rest (its lines wrap between words).
    right = [
        (NATIONAL_NAME, report_font(bold=True)),
        (MOTTO, report_font(bold=True)),
        (date_line(commune_name, printed_on), _char(italic=True).font()),
    ]
    right_width = max(widest_line([text], font) for text, font in right) + 4.0
    table = _borderless_table(
        cursor,
        2,
        [
            QTextLength(QTextLength.Type.VariableLength, 0),
            QTextLength(QTextLength.Type.FixedLength, right_width),
        ],
    )
    cursor.setPosition(table.cellAt(0, 0).firstPosition())
    _lines(
        cursor,
        [
            ("UBND " + commune_name.strip().upper(), _char()),
            (issuing_body(village_name), bold),
        ],
        rule=35.0,
    )
    cursor.setPosition(table.cellAt(0, 1).firstPosition())
    _lines(
        cursor,
        [
            (NATIONAL_NAME, bold),
            (MOTTO, bold),
        ],
        rule=55.0,
    )
    cursor.setPosition(table.cellAt(1, 1).firstPosition())
    cursor.setBlockFormat(_block(top=6.0))
    cursor.insertText(date_line(commune_name, printed_on), _char(italic=True))
    cursor.movePosition(QTextCursor.MoveOperation.End)


def _counts_cells(counts: Counts) -> list[str]:
    return [
        format_number(value)
        for value in (
            counts.sessions,
            counts.people,
            counts.done,
            counts.follow_up,
            counts.failed,
            counts.cumulative,
        )
    ]


def _data_rows(tally: Tally) -> list[list[str]]:
    """The table's rows under its header: one per service, then the total."""
    # Services with activity this year (in the period or before it since 1 January): a
    # service nobody has asked for all year tells the commune nothing.
    active = [row for row in tally.rows if row.counts.sessions or row.counts.cumulative]
    rows = [
        [str(number), row.label_vi, *_counts_cells(row.counts)]
        for number, row in enumerate(active, start=1)
    ]
    rows.append(["", "Tổng cộng", *_counts_cells(tally.totals)])
    return rows


def _table_columns(rows: list[list[str]]) -> list[QTextLength]:
    # Every cell measured in bold, the widest style the table uses (header and total).
    cells_by_column = [
        [heading, *(row[index] for row in rows)] for index, heading in enumerate(COLUMNS)
    ]
    return fitted_columns(
        cells_by_column,
        report_font(TABLE_PT, bold=True),
        extra=2 * CELL_PADDING + 1.0,  # padding both sides and the collapsed grid line
        stretch=NAME_COLUMN,
        heading_lines=HEADING_LINES,
    )


def _table(
    cursor: QTextCursor,
    rows: list[list[str]],
    columns: list[QTextLength],
    *,
    with_total: bool,
) -> QTextTable:
    """One table of the report: the header row, then ``rows`` (the total last when
    ``with_total``)."""
    fmt = QTextTableFormat()
    fmt.setBorder(1.0)
    fmt.setBorderBrush(QBrush(QColor(0, 0, 0)))
    fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
    # Collapsed: one line between cells (otherwise each cell draws its own box).
    fmt.setBorderCollapse(True)
    fmt.setCellPadding(CELL_PADDING)
    fmt.setCellSpacing(0)
    # Repeated by Qt only if one row were taller than a page; otherwise keep_together
    # starts a new table, with its own header row, before a row that would break.
    fmt.setHeaderRowCount(1)
    fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    fmt.setColumnWidthConstraints(columns)
    all_rows = [list(COLUMNS), *rows]
    table = cursor.insertTable(len(all_rows), len(COLUMNS), fmt)
    last = len(all_rows) - 1
    for row_index, values in enumerate(all_rows):
        emphasised = row_index == 0 or (with_total and row_index == last)
        for column, text in enumerate(values):
            cell = table.cellAt(row_index, column)
            cell_format = QTextTableCellFormat()
            # Explicit: a cell format without border properties draws no grid line.
            cell_format.setBorder(1.0)
            cell_format.setBorderBrush(QBrush(QColor(0, 0, 0)))
            cell_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
            cell_format.setPadding(CELL_PADDING)
            cell_format.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignMiddle)
            cell.setFormat(cell_format)
            if row_index == 0 or column == 0:
                align = Qt.AlignmentFlag.AlignHCenter
            elif column == NAME_COLUMN:
                align = Qt.AlignmentFlag.AlignLeft
            else:
                align = Qt.AlignmentFlag.AlignRight
            cell_cursor = cell.firstCursorPosition()
            cell_cursor.setBlockFormat(_block(align))
            cell_cursor.insertText(text, _char(bold=emphasised, point_size=TABLE_PT))
    cursor.movePosition(QTextCursor.MoveOperation.End)
    return table


def _signatures(cursor: QTextCursor, prepared_by: str, leader_name: str) -> QTextTable:
    table = _borderless_table(cursor, 1, _percent(50.0, 50.0))
    for column, (role, name) in enumerate(
        (("Người lập biểu", prepared_by), ("TỔ TRƯỞNG", leader_name))
    ):
        cell_cursor = table.cellAt(0, column).firstCursorPosition()
        _lines(
            cell_cursor,
            [
                (role, _char(bold=True)),
                ("(Ký, ghi rõ họ tên)", _char(italic=True)),
                # Room for the signature: four empty lines, as on paper forms.
                *(("", _char()) for _ in range(4)),
                (name.strip(), _char(bold=True)),
            ],
        )
    cursor.movePosition(QTextCursor.MoveOperation.End)
    return table


def build_weekly_document(
    tally: Tally,
    *,
    commune_name: str,
    village_name: str | None,
    prepared_by: str,
    leader_name: str,
    printed_on: date,
    held_back: int = 0,
) -> QTextDocument:
    """The weekly report of ``tally``: counts only, never a resident's name.

    ``commune_name`` is the official name ("Xã Gia Lộc"); ``village_name`` is given when
    the tally is filtered to one village; the two names are team members' (signatures).
    ``held_back``: sessions the commune server held back for an impossible date
    (``ops/implausible.py``), which the note says are not counted.
    """

    def header(cursor: QTextCursor) -> None:
        _header(cursor, commune_name, village_name, printed_on)

    def signatures(cursor: QTextCursor) -> QTextTable:
        return _signatures(cursor, prepared_by, leader_name)

    rows = _data_rows(tally)
    breaks: list[int] = []
    while True:  # laid out again with each new page break, until no row straddles one
        document, parts, signed = _compose(
            tally, rows, breaks, header=header, signatures=signatures, held_back=held_back
        )
        row = next_break(document, parts, signed, len(rows))
        if row is None:
            return document
        breaks.append(row)


def _compose(
    tally: Tally,
    rows: list[list[str]],
    breaks: list[int],
    *,
    header: Callable[[QTextCursor], None],
    signatures: Callable[[QTextCursor], QTextTable],
    held_back: int,
) -> tuple[QTextDocument, list[TablePart], QTextTable]:
    """The report with its table cut before each data row of ``breaks``; its parts and
    its signatures."""
    document = QTextDocument()
    document.setDefaultFont(report_font())
    # Lines break between words only: a Vietnamese word is a syllable, never to be cut.
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    document.setDefaultTextOption(option)
    document.setUseDesignMetrics(True)  # laid out for paper, the same on every machine
    document.setDocumentMargin(0)  # the page margins are the decree's, applied when painting
    dpi = _layout_dpi()
    document.setPageSize(
        QSizeF(BODY_MM.width() / MM_PER_INCH * dpi, BODY_MM.height() / MM_PER_INCH * dpi)
    )
    document.setMetaInformation(
        QTextDocument.MetaInformation.DocumentTitle, f"Báo cáo tuần {tally.period.label}"
    )
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    header(cursor)

    cursor.insertBlock(_block(top=18.0), _char(bold=True, point_size=TITLE_PT))
    cursor.insertText(REPORT_TITLE, _char(bold=True, point_size=TITLE_PT))
    cursor.insertBlock(_block(bottom=12.0), _char(bold=True, point_size=TITLE_PT))
    cursor.insertText(period_title(tally.period), _char(bold=True, point_size=TITLE_PT))

    columns = _table_columns(rows)
    parts: list[TablePart] = []
    for start, end in zip([0, *breaks], [*breaks, len(rows)], strict=True):
        if start:
            # The page break goes on the (tiny) block between two tables: on the table
            # itself it would add a second one when the block has already gone over.
            between = _block(Qt.AlignmentFlag.AlignLeft)
            between.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            cursor.insertBlock(between, _char(point_size=1.0))
        else:
            cursor.insertBlock(_block(Qt.AlignmentFlag.AlignLeft))
        table = _table(cursor, rows[start:end], columns, with_total=end == len(rows))
        parts.append(TablePart(table, start))

    # Totals are distinct counts, so "Số người" there is not the sum of the column.
    note = _block(Qt.AlignmentFlag.AlignLeft, top=4.0, bottom=18.0)
    cursor.insertBlock(note, _char(italic=True, point_size=11.0))
    cursor.insertText(
        "Ghi chú: dòng Tổng cộng đếm mỗi người một lần, dù được hỗ trợ nhiều loại."
        + (
            f" Chưa tính {held_back} lượt hỗ trợ có ngày không hợp lý (đồng hồ máy ghi sai), "
            "chờ tổ trưởng sửa lại ngày."
            if held_back
            else ""
        ),
        _char(italic=True, point_size=11.0),
    )
    cursor.insertBlock(_block())
    signed = signatures(cursor)
    cursor.endEditBlock()
    return document, parts, signed


def write_pdf(document: QTextDocument, path: Path) -> int:
    """Print ``document`` (from :func:`build_weekly_document`) to a PDF; the page count."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setCreator("VillageHelper")
    prepare_printer(printer, document)
    pages = paint_pages(document, printer)
    if not _ends_as_a_pdf(path):  # Qt says nothing when the disk refuses the file
        raise unreported_write_failure(path)
    return pages


def _ends_as_a_pdf(path: Path) -> bool:
    with path.open("rb") as pdf:
        pdf.seek(max(0, path.stat().st_size - 64))
        return b"%%EOF" in pdf.read()


def prepare_printer(printer: QPrinter, document: QTextDocument) -> None:
    """A4 portrait on the whole sheet, as :func:`paint_pages` expects: the margins are
    painted by hand, so that the page number can sit in the top one.  Used for the PDF,
    the print preview and paper."""
    printer.setDocName(document.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
    printer.setFullPage(True)
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )


def paint_pages(document: QTextDocument, printer: QPrinter) -> int:
    """Paint every page of ``document`` on ``printer`` (PDF or paper); the page count."""
    resolution = printer.resolution()

    def device(mm: float) -> float:
        return mm / MM_PER_INCH * resolution

    page = document.pageSize()
    # Document units per inch, recovered from the body width it was built for.
    scale = device(BODY_MM.width()) / page.width()
    pages = document.pageCount()
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(f"Cannot print to {printer.outputFileName() or printer.printerName()}")
    try:
        number_font = report_font()
        for index in range(pages):
            if index:
                printer.newPage()
                # Decree 30: page numbers from page 2, centred in the top margin.
                painter.setFont(number_font)
                painter.setPen(Qt.GlobalColor.black)
                painter.drawText(
                    QRectF(
                        device(MARGIN_LEFT_MM), device(8.0), device(BODY_MM.width()), device(8.0)
                    ),
                    Qt.AlignmentFlag.AlignCenter,
                    str(index + 1),
                )
            painter.save()
            painter.translate(device(MARGIN_LEFT_MM), device(MARGIN_TOP_MM))
            painter.scale(scale, scale)
            painter.translate(0, -index * page.height())
            document.drawContents(
                painter, QRectF(0, index * page.height(), page.width(), page.height())
            )
            painter.restore()
    finally:
        painter.end()
    return pages


def write_weekly_pdf(
    tally: Tally,
    path: Path,
    *,
    commune_name: str,
    village_name: str | None,
    prepared_by: str,
    leader_name: str,
    printed_on: date,
    held_back: int = 0,
) -> int:
    """Build and print the weekly report to ``path`` from a command line, creating the
    Qt application it needs; returns the page count."""
    import os
    import sys

    from PySide6.QtGui import QGuiApplication

    # Without a display Qt would abort the process instead of drawing off screen.
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1] or ["villagehelper"])
    register_report_fonts()
    document = build_weekly_document(
        tally,
        commune_name=commune_name,
        village_name=village_name,
        prepared_by=prepared_by,
        leader_name=leader_name,
        printed_on=printed_on,
        held_back=held_back,
    )
    pages = write_pdf(document, path)
    del app  # kept alive until the PDF is written
    return pages
