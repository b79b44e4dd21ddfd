"""The page numbers a printout carries (Decree 30/2020: from a document's second page,
in the top margin), when one file holds several documents: the "who is left" lists of
every village, each handed to its own village's team, are numbered each from its own
first page rather than through the file.

A document that starts on a new page inside another marks its first block with
:data:`STARTS_A_DOCUMENT`; :func:`page_labels` finds those blocks on the laid-out pages.
"""

from __future__ import annotations

from PySide6.QtGui import QTextBlockFormat, QTextDocument, QTextFormat

# A block property (Qt's user range): this block begins a document of its own.
STARTS_A_DOCUMENT = int(QTextFormat.Property.UserProperty) + 1


def mark_document_start(block: QTextBlockFormat) -> None:
    block.setProperty(STARTS_A_DOCUMENT, True)


def page_labels(document: QTextDocument) -> list[str]:
    """Each page's number as printed: nothing on a document's first page, then 2, 3…"""
    layout = document.documentLayout()
    page_height = document.pageSize().height()
    first_pages = {0}
    block = document.begin()
    while block.isValid():
        if block.blockFormat().boolProperty(STARTS_A_DOCUMENT):
            # The block opens its page (it breaks the page before it): its top is the
            # page's top, which Qt's layout may put a hair above it (1942.656 for a page
            # boundary at 1942.677): a document unit's leeway, far under a line.
            top = layout.blockBoundingRect(block).top()
            first_pages.add(int((top + 1.0) // page_height))
        block = block.next()
    labels: list[str] = []
    first = 0
    for index in range(document.pageCount()):
        if index in first_pages:
            first = index
        labels.append("" if index == first else str(index - first + 1))
    return labels
