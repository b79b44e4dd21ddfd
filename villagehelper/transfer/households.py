"""Households and their members to and from a spreadsheet: one row per member.

The household columns repeat on every member row; a household without members is one
row with the member columns empty.  Import rules, as a volunteer meets them:

- rows with a household id ("Mã hộ") belong to that household; rows without one are
  grouped by village, head's name and address (case and diacritics ignored) and matched
  the same way against the laptop's households, so importing a commune list twice
  creates nothing the second time;
- a column the file does not have leaves that field of an existing record alone; a
  household cell left empty on one member row takes its value from the other rows;
- villages the file names are created when missing, and the file's commune must be
  the laptop's (a laptop without a commune yet is bound to the file's);
- every value passes the same checks as the household form, and every write goes
  through the outbox.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError
from villagehelper.ops.privacy import note_export
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.store.models import Commune, Household, Member, TeamMember, Village
from villagehelper.transfer.cells import format_bool, format_day
from villagehelper.transfer.columns import HOUSEHOLDS, SESSIONS, Layout, locate, require_any
from villagehelper.transfer.common import ticking
from villagehelper.transfer.household_plan import HouseholdPlanner
from villagehelper.transfer.places import FileVillages, file_commune
from villagehelper.transfer.report import ImportReport, Progress, ProgressTicker
from villagehelper.transfer.tabular import RawRow, WriteCell, file_format, read_rows, write_rows

SHEET_TITLE = "Hộ gia đình"
# Titles that only a sessions file has: importing one as households is a mistake.
_SESSION_ONLY = ("outcome", "service_code", "service_label", "session_id")


def export_households(
    store: Store, path: Path, *, progress: Progress | None = None, by: str | None = None
) -> int:
    """Write every household and member (not deleted ones); returns the rows written."""
    file_format(path)  # a wrong extension is refused before any work
    with store.reading() as session:
        rows = _export_rows(session)
    ticker = ProgressTicker(progress, len(rows))
    count = write_rows(
        path, HOUSEHOLDS.out_columns(), ticking(rows, ticker), sheet_title=SHEET_TITLE
    )
    ticker.finish()
    # Only once the file is whole: a failed export wrote no personal data.
    note_export(store, "households", count, path, by)
    return count


def _export_rows(session: Session) -> list[list[WriteCell]]:
    commune = session.scalars(select(Commune)).first()
    place: dict[str, WriteCell] = {
        "commune_code": commune.code if commune else None,
        "commune_name": commune.name if commune else None,
    }
    team = {
        row.id: row.full_name
        for row in session.execute(select(TeamMember.id, TeamMember.full_name))
    }
    members: dict[str, list[dict[str, WriteCell]]] = defaultdict(list)
    member_query = (
        select(
            Member.household_id,
            Member.id,
            Member.full_name,
            Member.birth_year,
            Member.phone,
            Member.consent,
            Member.consent_date,
            Member.consent_recorded_by,
            Member.consent_withdrawn_date,
            Member.consent_withdrawn_by,
        )
        .where(Member.deleted.is_(False))
        .order_by(Member.name_sort_key, Member.id)
    )
    for m in session.execute(member_query):
        members[m.household_id].append(
            {
                "member_id": m.id,
                "member_name": m.full_name,
                "birth_year": m.birth_year,
                "member_phone": m.phone,
                "consent": format_bool(m.consent),
                "consent_date": format_day(m.consent_date),
                "consent_recorded_by": team.get(m.consent_recorded_by or ""),
                "consent_withdrawn_date": format_day(m.consent_withdrawn_date),
                "consent_withdrawn_by": team.get(m.consent_withdrawn_by or ""),
            }
        )
    household_query = (
        select(
            Household.id,
            Household.village_id,
            Village.name,
            Household.head_name,
            Household.address_detail,
            Household.phone,
            Household.notes,
        )
        .join(Village, Village.id == Household.village_id)
        .where(Household.deleted.is_(False))
        .order_by(Village.name_key, Household.head_sort_key, Household.id)
    )
    rows: list[list[WriteCell]] = []
    for h in session.execute(household_query):
        household: dict[str, WriteCell] = {
            **place,
            "village_id": h.village_id,
            "village_name": h.name,
            "household_id": h.id,
            "head_name": h.head_name,
            "address_detail": h.address_detail,
            "household_phone": h.phone,
            "notes": h.notes,
        }
        for member in members.get(h.id) or [{}]:
            rows.append(HOUSEHOLDS.out_row({**household, **member}))
    return rows


def _household_layout(layout: Layout) -> Layout:
    # A sessions file has "Mã hộ", "Chủ hộ" and "Thôn" too; its own titles give it away.
    if any(SESSIONS.column_key(title) in _SESSION_ONLY for title in layout.ignored_titles):
        raise UserError(
            "Tệp này có vẻ là danh sách lượt hỗ trợ (có cột «Kết quả» / «Loại hỗ trợ»), "
            "không phải danh sách hộ. Hãy nhập nó bằng «nhập lượt hỗ trợ» "
            "(villagehelper import sessions).",
            "This looks like a sessions file.",
        )
    require_any(layout, "household_id", "head_name")
    if not layout.has("household_id"):
        require_any(layout, "village_name", "village_id")
    # One row per household: a bare "Số điện thoại" is the household's phone.
    if not layout.has("member_name") and not layout.has("household_phone"):
        layout = layout.moved("member_phone", "household_phone")
    return layout


def import_households(
    store: Store,
    path: Path,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import households and members in one transaction (rules: module docstring).

    A bad row rejects the file (:class:`ImportRejected`, nothing written) unless
    ``skip_invalid``: then each household whose rows are all good goes in.  Rows are
    planned and written a batch at a time (``household_plan``); the one transaction
    keeps it all or nothing.
    """
    layout, data = locate(read_rows(path), HOUSEHOLDS, "danh sách hộ", _household_layout)
    ticker = ProgressTicker(progress, 2 * len(data))
    changes = Changes()
    with store.transaction() as session:
        now = store.now()
        commune = file_commune(session, store, _distinct_codes(layout, data))
        villages = FileVillages(session, commune.code, layout.title("village_name"), now)
        planner = HouseholdPlanner(
            session, layout, villages, vietnam_today(now), skip_invalid=skip_invalid
        )
        counts = planner.import_rows(data, changes, ticker)
        planner.problems.reject_unless(skip_invalid)  # rolls back what was written
        villages_created = villages.finish()
    ticker.finish()
    return ImportReport(
        kind="households",
        rows_read=len(data),
        imported=counts.households_new,
        updated=counts.households_updated,
        unchanged=counts.households_unchanged,
        skipped=planner.problems.sorted(),
        members_imported=counts.members_new,
        members_updated=counts.members_updated,
        villages_created=villages_created,
        ignored_columns=layout.ignored_titles,
        changes=changes,
    )


def _distinct_codes(layout: Layout, data: Sequence[RawRow]) -> dict[int, str]:
    """The first line of each different "Mã xã" cell (line → cell), all that
    :func:`file_commune` needs, instead of one entry per row."""
    first: dict[str, int] = {}
    for row in data:
        first.setdefault(layout.values(row).get("commune_code", ""), row.line)
    return {line: text for text, line in first.items()}
