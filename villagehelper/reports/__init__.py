"""Reports: the printed weekly tally (Qt) and its spreadsheet exports (no Qt).

The Qt names are loaded on first use, not at import, so that the command line and the
spreadsheet export can import :mod:`villagehelper.reports.spreadsheet` without Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from villagehelper.reports.weekly import build_weekly_document as build_weekly_document
    from villagehelper.reports.weekly import write_pdf as write_pdf

_QT_NAMES = ("build_weekly_document", "write_pdf")


def __getattr__(name: str) -> Any:
    if name in _QT_NAMES:
        from villagehelper.reports import weekly

        return getattr(weekly, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
