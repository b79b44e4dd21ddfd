"""Checking a sessions file and writing what passed, a thousand rows at a time.

Sessions are immutable events: a row whose id the laptop already has is either the
same session (unchanged), the same session now voided (a void event is added), or a
conflict reported on its row; it is never edited.  Rows without ids (a commune list)
are matched on household, person, service and time, so importing twice adds nothing.

Each batch of rows is matched with the laptop's records, checked and written before the
next is looked at; what later rows are checked against across the whole file (ids and
sessions already seen) is kept as digests in flat arrays, and the visit of rows without
one is derived from its household, moment and volunteer (``seen_rows``).  Once
a bad row is found in a file that is not skipping them, nothing more is written but
every row is still checked; the import's one transaction then rolls back the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from villagehelper.store.models import (
    Commune,
    HelpSession,
    Household,
    Member,
    Service,
    TeamMember,
    Village,
)
from villagehelper.text import search_key
from villagehelper.transfer.cells import (
    parse_bool,
    parse_day,
    parse_id,
    parse_moment,
    parse_outcome,
)
from villagehelper.transfer.columns import Layout
from villagehelper.transfer.common import Problems, batches, load_by_ids
from villagehelper.transfer.household_groups import key_digest
from villagehelper.transfer.packed import PackedRows
from villagehelper.transfer.report import ProgressTicker
from villagehelper.transfer.seen_rows import SeenLines, VisitIds
from villagehelper.transfer.tabular import RawRow

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
        self._new_volunteers: dict[str, str] = {}
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
        self._load_catalogue(rows)
        counts = SessionWriteCounts()
        for start in range(0, len(rows), BATCH_ROWS):
            taken = (rows.take(index) for index in range(start, min(start + BATCH_ROWS, len(rows))))
            batch = [(raw.line, self._layout.values(raw)) for raw in taken]
            self._plan_batch(batch, ticker)
            if self._problems and not self._skip_invalid:
                continue  # the file is rejected: only its other bad rows are still wanted
            self._write_batch(changes, counts, ticker)
        return counts

    # --- loading -----------------------------------------------------------------------

    def _load_catalogue(self, rows: Sequence[RawRow]) -> None:
        """What every row is checked against: services, the team, and — for rows that
        name a household by its head — every household's head and village."""
        session = self._session
        self._services = {s.code: s for s in session.scalars(select(Service))}
        self._service_names: dict[str, str] = {}
        for service in self._services.values():
            for name in (service.code, service.label_vi, service.label_en):
                self._service_names.setdefault(search_key(name), service.code)
        self._volunteers = {t.id: t for t in session.scalars(select(TeamMember))}
        self._volunteers_by_name: dict[str, list[str]] = {}
        for volunteer in self._volunteers.values():
            if not volunteer.deleted:
                key = search_key(volunteer.full_name)
                self._volunteers_by_name.setdefault(key, []).append(volunteer.id)
        # Head's name (digest) → (village, household id); one key object per village.
        self._households_by_head: dict[bytes, list[tuple[str, str]]] = {}
        village_keys: dict[str, str] = {}
        if any(not self._layout.values(raw).get("household_id") for raw in rows):
            query = (
                select(Household.id, Household.head_name, Village.name)
                .join(Village, Village.id == Household.village_id)
                .where(Household.deleted.is_(False))
            )
            for household_id, head_name, village_name in session.execute(query):
                village_key = village_keys.setdefault(village_name, search_key(village_name))
                self._households_by_head.setdefault(
                    key_digest((search_key(head_name),)), []
                ).append((village_key, household_id))

    def _load_batch(self, rows: list[dict[str, str]]) -> None:
        """The records a batch's rows name, in a few queries instead of one per row; the
        previous batch's are let go."""
        session = self._session

        def ids(key: str) -> set[str]:
            return {row[key].lower() for row in rows if row.get(key)}

        self._households = load_by_ids(session, Household, ids("household_id"))
        self._members = load_by_ids(session, Member, ids("member_id"))
        self._existing = load_by_ids(session, HelpSession, ids("session_id"))
        self._members_of: dict[str, list[Member]] = {}
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
        for batch in batches(named):
            for member in self._session.scalars(
                select(Member).where(Member.household_id.in_(batch), Member.deleted.is_(False))
            ):
                self._members_of.setdefault(member.household_id, []).append(member)
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
                resolved.append((line, values, self._household(values)))
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
        for volunteer_id, name in self._new_volunteers.items():
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
        member_id = self._member(values, household_id)
        occurred_at = parse_moment("occurred_at", values.get("occurred_at", ""))
        if occurred_at > self._now:
            raise ValidationError("occurred_at", "Thời điểm hỗ trợ không thể ở tương lai.")
        item = ServiceOutcome(
            service_code=self._service(values),
            outcome=parse_outcome("outcome", values.get("outcome", "")),
            follow_up_date=parse_day("follow_up_date", values.get("follow_up_date", "")),
            failure_reason=values.get("failure_reason", ""),
        )
        outcome_values = clean_service_outcome(
            self._session, item, self._today, past_follow_up_ok=True
        )
        note = validate.note("note", values.get("note"))
        volunteer_id = self._volunteer(values)
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
                self._check_can_void(volunteer_id)
                self._to_void.append((existing.id, volunteer_id))
            else:
                self._unchanged += 1
        else:
            if voided:
                self._check_can_void(volunteer_id)
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

    # --- references --------------------------------------------------------------------

    def _household(self, values: dict[str, str]) -> str:
        household_id = parse_id("household_id", values.get("household_id", ""), "mã hộ")
        if household_id is not None:
            household = self._households.get(household_id)
            seen = set()
            # A household merged away since the export: its sessions went to the survivor.
            while household is not None and household.merged_into and household.id not in seen:
                seen.add(household.id)
                household = self._session.get(Household, household.merged_into)
            if household is None or household.deleted:
                raise ValidationError(
                    "household_id",
                    "Hộ mã này chưa có trên máy. Hãy nhập danh sách hộ trước "
                    "(villagehelper import households), rồi nhập lại tệp lượt hỗ trợ.",
                )
            return household.id
        head = values.get("head_name", "")
        if not head:
            raise ValidationError("household_id", "Chưa ghi mã hộ hay tên chủ hộ.")
        village = search_key(values.get("village_name", ""))
        matches = [
            household_id
            for village_key, household_id in self._households_by_head.get(
                key_digest((search_key(head),)), []
            )
            if not village or village_key == village
        ]
        if not matches:
            raise ValidationError(
                "head_name",
                f"Không tìm thấy hộ có chủ hộ «{head}» trên máy. Hãy nhập danh sách hộ trước "
                "(villagehelper import households).",
            )
        if len(matches) > 1:
            raise ValidationError(
                "head_name",
                f"Có {len(matches)} hộ có chủ hộ «{head}»; hãy ghi «Mã hộ» hoặc «Thôn».",
            )
        return matches[0]

    def _member(self, values: dict[str, str], household_id: str) -> str | None:
        member_id = parse_id("member_id", values.get("member_id", ""), "mã nhân khẩu")
        if member_id is not None:
            member = self._members.get(member_id)
            if member is None or member.deleted:
                raise ValidationError(
                    "member_id",
                    "Nhân khẩu mã này không có trên máy (chưa nhập hoặc đã xóa). Hãy nhập "
                    "danh sách hộ trước, hoặc xóa mã nhân khẩu ở dòng này.",
                )
            if member.household_id != household_id:
                raise ValidationError("member_id", "Người được hỗ trợ không thuộc hộ này.")
            return member_id
        name = values.get("member_name", "")
        if not name:
            return None
        matches = [
            member.id
            for member in self._members_of.get(household_id, [])
            if search_key(member.full_name) == search_key(name)
        ]
        if len(matches) != 1:
            raise ValidationError(
                "member_name",
                f"Hộ này có {len(matches)} nhân khẩu tên «{name}»; cần đúng một. Hãy sửa tên "
                "hoặc ghi «Mã nhân khẩu».",
            )
        return matches[0]

    def _service(self, values: dict[str, str]) -> str:
        key = "service_code" if values.get("service_code") else "service_label"
        text = values.get(key, "")
        if not text:
            raise ValidationError("service_code", "Chưa ghi loại hỗ trợ.")
        code = self._service_names.get(search_key(text))
        if code is None:
            raise ValidationError(key, f"Không có loại hỗ trợ «{text}» trong danh mục.")
        return code

    def _volunteer(self, values: dict[str, str]) -> str:
        volunteer_id = parse_id("volunteer_id", values.get("volunteer_id", ""), "mã người hỗ trợ")
        name = values.get("volunteer_name", "")
        if volunteer_id is not None and (
            volunteer_id in self._volunteers or volunteer_id in self._new_volunteers
        ):
            return volunteer_id
        if not name:
            raise ValidationError(
                "volunteer_name",
                "Chưa ghi người hỗ trợ. Người hỗ trợ chưa có trên máy thì cần họ tên ở cột "
                f"«{self._layout.title('volunteer_name')}».",
            )
        clean_name = validate.required_text("volunteer_name", "họ tên người hỗ trợ", name)
        if volunteer_id is None:
            matches = self._volunteers_by_name.get(search_key(clean_name), [])
            if len(matches) > 1:
                raise ValidationError(
                    "volunteer_name",
                    f"Tổ có {len(matches)} thành viên tên «{clean_name}»; hãy ghi "
                    f"«{self._layout.title('volunteer_id')}».",
                )
            if matches:
                return matches[0]
            volunteer_id = new_id()
            self._volunteers_by_name[search_key(clean_name)] = [volunteer_id]
        self._new_volunteers[volunteer_id] = clean_name
        return volunteer_id

    def _check_can_void(self, volunteer_id: str) -> None:
        # The void is recorded in that volunteer's name, and voiding needs an active one.
        volunteer = self._volunteers.get(volunteer_id)
        if volunteer is not None and (volunteer.deleted or not volunteer.active):
            raise ValidationError(
                "voided",
                f"Lượt đã hủy này thuộc «{volunteer.full_name}», người không còn trong tổ, "
                "nên không ghi được việc hủy. Hãy bật lại thành viên này rồi nhập lại.",
            )


def _instant(moment: datetime) -> str:
    """One text per instant, whatever offset the row wrote it with."""
    return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).isoformat()


def _natural(existing: HelpSession) -> NaturalKey:
    return (existing.household_id, existing.member_id, existing.service_code, existing.occurred_at)
