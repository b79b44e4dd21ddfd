"""Checking a households file and writing what passed, a few hundred households at a time.

First every row is put in its household's group (``household_groups``); then, batch by
batch, the groups are matched with the laptop's records, run through the form's checks
(``clean_household`` / ``clean_member``) and written.  Only a batch and the file's packed
rows are in memory at once, however long the file.  A household goes in whole or not
at all, so a skipped row never leaves half a household behind; and once a bad row is
found in a file that is not skipping them, nothing more is written but every row is
still checked, so the person sees all of them — the import's one transaction then
rolls back what the earlier batches wrote, and the laptop is as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.ops.households import clean_household, clean_member
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store import search_index
from villagehelper.store.changelog import Changes, record_insert, record_update
from villagehelper.store.models import Household, Member, TeamMember
from villagehelper.text import canonical_phone, clean_text, search_key
from villagehelper.transfer.cells import parse_bool, parse_day, parse_id, parse_year
from villagehelper.transfer.columns import Layout
from villagehelper.transfer.common import Problems, batches, load_by_ids
from villagehelper.transfer.household_groups import GroupFailure, Grouping, key_digest
from villagehelper.transfer.packed import PackedRows
from villagehelper.transfer.places import FileVillages
from villagehelper.transfer.report import ProgressTicker
from villagehelper.transfer.tabular import RawRow

# Form fields named by the validators → the file's columns.
_FIELD_COLUMNS = {"phone": "household_phone", "full_name": "member_name"}
_HOUSEHOLD_TEXT = ("head_name", "address_detail", "household_phone", "notes")
# Without a member-name column these columns describe the head as a person.
_HEAD_AS_MEMBER = ("birth_year", "consent", "consent_date")
# Households planned, written and flushed together: small enough that a batch's rows,
# records and pending writes stay a few MB, large enough for few queries per batch.
BATCH_HOUSEHOLDS = 500


@dataclass(slots=True)  # one per row of the batch being planned
class _Row:
    line: int
    values: dict[str, str]
    village_id: str | None


@dataclass(slots=True)
class _Group:
    rows: list[_Row]
    household_id: str | None  # from the file or matched on the laptop; None = new
    existing: Household | None = None
    failed: bool = False


@dataclass(slots=True)
class _PlannedMember:
    member_id: str
    existing: Member | None
    values: dict[str, object]


@dataclass(slots=True)
class _PlannedHousehold:
    household_id: str
    existing: Household | None
    values: dict[str, object]
    members: list[_PlannedMember]
    rows: int


@dataclass
class WriteCounts:
    households_new: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    members_new: int = 0
    members_updated: int = 0
    touched: list[str] = field(default_factory=list)  # of the batch: to re-index


def _write_household(
    session: Session, planned: _PlannedHousehold, changes: Changes, counts: WriteCounts
) -> None:
    household = planned.existing
    if household is None:
        household = Household(id=planned.household_id, **planned.values)
        household.refresh_derived()
        record_insert(session, household, changes)
        counts.households_new += 1
        changed = True
    else:
        changed = bool(record_update(session, household, planned.values, changes))
        if changed:
            household.refresh_derived()
    for item in planned.members:
        member = item.existing
        if member is None:
            member = Member(id=item.member_id, household_id=household.id, **item.values)
            member.refresh_derived()
            record_insert(session, member, changes)
            counts.members_new += 1
            changed = True
        elif record_update(session, member, item.values, changes):
            member.refresh_derived()
            counts.members_updated += 1
            changed = True
    if planned.existing is not None:
        if changed:
            counts.households_updated += 1
            changes.add("household", household.id)
        else:
            counts.households_unchanged += 1
    if changed:
        counts.touched.append(household.id)


class HouseholdPlanner:
    def __init__(
        self,
        session: Session,
        layout: Layout,
        villages: FileVillages,
        today: date,
        *,
        skip_invalid: bool,
    ) -> None:
        self._session = session
        self._layout = layout
        self._villages = villages
        self._today = today
        self._skip_invalid = skip_invalid
        self._problems = Problems(layout, _FIELD_COLUMNS)
        self._head_is_member = not layout.has("member_name") and any(
            layout.has(key) for key in _HEAD_AS_MEMBER
        )
        # Batch by batch: what the rows of the batch are compared with.
        self._households: dict[str, Household] = {}
        self._members: dict[str, Member] = {}
        self._members_of: dict[str, list[Member]] = {}
        # The whole file: member id (digest) → the line that took it.
        self._member_lines: dict[bytes, int] = {}
        self._team: dict[str, list[str]] | None = None  # name's search key → ids

    @property
    def problems(self) -> Problems:
        return self._problems

    def import_rows(
        self, rows: PackedRows, changes: Changes, ticker: ProgressTicker
    ) -> WriteCounts:
        """Plan and write every household of ``rows`` (rules: module docstring); each
        row is taken from ``rows`` once planned."""
        grouping = self._group(rows)
        counts = WriteCounts()
        for batch in grouping.batches(BATCH_HOUSEHOLDS):
            groups = [
                self._materialise(rows, grouping, number, indexes) for number, indexes in batch
            ]
            self._load(groups)
            planned = []
            for group in groups:
                result = self._plan_group(group)
                if result is not None:
                    planned.append(result)
                ticker.advance(len(group.rows))
            if self._problems and not self._skip_invalid:
                continue  # the file is rejected: only its other bad rows are still wanted
            self._write(planned, changes, counts, ticker)
        return counts

    def _write(
        self,
        planned: list[_PlannedHousehold],
        changes: Changes,
        counts: WriteCounts,
        ticker: ProgressTicker,
    ) -> None:
        for household in planned:
            self._villages.use(str(household.values["village_id"]), changes)
            _write_household(self._session, household, changes, counts)
            ticker.advance(household.rows)
        # Written now, the batch's records leave memory (the session holds them weakly).
        self._session.flush()
        search_index.refresh_households(self._session.connection(), counts.touched)
        counts.touched.clear()

    # --- rows and groups ---------------------------------------------------------------

    def _parse(self, raw: RawRow) -> _Row:
        values = self._layout.values(raw)
        village_id = self._villages.resolve(
            parse_id("village_id", values.get("village_id", ""), "mã thôn"),
            values.get("village_name", ""),
        )
        parse_id("household_id", values.get("household_id", ""), "mã hộ")
        return _Row(raw.line, values, village_id)

    def _group(self, rows: Sequence[RawRow]) -> Grouping:
        """Rows of one household together: by household id, else by village, head's
        name and address.  Rows without an id are also matched to the laptop's
        households the same way."""
        grouping = Grouping()
        natural: list[tuple[bytes, int, int]] = []  # key digest, group, its first line
        for raw in rows:
            try:
                row = self._parse(raw)
                household_id = row.values.get("household_id", "").lower() or None
                key = ("id", household_id) if household_id is not None else self._natural_key(row)
            except ValidationError as error:
                self._problems.add_error(raw.line, error)
                grouping.leave_out()
                continue
            digest = key_digest(key)
            number, started = grouping.place(digest, household_id)
            if started and household_id is None:
                natural.append((digest, number, raw.line))
        if natural:
            self._match_natural(grouping, natural)
        return grouping

    def _materialise(
        self, rows: PackedRows, grouping: Grouping, number: int, indexes: list[int]
    ) -> _Group:
        # Parsed a second time, the rows give the same values (their villages are known
        # or staged by now) and no problem: the rows that had one are in no group.
        group = _Group(
            [self._parse(rows.take(index)) for index in indexes], grouping.household_ids[number]
        )
        failure = grouping.failures.get(number)
        if failure is not None:
            self._group_problem(group, failure.line, failure.column_key, failure.message_vi)
        return group

    def _natural_key(self, row: _Row) -> tuple[str, ...]:  # ("natural", village, head, address)
        head = validate.required_text("head_name", "họ tên chủ hộ", row.values.get("head_name"))
        if row.village_id is None:
            raise ValidationError("village_name", "Chưa có tên thôn của hộ này.")
        # Files without an address column match on village and head only.
        address = search_key(row.values.get("address_detail", ""))
        return ("natural", row.village_id, search_key(head), address)

    def _match_natural(self, grouping: Grouping, natural: list[tuple[bytes, int, int]]) -> None:
        with_address = self._layout.has("address_detail")
        known: dict[bytes, list[str]] = {}
        query = select(
            Household.id, Household.village_id, Household.head_name, Household.address_detail
        ).where(Household.deleted.is_(False))
        for household_id, village_id, head_name, address in self._session.execute(query):
            address_key = search_key(address) if with_address else ""
            key = key_digest(("natural", village_id, search_key(head_name), address_key))
            known.setdefault(key, []).append(household_id)
        for digest, number, line in natural:
            matches = known.get(digest, [])
            if len(matches) == 1:
                grouping.household_ids[number] = matches[0]
            elif len(matches) > 1:
                message = (
                    f"Máy đã có {len(matches)} hộ cùng thôn, cùng tên chủ hộ và địa chỉ này; "
                    "hãy ghi «Mã hộ» để chỉ rõ hộ nào (xuất danh sách hộ để xem mã)."
                )
                grouping.fail(number, GroupFailure(line, "head_name", message))

    def _load(self, groups: list[_Group]) -> None:
        """Everything planning a batch compares with, in a few queries instead of one
        per row; the previous batch's records are let go."""
        ids = {group.household_id for group in groups if group.household_id is not None}
        self._households = load_by_ids(self._session, Household, ids)
        self._members, self._members_of = {}, {}
        existing = [hid for hid, h in self._households.items() if not h.deleted]
        for batch in batches(existing):
            for member in self._session.scalars(
                select(Member).where(Member.household_id.in_(batch))
            ):
                self._members[member.id] = member
                if not member.deleted:
                    self._members_of.setdefault(member.household_id, []).append(member)
        member_ids = set()
        for group in groups:
            for row in group.rows:
                text = row.values.get("member_id", "").lower()
                if text and text not in self._members:
                    member_ids.add(text)
        self._members.update(load_by_ids(self._session, Member, member_ids))
        for group in groups:
            if group.household_id is not None:
                group.existing = self._households.get(group.household_id)

    # --- one household -----------------------------------------------------------------

    def _group_problem(self, group: _Group, line: int, key: str | None, message: str) -> None:
        self._problems.add(line, key, message)
        self._leave_out(group, [line])

    def _leave_out(self, group: _Group, bad_lines: list[int]) -> None:
        """A household goes in whole or not at all: a bad row leaves out its other rows
        too (said only when skipping, as a rejected file imports nothing anyway)."""
        group.failed = True
        if self._skip_invalid:
            for row in group.rows:
                if row.line not in bad_lines:
                    self._problems.add(
                        row.line, None, f"Bỏ qua vì cùng hộ với dòng {bad_lines[0]} bị lỗi."
                    )

    def _plan_group(self, group: _Group) -> _PlannedHousehold | None:
        if group.failed:
            return None
        household = group.existing
        if household is not None and household.deleted:
            message = "Hộ này đã bị xóa trên máy này."
            if household.merged_into:
                message = (
                    f"Hộ này đã được gộp vào hộ mã {household.merged_into}; hãy sửa «Mã hộ» "
                    "thành mã đó hoặc bỏ dòng này."
                )
            self._group_problem(group, group.rows[0].line, "household_id", message)
            return None
        if household is not None and household.erased_at is not None:
            message = "Dữ liệu của hộ này đã được xóa theo yêu cầu; không nhập lại được."
            self._group_problem(group, group.rows[0].line, "household_id", message)
            return None
        try:
            data = self._household_input(group)
            values = clean_household(self._session, data)
        except _RowError as error:
            self._group_problem(group, error.line, error.error.field, error.error.message_vi)
            return None
        except ValidationError as error:
            self._group_problem(group, group.rows[0].line, error.field, error.message_vi)
            return None
        household_id = group.household_id or new_id()
        members = []
        for row in group.rows:
            member = self._plan_member(row, household_id, household, data.head_name)
            if member is not None:
                members.append(member)
        bad_lines = [row.line for row in group.rows if self._problems.has(row.line)]
        if bad_lines:
            self._leave_out(group, bad_lines)
            return None
        return _PlannedHousehold(household_id, household, values, members, len(group.rows))

    def _household_input(self, group: _Group) -> HouseholdInput:
        """The household as the file states it; fields the file leaves out keep the
        laptop's values.  Raises :class:`_RowError` on rows that contradict each other."""
        existing = group.existing
        stated: dict[str, str] = {}
        for key in _HOUSEHOLD_TEXT:
            if self._layout.has(key):
                stated[key] = _agreed_text(group.rows, key)
        village_ids = {row.village_id for row in group.rows if row.village_id is not None}
        if len(village_ids) > 1:
            line = next(r.line for r in group.rows[1:] if r.village_id != group.rows[0].village_id)
            raise _RowError(
                line,
                ValidationError("village_name", "Cùng một hộ nhưng thôn khác với các dòng trước."),
            )
        village_id = next(iter(village_ids), existing.village_id if existing else None)
        if village_id is None:
            raise _RowError(
                group.rows[0].line, ValidationError("village_name", "Chưa có tên thôn của hộ này.")
            )
        phone = stated.get("household_phone")
        return HouseholdInput(
            village_id=village_id,
            head_name=stated.get("head_name", existing.head_name if existing else ""),
            address_detail=stated.get(
                "address_detail", existing.address_detail if existing else ""
            ),
            phone=(phone or None)
            if "household_phone" in stated
            else (existing.phone if existing else None),
            notes=stated.get("notes", existing.notes if existing else ""),
        )

    # --- members ---------------------------------------------------------------------

    def _plan_member(
        self, row: _Row, household_id: str, household: Household | None, head_name: str
    ) -> _PlannedMember | None:
        values = row.values
        name = head_name if self._head_is_member else values.get("member_name", "")
        if not name and not values.get("member_id"):
            return None  # a household row without a member
        try:
            member_id = parse_id("member_id", values.get("member_id", ""), "mã nhân khẩu")
            existing = self._existing_member(
                row, member_id, name, household_id=household_id, household=household
            )
            data = self._member_input(values, name, existing)
            cleaned = clean_member(data, self._today)
        except ValidationError as error:
            self._problems.add_error(row.line, error)
            return None
        if (
            existing is not None
            and existing.consent
            and data.consent
            and (data.consent_date is None)
        ):
            cleaned["consent_date"] = existing.consent_date  # keep the original date
        named = existing.id if existing is not None else member_id
        if named is not None:  # an id a later row may name too
            self._member_lines[key_digest((named,))] = row.line
        return _PlannedMember(named or new_id(), existing, cleaned)

    def _existing_member(
        self,
        row: _Row,
        member_id: str | None,
        name: str,
        *,
        household_id: str,
        household: Household | None,
    ) -> Member | None:
        if member_id is not None:
            taken = self._member_lines.get(key_digest((member_id,)))
            if taken is not None:
                raise ValidationError("member_id", f"Mã nhân khẩu này đã có ở dòng {taken}.")
            member = self._members.get(member_id)
            if member is None:
                return None
            if member.deleted:
                raise ValidationError(
                    "member_id",
                    "Nhân khẩu này đã bị xóa trên máy này; muốn thêm lại thì xóa mã nhân khẩu.",
                )
            if member.household_id != household_id:
                raise ValidationError("member_id", "Nhân khẩu mã này thuộc một hộ khác trên máy.")
            if member.erased_at is not None:
                raise ValidationError(
                    "member_id",
                    "Dữ liệu của nhân khẩu này đã được xóa theo yêu cầu; không nhập lại được.",
                    "This person's data was erased on request and cannot be imported again.",
                )
            return member
        if household is None:
            return None
        # A list without ids: the member with the same name (and birth year, if both
        # are known) is the same person.
        key = search_key(name)
        year = parse_year("birth_year", row.values.get("birth_year", ""))
        candidates = [
            member
            for member in self._members_of.get(household.id, [])
            if search_key(member.full_name) == key
            and (year is None or member.birth_year in (None, year))
            and key_digest((member.id,)) not in self._member_lines
        ]
        if len(candidates) > 1:
            raise ValidationError(
                "member_name",
                f"Hộ này có {len(candidates)} nhân khẩu cùng tên; hãy ghi «Mã nhân khẩu».",
            )
        return candidates[0] if candidates else None

    def _member_input(
        self, values: dict[str, str], name: str, existing: Member | None
    ) -> MemberInput:
        has = self._layout.has
        consent = (
            parse_bool("consent", values.get("consent", ""))
            if has("consent")
            else bool(existing and existing.consent)
        )
        return MemberInput(
            full_name=name or (existing.full_name if existing else ""),
            birth_year=parse_year("birth_year", values.get("birth_year", ""))
            if has("birth_year")
            else (existing.birth_year if existing else None),
            phone=(values.get("member_phone") or None)
            if has("member_phone")
            else (existing.phone if existing else None),
            consent=consent,
            consent_date=parse_day("consent_date", values.get("consent_date", ""))
            if has("consent_date")
            else (existing.consent_date if existing else None),
            consent_recorded_by=self._team_member(values, "consent_recorded_by"),
            consent_withdrawn_date=parse_day(
                "consent_withdrawn_date", values.get("consent_withdrawn_date", "")
            ),
            consent_withdrawn_by=self._team_member(values, "consent_withdrawn_by"),
        )

    def _team_member(self, values: dict[str, str], key: str) -> str | None:
        """The id of the team member a column names.  None (the record keeps what it
        holds) when the cell is empty or names no single team member of this laptop: a
        list from another laptop may name someone whose record arrives later with the
        team, and who recorded a consent is no reason to turn a whole file away."""
        name = values.get(key, "").strip()
        if not name:
            return None
        if self._team is None:
            self._team = {}
            for member_id, full_name in self._session.execute(
                select(TeamMember.id, TeamMember.full_name).where(TeamMember.deleted.is_(False))
            ):
                self._team.setdefault(search_key(full_name), []).append(member_id)
        found = self._team.get(search_key(name), [])
        return found[0] if len(found) == 1 else None


@dataclass
class _RowError(Exception):
    line: int
    error: ValidationError


def _comparable(key: str, text: str) -> str:
    if key == "household_phone":
        try:
            return canonical_phone(text) or ""
        except ValueError:
            return clean_text(text)
    return search_key(text)


def _agreed_text(rows: list[_Row], key: str) -> str:
    """The value the household's rows give for ``key``: empty cells defer to filled
    ones, two different filled values are an error on the later row."""
    chosen: _Row | None = None
    for row in rows:
        text = row.values.get(key, "")
        if not text:
            continue
        if chosen is None:
            chosen = row
        elif text != chosen.values[key] and (
            _comparable(key, text) != _comparable(key, chosen.values[key])
        ):
            raise _RowError(
                row.line,
                ValidationError(
                    key,
                    f"Cùng một hộ nhưng «{text}» khác với «{chosen.values[key]}» ở dòng "
                    f"{chosen.line}.",
                ),
            )
    return chosen.values[key] if chosen is not None else ""
