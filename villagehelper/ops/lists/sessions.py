"""The sessions list: a filter, the head name typed in its search box, a sort; its
count, its blocks, and a cursor that can jump anywhere in 100,000 rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, UnaryExpression, func, select
from sqlalchemy.orm import Session

from villagehelper.ops.lists.name_search import in_households, matching_households
from villagehelper.ops.lists.paging import Page, rank, ranks_by
from villagehelper.ops.session_filter import SessionFilter, session_conditions
from villagehelper.ops.session_queries import SessionRow, rows_query, to_row
from villagehelper.store.engine import Store
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import HelpSession, Household, Service, TeamMember, Village
from villagehelper.text import collation_key, name_sort_key


class SessionSort(StrEnum):
    TIME = "time"
    HOUSEHOLD = "household"
    VILLAGE = "village"
    SERVICE = "service"
    VOLUNTEER = "volunteer"
    OUTCOME = "outcome"


@dataclass(frozen=True)
class SessionListRequest:
    """What the sessions list shows: the sessions of a filter whose household head's
    name matches the search box (diacritics ignored; the search is the list's own, no
    report has one), and the sort (newest first by default)."""

    filter: SessionFilter = field(default_factory=SessionFilter)
    search: str = ""
    sort: SessionSort = SessionSort.TIME
    descending: bool = True


_OUTCOME_RANK = {Outcome.DONE.value: 0, Outcome.FOLLOW_UP.value: 1, Outcome.FAILED.value: 2}


def _session_conditions(request: SessionListRequest) -> list[ColumnElement[bool]]:
    conditions = session_conditions(request.filter)
    matched = matching_households(request.search, head_only=True)
    if matched is not None:
        conditions.append(in_households(HelpSession.household_id, matched))
    return conditions


def _session_sort_key(session: Session, sort: SessionSort) -> SQLColumnExpression[Any] | None:
    if sort == SessionSort.HOUSEHOLD:
        return Household.head_sort_key
    if sort == SessionSort.VILLAGE:
        names = dict(session.execute(select(Village.id, Village.name)).all())
        ranks = ranks_by({key: collation_key(name) for key, name in names.items()})
        return rank(Household.village_id, ranks)
    if sort == SessionSort.SERVICE:
        orders = session.execute(select(Service.code, Service.sort_order)).all()
        return rank(HelpSession.service_code, ranks_by({c: f"{o:09d}" for c, o in orders}))
    if sort == SessionSort.VOLUNTEER:
        people = dict(session.execute(select(TeamMember.id, TeamMember.full_name)).all())
        ranks = ranks_by({key: name_sort_key(name) for key, name in people.items()})
        return rank(HelpSession.volunteer_id, ranks)
    if sort == SessionSort.OUTCOME:
        return rank(HelpSession.outcome, _OUTCOME_RANK)
    return None


def _session_order(session: Session, query: SessionListRequest) -> list[UnaryExpression[Any]]:
    """A total order: the sort key, then newest first (time itself follows the chosen
    direction), then id so that equal times never swap between two blocks."""
    key = _session_sort_key(session, query.sort)
    if key is None:
        time = HelpSession.occurred_at.desc() if query.descending else HelpSession.occurred_at.asc()
        return [time, HelpSession.id.asc()]
    first = key.desc() if query.descending else key.asc()
    return [first, HelpSession.occurred_at.desc(), HelpSession.id.asc()]


def _needs_household(query: SessionListRequest) -> bool:
    return query.sort in {SessionSort.HOUSEHOLD, SessionSort.VILLAGE}


def count_session_rows(store: Store, query: SessionListRequest) -> int:
    """How many sessions the list shows."""
    statement = select(func.count()).select_from(HelpSession).where(*_session_conditions(query))
    with store.reading() as session:
        return int(session.scalar(statement) or 0)


def list_session_rows(
    store: Store, query: SessionListRequest, *, limit: int | None = None, offset: int = 0
) -> list[SessionRow]:
    with store.reading() as session:
        statement = (
            rows_query()
            .where(*_session_conditions(query))
            .order_by(*_session_order(session, query))
            .offset(offset)
        )
        if limit is not None:
            statement = statement.limit(limit)
        return [to_row(record) for record in session.execute(statement)]


def session_ids(store: Store, query: SessionListRequest) -> list[str]:
    """Every id the list shows, in its order: one sort, then any block is a cheap
    lookup by id (an OFFSET deep into 100,000 sorted rows costs a full sort each time)."""
    with store.reading() as session:
        statement: Select[tuple[str]] = select(HelpSession.id)
        if _needs_household(query):
            statement = statement.join(Household, Household.id == HelpSession.household_id)
        statement = statement.where(*_session_conditions(query)).order_by(
            *_session_order(session, query)
        )
        return list(session.scalars(statement))


def sessions_by_ids(store: Store, ids: Sequence[str]) -> list[SessionRow]:
    """These sessions, in the order given (ids that no longer exist are left out)."""
    if not ids:
        return []
    with store.reading() as session:
        records = session.execute(rows_query().where(HelpSession.id.in_(ids)))
        rows = {row.id: row for row in (to_row(record) for record in records)}
    return [rows[session_id] for session_id in ids if session_id in rows]


class SessionCursor:
    """Blocks of one session query for a list that can jump anywhere.

    Newest first, the first page comes from a LIMIT query on the time index (the fastest
    way to show something); the first jump beyond it reads the ordered ids once and
    every later block looks rows up by id.  Other sorts start from the ids.  Not
    thread-safe: use one cursor from one thread (the database worker).
    """

    def __init__(self, store: Store, query: SessionListRequest) -> None:
        self._store = store
        self.query = query
        self._ids: list[str] | None = None

    def first_page(self, limit: int) -> Page[SessionRow]:
        if self.query.sort != SessionSort.TIME:
            # A top-N sort over six joined tables costs more than sorting the ids once,
            # and the ids are needed as soon as the list scrolls.
            return Page(len(self._snapshot()), tuple(self.rows(0, limit)))
        total = count_session_rows(self._store, self.query)
        rows = list_session_rows(self._store, self.query, limit=limit)
        return Page(total, tuple(rows))

    def _snapshot(self) -> list[str]:
        if self._ids is None:
            self._ids = session_ids(self._store, self.query)
        return self._ids

    def rows(self, offset: int, limit: int) -> list[SessionRow]:
        return sessions_by_ids(self._store, self._snapshot()[offset : offset + limit])
