"""Keeping the household search index right after an import, in batches.

``search_index.refresh_household`` deletes a household's entry by ``household_id``, an
UNINDEXED column of the FTS5 table, so each call scans the whole index (about 6 ms per
household at 30k households): right for one save, quadratic for an import.  Here the
households an import created have nothing to delete, the changed ones are deleted a
batch at a time, and every document is built by the same ``household_search_text``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Connection, column, delete, insert, select, table

from villagehelper.store.models import Household, Member, Village
from villagehelper.store.search_index import household_search_text
from villagehelper.transfer.common import batches

_INDEX = table("household_search", column("household_id"), column("search_text"))


def reindex(connection: Connection, household_ids: Sequence[str], created: Collection[str]) -> None:
    stale = [household_id for household_id in household_ids if household_id not in created]
    for batch in batches(stale):
        connection.execute(delete(_INDEX).where(_INDEX.c.household_id.in_(batch)))
    for batch in batches(household_ids):
        members: dict[str, list[tuple[str, str | None]]] = {}
        member_query = (
            select(Member.household_id, Member.full_name, Member.phone)
            .where(Member.household_id.in_(batch), Member.deleted.is_(False))
            .order_by(Member.id)
        )
        for household_id, full_name, phone in connection.execute(member_query):
            members.setdefault(household_id, []).append((full_name, phone))
        household_query = (
            select(
                Household.id,
                Household.head_name,
                Household.address_detail,
                Household.phone,
                Village.name,
            )
            .join(Village, Village.id == Household.village_id)
            .where(Household.id.in_(batch), Household.deleted.is_(False))
        )
        documents = [
            {
                "household_id": household_id,
                "search_text": household_search_text(
                    head_name, address, phone, village_name, members.get(household_id, [])
                ),
            }
            for household_id, head_name, address, phone, village_name in connection.execute(
                household_query
            )
        ]
        if documents:
            connection.execute(insert(_INDEX), documents)
