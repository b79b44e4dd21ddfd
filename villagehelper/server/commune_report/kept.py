"""Finished report PDFs kept in memory, per process, keyed by what they print.

Typesetting a month's report takes fpdf2 some 150 ms; the figures under it are counted
afresh on every request anyway (the replica caught up first, ``figures.py``).  So the
key is the figures themselves — every count of every village and service, the period,
the commune's and villages' names — with the table's layout and the printing date: a
single synced session that moves any printed number gives another key, and a sync that
moves none gives the same file it would have typeset again.  The code and the font are
the process's own, so a new version of the app starts with nothing kept.  The file's
creation time is that of its first typesetting.

Bounded: the ``KEPT_FILES`` most recently asked for (a report is some 60 KB).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from villagehelper.server.commune_report.figures import CommuneFigures
from villagehelper.server.commune_report.pdf import commune_report_pdf
from villagehelper.server.commune_report.table import Orientation

KEPT_FILES = 128


def kept_report_pdf(
    figures: CommuneFigures, orientation: Orientation, *, printed_on: date
) -> bytes:
    """``commune_report_pdf(figures, orientation, printed_on=printed_on)``, typeset once
    for the same figures, layout and day (blank preparer and signer, as the console
    prints it)."""
    return _typeset_once(figures, orientation, printed_on)


@lru_cache(maxsize=KEPT_FILES)  # thread-safe; frozen dataclasses hash by value
def _typeset_once(figures: CommuneFigures, orientation: Orientation, printed_on: date) -> bytes:
    return commune_report_pdf(figures, orientation, printed_on=printed_on)


def forget_kept_reports() -> None:
    """Drop every kept file (a benchmark's first requests, a test's fresh start)."""
    _typeset_once.cache_clear()


def kept_report_counts() -> tuple[int, int]:
    """How many requests were answered with a kept file, and how many were typeset."""
    info = _typeset_once.cache_info()
    return info.hits, info.misses
