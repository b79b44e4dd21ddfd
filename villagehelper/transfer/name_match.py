"""Finding the laptop's people by what a file names them: both imports match this way.

Two names are the same when their search keys are (case, diacritics, tone placement and
đ/d ignored, :func:`villagehelper.text.search_key`): "Lò thị Hòa" in a commune's list is
the "Lò Thị Hoà" the laptop holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.store.models import Member
from villagehelper.text import search_key
from villagehelper.transfer.common import batches


def ids_by_name(people: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(id, full name) pairs → the ids under each name's search key, in their order."""
    found: dict[str, list[str]] = {}
    for person_id, full_name in people:
        found.setdefault(search_key(full_name), []).append(person_id)
    return found


def named(members: Iterable[Member], name: str) -> list[Member]:
    """The ``members`` called ``name``."""
    key = search_key(name)
    return [member for member in members if search_key(member.full_name) == key]


def members_of_households(session: Session, household_ids: Iterable[str]) -> Iterator[Member]:
    """Every member of these households, tombstones included, a batch of ids at a time."""
    for batch in batches(sorted(set(household_ids))):
        yield from session.scalars(select(Member).where(Member.household_id.in_(batch)))
