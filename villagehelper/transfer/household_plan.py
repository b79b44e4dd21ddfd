"""Checking a households file and writing what passed, a few hundred households at a time.

First every row is put in its household's group (``household_groups``); then, batch by
batch, the groups are matched with the laptop's records, run through the form's checks
(``clean_household``; the members by ``household_members``) and written
(``household_write``).  Only a batch and the file's packed rows are in memory at once,
however long the file.  A household goes in whole or not at all, so a skipped row never
leaves half a household behind; and once a bad row is found in a file that is not
skipping them, nothing more is written but every row is still checked, so the person
sees all of them — the import's one transaction then rolls back what the earlier
batches wrote, and the laptop is as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.ops.households import clean_household
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.store import search_index
from villagehelper.store.changelog import Changes
from villagehelper.store.models import Household
from villagehelper.text import canonical_phone, clean_text, search_key
from villagehelper.transfer.cells import parse_id
from villagehelper.transfer.columns import Layout
from villagehelper.transfer.common import Problems, load_by_ids
from villagehelper.transfer.household_groups import GroupFailure, Grouping, key_digest
from villagehelper.transfer.household_members import MemberPlanner
from villagehelper.transfer.household_write import PlannedHousehold, WriteCounts, write_household
from villagehelper.transfer.packed import PackedRows
from villagehelper.transfer.places import FileVillages
from villagehelper.transfer.report import ProgressTicker
from villagehelper.transfer.tabular import RawRow

# Form fields named by the validators → the file's columns.
_FIELD_COLUMNS = {"phone": "household_phone", "full_name": "member_name"}
_HOUSEHOLD_TEXT = ("head_name", "address_detail", "household_phone", "notes")
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
        self._members = MemberPlanner(session, layout, today, self._problems)

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
            if self._problems.rejects_file(self._skip_invalid):
                continue  # only its other bad rows are still wanted
            self._write(planned, changes, counts, ticker)
        return counts

    def _write(
        self,
        planned: list[PlannedHousehold],
        changes: Changes,
        counts: WriteCounts,
        ticker: ProgressTicker,
    ) -> None:
        for household in planned:
            self._villages.use(str(household.values["village_id"]), changes)
            write_household(self._session, household, changes, counts)
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
        households = load_by_ids(self._session, Household, ids)
        named = {row.values.get("member_id", "").lower() for group in groups for row in group.rows}
        self._members.load(households, named - {""})
        for group in groups:
            if group.household_id is not None:
                group.existing = households.get(group.household_id)

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

    def _plan_group(self, group: _Group) -> PlannedHousehold | None:
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
            member = self._members.plan(
                row.line, row.values, household_id, household, data.head_name
            )
            if member is not None:
                members.append(member)
        bad_lines = [row.line for row in group.rows if self._problems.has(row.line)]
        if bad_lines:
            self._leave_out(group, bad_lines)
            return None
        return PlannedHousehold(household_id, household, values, members, len(group.rows))

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
