"""The commune's people as a target list is matched against them.

One row per member of a live household of the commune: not tombstoned, not merged into
another household (its members moved to the survivor), not erased, and the member
itself neither tombstoned nor erased.  An erased person has no name left to match, and
must not be found again by one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.store.models import Household, Member, Village


@dataclass(frozen=True)
class KnownPerson:
    member_id: str
    household_id: str
    village_id: str
    full_name: str
    birth_year: int | None
    # The member's own number, else the household's: commune lists give the number the
    # family can be reached on, which is often the one written for the whole household.
    phone: str | None


def known_people(session: Session, commune_code: str) -> list[KnownPerson]:
    """Every live member of the commune's live households, in member id order."""
    rows = session.execute(
        select(
            Member.id,
            Member.household_id,
            Household.village_id,
            Member.full_name,
            Member.birth_year,
            Member.phone,
            Household.phone,
        )
        .join(Household, Household.id == Member.household_id)
        .join(Village, Village.id == Household.village_id)
        .where(
            Village.commune_code == commune_code,
            Household.deleted.is_(False),
            Household.merged_into.is_(None),
            Household.erased_at.is_(None),
            Member.deleted.is_(False),
            Member.erased_at.is_(None),
        )
        .order_by(Member.id)
    )
    return [
        KnownPerson(member_id, household_id, village_id, name, year, own_phone or family_phone)
        for member_id, household_id, village_id, name, year, own_phone, family_phone in rows
    ]
