"""Helpers shared by the transfer tests (no tests here): a store's records as rows to
compare, row counts, outbox entries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from villagehelper.store import search_index
from villagehelper.store.changelog import synced_fields
from villagehelper.store.engine import Store
from villagehelper.store.models import (
    Base,
    HelpSession,
    Household,
    Member,
    OutboxEntry,
    SessionVoid,
    TeamMember,
    Village,
)

COUNTED: tuple[type[Base], ...] = (
    Village,
    TeamMember,
    Household,
    Member,
    HelpSession,
    SessionVoid,
    OutboxEntry,
)


def records(store: Store, model: type[Base], *extra: str) -> list[tuple[Any, ...]]:
    """Every row of ``model`` as (id, synced fields…, extra…), sorted by id."""
    names = ["id", *synced_fields(model), *extra]
    with store.reading() as session:
        rows = session.scalars(select(model)).all()
        return sorted(tuple(getattr(row, name) for name in names) for row in rows)


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """What an export carries: households, members, sessions (with their voided flag),
    the villages and volunteers they use."""
    households = records(store, Household)
    sessions = records(store, HelpSession, "voided")
    with store.reading() as session:
        village_ids = set(session.scalars(select(Household.village_id)))
        volunteer_ids = set(session.scalars(select(HelpSession.volunteer_id)))
        villages = sorted(
            (v.id, v.name, v.kind, v.commune_code)
            for v in session.scalars(select(Village))
            if v.id in village_ids
        )
        volunteers = sorted(
            (t.id, t.full_name)
            for t in session.scalars(select(TeamMember))
            if t.id in volunteer_ids
        )
    return {
        "villages": villages,
        "volunteers": volunteers,
        "households": households,
        "members": records(store, Member),
        "sessions": sessions,
    }


def counts(store: Store) -> dict[str, int]:
    with store.reading() as session:
        found = {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in COUNTED
        }
        found["household_search"] = int(
            session.execute(text("SELECT count(*) FROM household_search")).scalar_one()
        )
        return found


def outbox_ops(store: Store) -> set[tuple[str, str, str]]:
    with store.reading() as session:
        return {
            (entry.entity, entry.row_id, entry.op) for entry in session.scalars(select(OutboxEntry))
        }


def search_documents(store: Store) -> list[tuple[str, str]]:
    with store.reading() as session:
        return sorted(search_index.indexed_documents(session.connection()).items())
