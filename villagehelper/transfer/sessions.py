"""Help sessions to and from a spreadsheet: one row per session (one service given).

Times are written in Vietnam time with their offset (ISO-8601, "+07:00"), so a round
trip gives back the same instant; the household's head and village, the person's and
the volunteer's names and the service's label travel beside the ids for people
reading the file, and let a list without ids find its records by name.
"""

from __future__ import annotations

from pathlib import Path

from villagehelper.ops.privacy import note_export
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import SessionRow, list_sessions
from villagehelper.store.engine import Store
from villagehelper.transfer.cells import format_bool, format_day, format_moment
from villagehelper.transfer.columns import SESSIONS, Layout, locate, require_any
from villagehelper.transfer.common import ticking
from villagehelper.transfer.import_changes import ImportChanges
from villagehelper.transfer.report import ImportReport, Progress, ProgressTicker
from villagehelper.transfer.session_plan import SessionPlanner
from villagehelper.transfer.tabular import WriteCell, file_format, read_rows, write_rows

SHEET_TITLE = "Lượt hỗ trợ"


def export_sessions(
    store: Store, path: Path, *, progress: Progress | None = None, by: str | None = None
) -> int:
    """Write every session, voided ones included (marked), oldest first."""
    file_format(path)  # a wrong extension is refused before any work
    sessions = list_sessions(store, SessionFilter(include_voided=True), newest_first=False)
    ticker = ProgressTicker(progress, len(sessions))
    rows = (_export_row(row) for row in ticking(sessions, ticker))
    count = write_rows(path, SESSIONS.out_columns(), rows, sheet_title=SHEET_TITLE)
    ticker.finish()
    # Only once the file is whole: a failed export wrote no personal data.
    note_export(store, "sessions", count, path, by)
    return count


def _export_row(row: SessionRow) -> list[WriteCell]:
    return SESSIONS.out_row(
        {
            "session_id": row.id,
            "visit_id": row.visit_id,
            "occurred_at": format_moment(row.occurred_at),
            "household_id": row.household_id,
            "head_name": row.head_name,
            "village_name": row.village_name,
            "member_id": row.member_id,
            "member_name": row.member_name,
            "service_code": row.service_code,
            "service_label": row.service_label,
            "outcome": row.outcome,
            "follow_up_date": format_day(row.follow_up_date),
            "failure_reason": row.failure_reason,
            "note": row.note,
            "volunteer_id": row.volunteer_id,
            "volunteer_name": row.volunteer_name,
            "device_id": row.device_id,
            "replaces_id": row.replaces_id,
            "voided": format_bool(row.voided),
        }
    )


def _session_layout(layout: Layout) -> Layout:
    require_any(layout, "household_id", "head_name")
    require_any(layout, "service_code", "service_label")
    require_any(layout, "occurred_at")
    require_any(layout, "volunteer_id", "volunteer_name")
    return layout


def import_sessions(
    store: Store,
    path: Path,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import help sessions; their households must be on the laptop already.

    One transaction: a bad row rejects the whole file unless ``skip_invalid``, which
    imports the good rows and lists the others in the report.  Rows are checked and
    written a batch at a time (``session_plan``); the one transaction keeps it all or
    nothing.
    """
    layout, data = locate(read_rows(path), SESSIONS, "danh sách lượt hỗ trợ", _session_layout)
    ticker = ProgressTicker(progress, 2 * len(data))
    changes = ImportChanges()  # the ids a view looks up; of new sessions, one
    with store.transaction() as session:
        planner = SessionPlanner(session, store, layout, skip_invalid=skip_invalid)
        counts = planner.import_rows(data, changes, ticker)
        planner.problems.reject_unless(skip_invalid)  # rolls back what was written
    ticker.finish()
    return ImportReport(
        kind="sessions",
        rows_read=len(data),
        imported=counts.imported,
        updated=counts.voided_existing,
        unchanged=planner.unchanged,
        skipped=planner.problems.sorted(),
        volunteers_created=counts.volunteers_created,
        ignored_columns=layout.ignored_titles,
        changes=changes,
    )
