"""Saving the tally's files where a person chose: complete or not at all, and a message
they can act on when the place cannot be written.

Each file is written beside its target and renamed over it at the end, so a failure
(full disk, folder not writable, the old file open in Excel) never leaves half a file
nor destroys the previous one.  The XLSX needs no Qt; the PDF loads Qt on first use.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

from villagehelper.campaigns.left_printout import LeftPrintout
from villagehelper.campaigns.report_lines import CampaignLine
from villagehelper.disk_errors import folder_problem
from villagehelper.errors import UserError
from villagehelper.ops.report_names import ReportNames
from villagehelper.reports.spreadsheet import compute_breakdown, write_tally_xlsx
from villagehelper.store.engine import Store
from villagehelper.tally.results import Tally

T = TypeVar("T")


def write_atomically(path: Path, write: Callable[[Path], T]) -> T:
    """``write`` a file next to ``path``, then rename it over ``path``."""
    partial = path.with_name(f".{path.stem}.part{path.suffix}")
    try:
        # Opened first by Python: an unwritable place is reported here, with the
        # system's reason, before any library tries (Qt would only say "cannot print").
        with partial.open("wb"):
            pass
        result = write(partial)
        os.replace(partial, path)
    except OSError as exc:
        _remove(partial)
        problem = folder_problem(exc, path.parent)
        if problem is not None:  # a full or read-only disk: say which and what to do
            raise problem from exc
        reason = exc.strerror or str(exc)
        raise UserError(
            f"Không ghi được tệp «{path}»: {reason}. Nếu tệp đang mở (Excel, trình đọc "
            "PDF), hãy đóng lại rồi làm lại; nếu không, hãy chọn thư mục khác.",
            f"Cannot write {path}: {reason}. If the file is open in another program, close "
            "it and try again; otherwise choose another folder.",
        ) from exc
    except BaseException:
        _remove(partial)
        raise
    return result


def _remove(partial: Path) -> None:
    # When the folder refused the file in the first place, nothing was left to remove.
    with contextlib.suppress(OSError):
        partial.unlink(missing_ok=True)


def save_tally_xlsx(store: Store, tally: Tally, path: Path, names: ReportNames) -> Path:
    """The report sheet and the by-village / by-member sheet of ``tally``."""
    breakdown = compute_breakdown(store, tally)
    write_atomically(
        path,
        lambda partial: write_tally_xlsx(
            tally,
            partial,
            commune_name=names.commune_name,
            village_name=names.village_name,
            breakdown=breakdown,
        ),
    )
    return path


def save_tally_pdf(
    tally: Tally,
    path: Path,
    names: ReportNames,
    printed_on: date,
    *,
    held_back: int = 0,
    campaigns: Sequence[CampaignLine] = (),
) -> int:
    """The printed report of ``tally`` as a PDF; the number of pages.

    Needs a ``QGuiApplication`` (fonts); runs on any one thread, the document being
    built and painted there.
    """
    from villagehelper.reports.weekly import build_weekly_document, write_pdf

    document = build_weekly_document(
        tally,
        commune_name=names.commune_name,
        village_name=names.village_name,
        prepared_by=names.prepared_by,
        leader_name=names.leader_name,
        printed_on=printed_on,
        held_back=held_back,
        campaigns=campaigns,
    )
    return write_atomically(path, lambda partial: write_pdf(document, partial))


def save_left_pdf(printout: LeftPrintout, path: Path, printed_on: date) -> int:
    """The team's "who is left" lists of ``printout`` as a PDF; the number of pages.
    Like :func:`save_tally_pdf`, needs a ``QGuiApplication`` and runs on any one thread."""
    from villagehelper.reports.campaign_left import build_lists_documents
    from villagehelper.reports.weekly import write_pdf

    documents = build_lists_documents(
        printout.lists, commune_name=printout.commune_name, printed_on=printed_on
    )
    return write_atomically(path, lambda partial: write_pdf(documents, partial))
