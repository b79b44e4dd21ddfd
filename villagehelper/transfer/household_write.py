"""Writing a household the households import planned, with its members.

A planned household holds the checked values of the household and of each member its
rows name; writing it inserts what is new and updates what changed, through the change
log (``record_insert`` / ``record_update``), and counts what it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from villagehelper.store.changelog import Changes, record_insert, record_update
from villagehelper.store.models import Household, Member


@dataclass(slots=True)
class PlannedMember:
    member_id: str
    existing: Member | None
    values: dict[str, object]


@dataclass(slots=True)
class PlannedHousehold:
    household_id: str
    existing: Household | None
    values: dict[str, object]
    members: list[PlannedMember]
    rows: int


@dataclass
class WriteCounts:
    households_new: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    members_new: int = 0
    members_updated: int = 0
    touched: list[str] = field(default_factory=list)  # of the batch: to re-index


def write_household(
    session: Session, planned: PlannedHousehold, changes: Changes, counts: WriteCounts
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
