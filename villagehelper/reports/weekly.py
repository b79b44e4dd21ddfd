"""The printed weekly tally (báo cáo tuần) in the administrative format of Decree 30/2020.

The report is a :class:`QTextDocument` built with a cursor (user text is inserted as
plain text, never as HTML), laid out on the A4 body left by the decree's margins, and
painted page by page onto a :class:`QPrinter` so that the page number can go in the top
margin from page 2 on, as the decree asks (``QTextDocument.print`` would number every
page, at the bottom).

A ``QGuiApplication`` must exist (fonts); QtWidgets is not needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextOption,
    QTextTable,
)
from PySide6.QtPrintSupport import QPrinter

from villagehelper.campaigns.report_lines import CampaignLine
from villagehelper.disk_errors import unreported_write_failure
from villagehelper.reports.campaign_table import write_campaign_progress
from villagehelper.reports.counts_table import data_rows, table_columns, write_counts_table
from villagehelper.reports.fonts import register_report_fonts
from villagehelper.reports.keep_together import TablePart, next_break
from villagehelper.reports.official_form import write_letterhead, write_signatures
from villagehelper.reports.typesetting import block_format, char_format, layout_dpi, report_font
from villagehelper.tally.report_wording import REPORT_TITLE, period_title
from villagehelper.tally.results import Tally

TITLE_PT = 14.0

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


def build_weekly_document(
    tally: Tally,
    *,
    commune_name: str,
    village_name: str | None,
    prepared_by: str,
    leader_name: str,
    printed_on: date,
    held_back: int = 0,
    campaigns: Sequence[CampaignLine] = (),
) -> QTextDocument:
    """The weekly report of ``tally``: counts only, never a resident's name.

    ``commune_name`` is the official name ("Xã Gia Lộc"); ``village_name`` is given when
    the tally is filtered to one village; the two names are team members' (signatures).
    ``held_back``: sessions the commune server held back for an impossible date
    (``ops/implausible.py``), which the note says are not counted.  ``campaigns``: the
    open campaigns' progress, printed after the week's table (campaigns/report_lines.py).
    """

    def header(cursor: QTextCursor) -> None:
        write_letterhead(cursor, commune_name, village_name, printed_on)

    def signatures(cursor: QTextCursor) -> QTextTable:
        return write_signatures(cursor, prepared_by, leader_name)

    rows = data_rows(tally)
    breaks: list[int] = []
    while True:  # laid out again with each new page break, until no row straddles one
        document, parts, signed = _compose(
            tally,
            rows,
            breaks,
            header=header,
            signatures=signatures,
            held_back=held_back,
            campaigns=campaigns,
        )
        row = next_break(document, parts, signed, len(rows))
        if row is None:
            return document
        breaks.append(row)


def new_a4_document(title: str) -> QTextDocument:
    """An empty document laid out on the A4 body the decree's margins leave."""
    document = QTextDocument()
    document.setDefaultFont(report_font())
    # Lines break between words only: a Vietnamese word is a syllable, never to be cut.
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    document.setDefaultTextOption(option)
    document.setUseDesignMetrics(True)  # laid out for paper, the same on every machine
    document.setDocumentMargin(0)  # the page margins are the decree's, applied when painting
    dpi = layout_dpi()
    document.setPageSize(
        QSizeF(BODY_MM.width() / MM_PER_INCH * dpi, BODY_MM.height() / MM_PER_INCH * dpi)
    )
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    return document


def _compose(
    tally: Tally,
    rows: list[list[str]],
    breaks: list[int],
    *,
    header: Callable[[QTextCursor], None],
    signatures: Callable[[QTextCursor], QTextTable],
    held_back: int,
    campaigns: Sequence[CampaignLine],
) -> tuple[QTextDocument, list[TablePart], QTextTable]:
    """The report with its table cut before each data row of ``breaks``; its parts and
    its signatures."""
    document = new_a4_document(f"Báo cáo tuần {tally.period.label}")
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    header(cursor)

    cursor.insertBlock(block_format(top=18.0), char_format(bold=True, point_size=TITLE_PT))
    cursor.insertText(REPORT_TITLE, char_format(bold=True, point_size=TITLE_PT))
    cursor.insertBlock(block_format(bottom=12.0), char_format(bold=True, point_size=TITLE_PT))
    cursor.insertText(period_title(tally.period), char_format(bold=True, point_size=TITLE_PT))

    columns = table_columns(rows)
    parts: list[TablePart] = []
    for start, end in zip([0, *breaks], [*breaks, len(rows)], strict=True):
        if start:
            # The page break goes on the (tiny) block between two tables: on the table
            # itself it would add a second one when the block has already gone over.
            between = block_format(Qt.AlignmentFlag.AlignLeft)
            between.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            cursor.insertBlock(between, char_format(point_size=1.0))
        else:
            cursor.insertBlock(block_format(Qt.AlignmentFlag.AlignLeft))
        table = write_counts_table(cursor, rows[start:end], columns, with_total=end == len(rows))
        parts.append(TablePart(table, start))

    # Totals are distinct counts, so "Số người" there is not the sum of the column.
    note = block_format(Qt.AlignmentFlag.AlignLeft, top=4.0, bottom=18.0)
    cursor.insertBlock(note, char_format(italic=True, point_size=11.0))
    cursor.insertText(
        "Ghi chú: dòng Tổng cộng đếm mỗi người một lần, dù được hỗ trợ nhiều loại."
        + (
            f" Chưa tính {held_back} lượt hỗ trợ có ngày không hợp lý (đồng hồ máy ghi sai), "
            "chờ tổ trưởng sửa lại ngày."
            if held_back
            else ""
        ),
        char_format(italic=True, point_size=11.0),
    )
    if campaigns:
        write_campaign_progress(cursor, campaigns)
    cursor.insertBlock(block_format())
    signed = signatures(cursor)
    cursor.endEditBlock()
    return document, parts, signed


def write_pdf(document: QTextDocument | Sequence[QTextDocument], path: Path) -> int:
    """Print ``document`` (from :func:`build_weekly_document`) to a PDF, or several
    documents one after another (each from a new page, numbered from its own first);
    the page count."""
    documents = [document] if isinstance(document, QTextDocument) else list(document)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setCreator("VillageHelper")
    prepare_printer(printer, documents[0])
    pages = paint_documents(documents, printer)
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
    return paint_documents([document], printer)


def paint_documents(documents: Sequence[QTextDocument], printer: QPrinter) -> int:
    """Paint ``documents`` on ``printer`` one after another, each from a new page and
    numbered from its own first page (several villages' lists in one file, each village
    taking its own pages away); the page count.  Each is laid out on its own, so one
    document's pages never depend on where another ended."""
    resolution = printer.resolution()

    def device(mm: float) -> float:
        return mm / MM_PER_INCH * resolution

    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(f"Cannot print to {printer.outputFileName() or printer.printerName()}")
    painted = 0
    try:
        number_font = report_font()
        for document in documents:
            page = document.pageSize()
            # Document units per inch, recovered from the body width it was built for.
            scale = device(BODY_MM.width()) / page.width()
            for index in range(document.pageCount()):
                if painted:
                    printer.newPage()
                painted += 1
                if index:
                    # Decree 30: page numbers from page 2, centred in the top margin.
                    painter.setFont(number_font)
                    painter.setPen(Qt.GlobalColor.black)
                    painter.drawText(
                        QRectF(
                            device(MARGIN_LEFT_MM),
                            device(8.0),
                            device(BODY_MM.width()),
                            device(8.0),
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
    return painted


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
    campaigns: Sequence[CampaignLine] = (),
) -> int:
    """Build and print the weekly report to ``path`` from a command line, creating the
    Qt application it needs; returns the page count."""
    return print_from_command_line(
        lambda: build_weekly_document(
            tally,
            commune_name=commune_name,
            village_name=village_name,
            prepared_by=prepared_by,
            leader_name=leader_name,
            printed_on=printed_on,
            held_back=held_back,
            campaigns=campaigns,
        ),
        path,
    )


def print_from_command_line(
    build: Callable[[], QTextDocument | Sequence[QTextDocument]], path: Path
) -> int:
    """``build()``'s document printed to ``path``, with the Qt application a command
    line lacks made first and kept until the PDF is written; the page count."""
    app = printing_app()
    pages = write_pdf(build(), path)
    del app
    return pages


def printing_app() -> QGuiApplication:
    """The Qt application a report needs from a command line (made if there is none),
    the report font registered; keep it referenced until the PDF is written."""
    import os
    import sys

    # Without a display Qt would abort the process instead of drawing off screen.
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    found = QGuiApplication.instance()
    app = (
        found
        if isinstance(found, QGuiApplication)
        else QGuiApplication(sys.argv[:1] or ["villagehelper"])
    )
    register_report_fonts()
    return app
