"""Checking a sessions file and writing what passed, a thousand rows at a time.

Sessions are immutable events: a row whose id the laptop already has is either the
same session (unchanged), the same session now voided (a void event is added), or a
conflict reported on its row; it is never edited.  Rows without ids (a commune list)
are matched on household, person, service and time, so importing twice adds nothing.

Each batch of rows is matched with the laptop's records, checked and written before the
next is looked at; what later rows are checked against across the whole file (ids and
sessions already seen) is kept as digests in flat arrays, and the visit of rows without
one is derived from its household, moment and volunteer (``seen_rows``); what a row
refers to (household, member, service, volunteer) is found by ``session_references``.
Once a bad row is found in a file that is not skipping them, nothing more is written
but every row is still checked; the import's one transaction then rolls back the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.clock import vietnam_today
from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.ops.inputs import ServiceOutcome
from villagehelper.ops.sessions import clean_service_outcome, insert_session, void_in
from villagehelper.store.changelog import Changes, record_insert
from villagehelper.store.engine import Store
from villagehelper.store.kinds import Role
from villagehelper.store.models import Commune, HelpSession, TeamMember
from villagehelper.transfer.cells import (
    parse_bool,
    parse_day,
    parse_id,
    parse_moment,
    parse_outcome,
)
from villagehelper.transfer.columns import Layout
from villagehelper.transfer.common import Problems, batches, load_by_ids
from villagehelper.transfer.packed import PackedRows
from villagehelper.transfer.report import ProgressTicker
from villagehelper.transfer.seen_rows import SeenLines, VisitIds
from villagehelper.transfer.session_references import SessionReferences

IMPORT_VOID_REASON = "Đã hủy (nhập từ tệp)"
# Fields compared with a session the laptop already has; the rest only when the file
# has the column (a commune list has no visit or device ids).
_COMPARED = (
    "household_id",
    "member_id",
    "service_code",
    "outcome",
    "follow_up_date",
    "failure_reason",
    "note",
    "volunteer_id",
    "occurred_at",
)
_COMPARED_IF_PRESENT = ("visit_id", "device_id", "replaces_id")
# Rows planned, written and flushed together (their records and pending writes).
BATCH_ROWS = 1000

NaturalKey = tuple[str, str | None, str, datetime]


class _SessionValues(TypedDict):
    """A checked row: the keyword arguments of ``insert_session`` but its id."""

    visit_id: str
    household_id: str
    member_id: str | None
    volunteer_id: str
    occurred_at: datetime
    device_id: str
    note: str
    replaces_id: str | None
    outcome_values: dict[str, object]


def _column(values: _SessionValues, name: str) -> object:
    outcome = values["outcome_values"]
    return outcome[name] if name in outcome else values[name]  # type: ignore[literal-required]


@dataclass
class _PlannedSession:
    session_id: str
    values: _SessionValues
    voided: bool


@dataclass
class SessionWriteCounts:
    imported: int = 0
    voided_existing: int = 0
    volunteers_created: int = 0


class SessionPlanner:
    def __init__(
        self, session: Session, store: Store, layout: Layout, *, skip_invalid: bool
    ) -> None:
        self._session = session
        self._store = store
        self._layout = layout
        self._skip_invalid = skip_invalid
        self._now = store.now()
        self._today = vietnam_today(self._now)
        self._device_id = store.device_id
        self._problems = Problems(layout)
        self._unchanged = 0
        # The whole file: session id → line, (household, person, service, time) → line.
        self._seen_ids = SeenLines()
        self._seen_natural = SeenLines()
        self._visits = VisitIds()
        self._references = SessionReferences(session, layout)
        self._volunteers_written: set[str] = set()
        # The batch being planned.
        self._planned: list[_PlannedSession] = []
        self._to_void: list[tuple[str, str]] = []
        self._used_volunteers: set[str] = set()
        self._households_touched: set[str] = set()

    @property
    def problems(self) -> Problems:
        return self._problems

    @property
    def unchanged(self) -> int:
        return self._unchanged

    def import_rows(
        self, rows: PackedRows, changes: Changes, ticker: ProgressTicker
    ) -> SessionWriteCounts:
        """Plan and write every row (rules: module docstring); each row is taken from
        ``rows`` once planned."""
        self._references.load_catalogue(rows)
        counts = SessionWriteCounts()
        for start in range(0, len(rows), BATCH_ROWS):
            taken = (rows.take(index) for index in range(start, min(start + BATCH_ROWS, len(rows))))
            batch = [(raw.line, self._layout.values(raw)) for raw in taken]
            self._plan_batch(batch, ticker)
            if self._problems.rejects_file(self._skip_invalid):
                continue  # only its other bad rows are still wanted
            self._write_batch(changes, counts, ticker)
        return counts

    # --- loading -----------------------------------------------------------------------

    def _load_batch(self, rows: list[dict[str, str]]) -> None:
        """The records a batch's rows name, in a few queries instead of one per row; the
        previous batch's are let go."""
        self._references.load_batch(rows)
        ids = {row["session_id"].lower() for row in rows if row.get("session_id")}
        self._existing = load_by_ids(self._session, HelpSession, ids)
        self._natural_existing: dict[NaturalKey, HelpSession] = {}

    def _load_household_details(self, resolved: list[tuple[int, dict[str, str], str]]) -> None:
        """What rows without ids are matched with: the members of households whose
        rows name a person without an id, the sessions of households whose rows have
        no session id.  A file exported by VillageHelper needs neither."""
        named = sorted(
            {
                household_id
                for _, values, household_id in resolved
                if values.get("member_name") and not values.get("member_id")
            }
        )
        unnamed = sorted(
            {household_id for _, values, household_id in resolved if not values.get("session_id")}
        )
        self._references.load_members_of(named)
        for batch in batches(unnamed):
            for existing in self._session.scalars(
                select(HelpSession).where(HelpSession.household_id.in_(batch))
            ):
                self._natural_existing.setdefault(_natural(existing), existing)

    # --- planning ----------------------------------------------------------------------

    def _plan_batch(self, batch: list[tuple[int, dict[str, str]]], ticker: ProgressTicker) -> None:
        self._planned, self._to_void = [], []
        self._used_volunteers, self._households_touched = set(), set()
        self._load_batch([values for _, values in batch])
        resolved: list[tuple[int, dict[str, str], str]] = []
        for line, values in batch:
            try:
                resolved.append((line, values, self._references.household(values)))
            except ValidationError as error:
                self._problems.add_error(line, error)
        self._load_household_details(resolved)
        for line, values, household_id in resolved:
            try:
                self._plan_row(line, values, household_id)
            except ValidationError as error:
                self._problems.add_error(line, error)
            ticker.advance()

    def _write_batch(
        self, changes: Changes, counts: SessionWriteCounts, ticker: ProgressTicker
    ) -> None:
        session = self._session
        commune = session.scalars(select(Commune)).first()
        for volunteer_id, name in self._references.new_volunteers.items():
            if (
                volunteer_id not in self._used_volunteers
                or volunteer_id in self._volunteers_written
            ):
                continue  # only volunteers whom valid rows name, each once
            assert commune is not None  # households exist, so the commune does
            volunteer = TeamMember(
                id=volunteer_id,
                commune_code=commune.code,
                village_id=None,
                full_name=name,
                role=Role.MEMBER,
                active=True,
            )
            record_insert(session, volunteer, changes)
            self._volunteers_written.add(volunteer_id)
            counts.volunteers_created += 1
        # Without a relationship() between them, a flush orders inserts by class name,
        # which puts HelpSession before TeamMember: the volunteers must be written first.
        session.flush()
        voids = list(self._to_void)
        for planned in self._planned:
            insert_session(session, changes, session_id=planned.session_id, **planned.values)
            if planned.voided:
                voids.append((planned.session_id, planned.values["volunteer_id"]))
            counts.imported += 1
            ticker.advance()
        session.flush()
        for session_id, volunteer_id in voids:
            void_in(
                session,
                session_id,
                volunteer_id=volunteer_id,
                reason=IMPORT_VOID_REASON,
                store=self._store,
                changes=changes,
            )
        counts.voided_existing += len(self._to_void)
        for household_id in self._households_touched:
            changes.add("household", household_id)
        # Written now, the batch's records leave memory (the session holds them weakly).
        session.flush()

    def _plan_row(self, line: int, values: dict[str, str], household_id: str) -> None:
        session_id = parse_id("session_id", values.get("session_id", ""), "mã lượt")
        seen = self._seen_ids.get((session_id,)) if session_id is not None else None
        if seen is not None:
            raise ValidationError("session_id", f"Mã lượt này đã có ở dòng {seen}.")
        member_id = self._references.member(values, household_id)
        occurred_at = parse_moment("occurred_at", values.get("occurred_at", ""))
        if occurred_at > self._now:
            raise ValidationError("occurred_at", "Thời điểm hỗ trợ không thể ở tương lai.")
        item = ServiceOutcome(
            service_code=self._references.service(values),
            outcome=parse_outcome("outcome", values.get("outcome", "")),
            follow_up_date=parse_day("follow_up_date", values.get("follow_up_date", "")),
            failure_reason=values.get("failure_reason", ""),
        )
        outcome_values = clean_service_outcome(
            self._session, item, self._today, past_follow_up_ok=True
        )
        note = validate.note("note", values.get("note"))
        volunteer_id = self._references.volunteer(values)
        voided = parse_bool("voided", values.get("voided", ""))
        device_id = validate.limited_text("device_id", "mã thiết bị", values.get("device_id"), 36)
        replaces_id = parse_id("replaces_id", values.get("replaces_id", ""), "mã lượt được thay")
        visit_id = parse_id("visit_id", values.get("visit_id", ""), "mã lần đến")
        if visit_id is None:
            # Rows of one household at the same moment by the same volunteer: one visit.
            visit_id = self._visits.visit_id_of(household_id, _instant(occurred_at), volunteer_id)
        fields: _SessionValues = {
            "visit_id": visit_id,
            "household_id": household_id,
            "member_id": member_id,
            "volunteer_id": volunteer_id,
            "occurred_at": occurred_at,
            "device_id": device_id or self._device_id,
            "note": note,
            "replaces_id": replaces_id,
            "outcome_values": outcome_values,
        }
        key: NaturalKey = (household_id, member_id, item.service_code, occurred_at)
        natural = (household_id, member_id or "", item.service_code, _instant(occurred_at))
        seen = self._seen_natural.get(natural)
        if session_id is None and seen is not None:
            raise ValidationError(
                "occurred_at",
                f"Trùng với dòng {seen} (cùng hộ, người, loại hỗ trợ và thời gian).",
            )
        existing = (
            self._existing.get(session_id)
            if session_id is not None
            else self._natural_existing.get(key)
        )
        if existing is not None:
            self._compare(existing, fields)
            if voided and not existing.voided:
                self._references.check_can_void(volunteer_id)
                self._to_void.append((existing.id, volunteer_id))
            else:
                self._unchanged += 1
        else:
            if voided:
                self._references.check_can_void(volunteer_id)
            self._planned.append(_PlannedSession(session_id or new_id(), fields, voided))
            self._households_touched.add(household_id)
        if session_id is not None:
            self._seen_ids.add((session_id,), line)
        self._seen_natural.add(natural, line)
        self._used_volunteers.add(volunteer_id)

    def _compare(self, existing: HelpSession, fields: _SessionValues) -> None:
        names = [*_COMPARED, *(k for k in _COMPARED_IF_PRESENT if self._layout.has(k))]
        different = [name for name in names if getattr(existing, name) != _column(fields, name)]
        if different:
            columns = ", ".join(f"«{self._layout.title(name)}»" for name in different)
            raise ValidationError(
                "session_id",
                f"Lượt hỗ trợ này đã có trên máy nhưng khác ở {columns}. Lượt hỗ trợ không "
                "sửa bằng nhập tệp: hãy sửa trong ứng dụng, hoặc bỏ dòng này.",
            )


def _instant(moment: datetime) -> str:
    """One text per instant, whatever offset the row wrote it with."""
    return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).isoformat()


def _natural(existing: HelpSession) -> NaturalKey:
    return (existing.household_id, existing.member_id, existing.service_code, existing.occurred_at)
