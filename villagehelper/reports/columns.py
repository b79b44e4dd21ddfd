"""Table columns sized from the report font's own metrics.

A Vietnamese word is one syllable: broken anywhere but at a space it is misread
("Thàn/h công").  The document wraps at spaces only (``WordWrap``), and every narrow
column is made as wide as the widest word it will ever hold, so a word never has to
overflow either; the one wide column (the service's name) takes what is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtGui import QFont, QFontMetricsF, QTextLength

# A hair of room for rounding between the metrics and the layout (document units).
SLACK = 2.0


def widest_word(texts: Iterable[str], font: QFont) -> float:
    """The advance of the widest whitespace-separated word of ``texts`` in ``font``."""
    metrics = QFontMetricsF(font)
    return max(
        (metrics.horizontalAdvance(word) for text in texts for word in text.split()),
        default=0.0,
    )


def widest_line(texts: Iterable[str], font: QFont) -> float:
    """The advance of the widest of ``texts``, each kept on one line."""
    metrics = QFontMetricsF(font)
    return max((metrics.horizontalAdvance(text) for text in texts), default=0.0)


def narrowest_width(text: str, font: QFont, max_lines: int) -> float:
    """The narrowest width in which ``text``, wrapped between words, takes at most
    ``max_lines`` lines: a column heading that stays short."""
    metrics = QFontMetricsF(font)
    words = text.split()
    space = metrics.horizontalAdvance(" ")
    advances = [metrics.horizontalAdvance(word) for word in words]

    def lines_at(width: float) -> int:
        lines, used = 1, 0.0
        for advance in advances:
            if used and used + space + advance > width:
                lines, used = lines + 1, advance
            else:
                used = used + space + advance if used else advance
        return lines

    # The width that fits is always that of some run of consecutive words.
    runs = sorted(
        metrics.horizontalAdvance(" ".join(words[first:last]))
        for first in range(len(words))
        for last in range(first + 1, len(words) + 1)
    )
    return next((width for width in runs if lines_at(width) <= max_lines), runs[-1] if runs else 0)


def fitted_columns(
    cells_by_column: Sequence[Sequence[str]],
    font: QFont,
    *,
    extra: float,
    stretch: int,
    heading_lines: int,
) -> list[QTextLength]:
    """Width constraints for a table whose first row is its headings: each column but
    ``stretch`` as wide as its widest word in ``font`` (the widest style the table uses)
    and as its heading needs to take at most ``heading_lines`` lines, plus ``extra``
    (padding and borders); ``stretch`` takes the rest of the table's width."""
    return [
        QTextLength(QTextLength.Type.VariableLength, 0)
        if column == stretch
        else QTextLength(
            QTextLength.Type.FixedLength,
            max(widest_word(cells, font), narrowest_width(cells[0], font, heading_lines))
            + extra
            + SLACK,
        )
        for column, cells in enumerate(cells_by_column)
    ]
