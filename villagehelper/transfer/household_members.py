"""The members a households file names: matched with the laptop's, checked, planned.

A row names a member by id, or (a list without ids) by name: the member of the household
with the same name, and birth year when both are known, is the same person.  Without a
member-name column, a row's birth year and consent describe the head as a person.  An id
is taken by one row of the whole file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops.households import clean_member
from villagehelper.ops.inputs import MemberInput
from villagehelper.store.models import Household, Member, TeamMember
from villagehelper.text import search_key
from villagehelper.transfer.cells import parse_bool, parse_day, parse_id, parse_year
from villagehelper.transfer.columns import Layout
from villagehelper.transfer.common import Problems, load_by_ids
from villagehelper.transfer.household_groups import key_digest
from villagehelper.transfer.household_write import PlannedMember
from villagehelper.transfer.name_match import ids_by_name, members_of_households, named

# Without a member-name column these columns describe the head as a person.
_HEAD_AS_MEMBER = ("birth_year", "consent", "consent_date")


class MemberPlanner:
    def __init__(self, session: Session, layout: Layout, today: date, problems: Problems) -> None:
        self._session = session
        self._layout = layout
        self._today = today
        self._problems = problems
        self._head_is_member = not layout.has("member_name") and any(
            layout.has(key) for key in _HEAD_AS_MEMBER
        )
        # Batch by batch: what the rows of the batch are compared with.
        self._members: dict[str, Member] = {}
        self._members_of: dict[str, list[Member]] = {}
        # The whole file: member id (digest) → the line that took it.
        self._member_lines: dict[bytes, int] = {}
        self._team: dict[str, list[str]] | None = None  # name's search key → ids

    def load(self, households: dict[str, Household], member_ids: Iterable[str]) -> None:
        """The members of the batch's households on the laptop and those its rows name
        by id; the previous batch's are let go."""
        self._members, self._members_of = {}, {}
        existing = [hid for hid, household in households.items() if not household.deleted]
        for member in members_of_households(self._session, existing):
            self._members[member.id] = member
            if not member.deleted:
                self._members_of.setdefault(member.household_id, []).append(member)
        unknown = {member_id for member_id in member_ids if member_id not in self._members}
        self._members.update(load_by_ids(self._session, Member, unknown))

    def plan(
        self,
        line: int,
        values: dict[str, str],
        household_id: str,
        household: Household | None,
        head_name: str,
    ) -> PlannedMember | None:
        """The member row ``line`` names, checked; None when it names none or is bad
        (its problem is recorded)."""
        name = head_name if self._head_is_member else values.get("member_name", "")
        if not name and not values.get("member_id"):
            return None  # a household row without a member
        try:
            member_id = parse_id("member_id", values.get("member_id", ""), "mã nhân khẩu")
            existing = self._existing(
                values, member_id, name, household_id=household_id, household=household
            )
            data = self._member_input(values, name, existing)
            cleaned = clean_member(data, self._today)
        except ValidationError as error:
            self._problems.add_error(line, error)
            return None
        if (
            existing is not None
            and existing.consent
            and data.consent
            and (data.consent_date is None)
        ):
            cleaned["consent_date"] = existing.consent_date  # keep the original date
        named_id = existing.id if existing is not None else member_id
        if named_id is not None:  # an id a later row may name too
            self._member_lines[key_digest((named_id,))] = line
        return PlannedMember(named_id or new_id(), existing, cleaned)

    def _existing(
        self,
        values: dict[str, str],
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
        year = parse_year("birth_year", values.get("birth_year", ""))
        candidates = [
            member
            for member in named(self._members_of.get(household.id, []), name)
            if (year is None or member.birth_year in (None, year))
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
            query = select(TeamMember.id, TeamMember.full_name).where(TeamMember.deleted.is_(False))
            rows = self._session.execute(query)
            self._team = ids_by_name((row.id, row.full_name) for row in rows)
        found = self._team.get(search_key(name), [])
        return found[0] if len(found) == 1 else None
