"""Typesetting of the printed reports: the bundled font, text formats, borderless tables.

Every format takes its font from :func:`report_font`, so no path can print in a font the
machine happens to have; sizes are in points, laid out for paper (design metrics).
A ``QGuiApplication`` must exist (fonts).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextFrameFormat,
    QTextLength,
    QTextTable,
    QTextTableFormat,
)

from villagehelper.reports.fonts import register_report_fonts

BODY_PT = 13.0


def layout_dpi() -> float:
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


def char_format(
    *, bold: bool = False, italic: bool = False, point_size: float = BODY_PT
) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setFont(report_font(point_size))
    fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    fmt.setFontItalic(italic)
    return fmt


def block_format(
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


def borderless_table(cursor: QTextCursor, rows: int, widths: list[QTextLength]) -> QTextTable:
    fmt = QTextTableFormat()
    fmt.setBorder(0)
    fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_None)
    fmt.setCellPadding(0)
    fmt.setCellSpacing(0)
    fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    fmt.setColumnWidthConstraints(widths)
    return cursor.insertTable(rows, len(widths), fmt)


def percent_widths(*widths: float) -> list[QTextLength]:
    return [QTextLength(QTextLength.Type.PercentageLength, width) for width in widths]


def centred_lines(
    cursor: QTextCursor, lines: list[tuple[str, QTextCharFormat]], *, rule: float | None = None
) -> None:
    """Centred lines in the current (empty) table cell, optionally a rule under them."""
    for index, (text, fmt) in enumerate(lines):
        if index:
            cursor.insertBlock(block_format(), fmt)
        else:
            cursor.setBlockFormat(block_format())
            cursor.setBlockCharFormat(fmt)
        cursor.insertText(text, fmt)
    if rule is not None:
        small = char_format(point_size=4.0)
        cursor.insertBlock(block_format(rule_percent=rule), small)
