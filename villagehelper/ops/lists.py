"""Queries behind the list screens: sessions, households, and the periods people pick.

Lists are read a block at a time (a screen shows a few dozen rows of 100,000), so every
query here takes a limit and an offset, counts cheaply, and sorts in SQL with a total
order (ties broken by id) so that the blocks of one query never overlap or leave gaps.

Filters that concern the household (its village, a name typed in the search box) become
``household_id IN (…)`` conditions on the sessions themselves: a count then touches one
table instead of the six a session row joins, which is what keeps the first paint of
the sessions list fast at district scale.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    UnaryExpression,
    case,
    column,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

from villagehelper.clock import to_vietnam, vietnam_day_bounds
from villagehelper.ops.session_queries import (
    FollowUp,
    SessionFilter,
    SessionRow,
    follow_ups,
    rows_query,
    to_row,
)
from villagehelper.store.engine import Store
from villagehelper.store.models import (
    HelpSession,
    Household,
    Member,
    Outcome,
    Service,
    TeamMember,
    Village,
)
from villagehelper.store.search_index import MIN_TRIGRAM, query_tokens
from villagehelper.text import collation_key, name_sort_key

R = TypeVar("R")


@dataclass(frozen=True)
class Page(Generic[R]):
    """The first rows of a list and how many rows the whole list has."""

    total: int
    rows: tuple[R, ...]


# --- periods -------------------------------------------------------------------------


class Period(StrEnum):
    ALL = "all"
    TODAY = "today"
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    CUSTOM = "custom"


def period_days(period: Period, today: date) -> tuple[date, date] | None:
    """First and last Vietnam calendar day of a preset (weeks are ISO: Monday first);
    ``None`` for "all time".  A custom period has no preset days."""
    if period == Period.ALL:
        return None
    if period == Period.TODAY:
        return today, today
    monday = today - timedelta(days=today.weekday())
    if period == Period.THIS_WEEK:
        return monday, monday + timedelta(days=6)
    if period == Period.LAST_WEEK:
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if period == Period.THIS_MONTH:
        last = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=1), today.replace(day=last)
    raise ValueError("a custom period has no preset days: give the dates")


# --- name search ---------------------------------------------------------------------

# The search index document starts with the head's search key, followed by " | " and
# the other parts (see search_index.household_search_text): the head's part is the text
# before the first separator.
_HEAD_PART = "substr(s.search_text, 1, instr(s.search_text || ' | ', ' | ') - 1)"


def matching_households(query: str, *, head_only: bool) -> Subquery | None:
    """Ids of live households matching ``query`` as ``find_households`` matches it
    (any part of the head's or a member's name, phone, village, address; ignoring case
    and diacritics), or, with ``head_only``, the head's name alone.  ``None`` when the
    query has nothing to search for.

    Unlike ``find_households`` there is no limit: a list shows every match, paged.
    Tokens of three or more characters are substrings (the trigram index narrows them),
    shorter ones must start a word, as in the search box.
    """
    tokens = query_tokens(query)
    if not tokens:
        return None
    conditions: list[str] = []
    params: dict[str, str] = {}
    long_tokens = [token for token in tokens if len(token) >= MIN_TRIGRAM]
    if long_tokens:
        params["hq_match"] = " ".join('"' + t.replace('"', '""') + '"' for t in long_tokens)
        conditions.append("s.search_text MATCH :hq_match")
    where = _HEAD_PART if head_only else "s.search_text"
    for index, token in enumerate(tokens):
        name = f"hq_token{index}"
        if len(token) < MIN_TRIGRAM:
            params[name] = " " + token
            conditions.append(f"instr(' ' || {where}, :{name}) > 0")
        elif head_only:
            params[name] = token
            conditions.append(f"instr({where}, :{name}) > 0")
    sql = (
        "SELECT m.household_id AS household_id FROM household_search s "
        "JOIN household_search_ids m ON m.rowid = s.rowid WHERE " + " AND ".join(conditions)
    )
    statement = text(sql).bindparams(**params).columns(column("household_id", String))
    return statement.subquery("matched_households")


def _in_households(
    household_column: SQLColumnExpression[str], subquery: Subquery
) -> ColumnElement[bool]:
    return household_column.in_(select(subquery.c.household_id))


# --- sessions ------------------------------------------------------------------------


class SessionSort(StrEnum):
    TIME = "time"
    HOUSEHOLD = "household"
    VILLAGE = "village"
    SERVICE = "service"
    VOLUNTEER = "volunteer"
    OUTCOME = "outcome"


@dataclass(frozen=True)
class SessionQuery:
    """What the sessions list shows: a filter, the head name typed in its search box
    (diacritics ignored), and the sort (newest first by default)."""

    filter: SessionFilter = field(default_factory=SessionFilter)
    search: str = ""
    sort: SessionSort = SessionSort.TIME
    descending: bool = True


_OUTCOME_RANK = {Outcome.DONE.value: 0, Outcome.FOLLOW_UP.value: 1, Outcome.FAILED.value: 2}


def _session_conditions(query: SessionQuery) -> list[ColumnElement[bool]]:
    flt = query.filter
    conditions: list[ColumnElement[bool]] = []
    if flt.start is not None:
        conditions.append(HelpSession.occurred_at >= vietnam_day_bounds(flt.start)[0])
    if flt.end is not None:
        conditions.append(HelpSession.occurred_at < vietnam_day_bounds(flt.end)[1])
    if flt.village_id is not None:
        in_village = select(Household.id).where(Household.village_id == flt.village_id)
        conditions.append(HelpSession.household_id.in_(in_village))
    if flt.service_code is not None:
        conditions.append(HelpSession.service_code == flt.service_code)
    if flt.volunteer_id is not None:
        conditions.append(HelpSession.volunteer_id == flt.volunteer_id)
    if flt.outcome is not None:
        conditions.append(HelpSession.outcome == flt.outcome)
    if flt.household_id is not None:
        conditions.append(HelpSession.household_id == flt.household_id)
    if not flt.include_voided:
        conditions.append(HelpSession.voided.is_(False))
    matched = matching_households(query.search, head_only=True)
    if matched is not None:
        conditions.append(_in_households(HelpSession.household_id, matched))
    return conditions


def _rank(value: SQLColumnExpression[str], ranks: dict[str, int]) -> ColumnElement[Any]:
    """Position of ``value`` in a small ordered list computed in Python (Vietnamese
    collation, catalog order), so SQL can sort by it without a collation of its own."""
    if not ranks:
        return literal(0)
    return case(ranks, value=value, else_=len(ranks))


def _ranks(keys: dict[str, str]) -> dict[str, int]:
    return {item: rank for rank, item in enumerate(sorted(keys, key=lambda k: keys[k]))}


def _session_sort_key(session: Session, sort: SessionSort) -> SQLColumnExpression[Any] | None:
    if sort == SessionSort.HOUSEHOLD:
        return Household.head_sort_key
    if sort == SessionSort.VILLAGE:
        names = dict(session.execute(select(Village.id, Village.name)).all())
        ranks = _ranks({key: collation_key(name) for key, name in names.items()})
        return _rank(Household.village_id, ranks)
    if sort == SessionSort.SERVICE:
        orders = session.execute(select(Service.code, Service.sort_order)).all()
        return _rank(HelpSession.service_code, _ranks({c: f"{o:09d}" for c, o in orders}))
    if sort == SessionSort.VOLUNTEER:
        people = dict(session.execute(select(TeamMember.id, TeamMember.full_name)).all())
        ranks = _ranks({key: name_sort_key(name) for key, name in people.items()})
        return _rank(HelpSession.volunteer_id, ranks)
    if sort == SessionSort.OUTCOME:
        return _rank(HelpSession.outcome, _OUTCOME_RANK)
    return None


def _session_order(session: Session, query: SessionQuery) -> list[UnaryExpression[Any]]:
    """A total order: the sort key, then newest first (time itself follows the chosen
    direction), then id so that equal times never swap between two blocks."""
    key = _session_sort_key(session, query.sort)
    if key is None:
        time = HelpSession.occurred_at.desc() if query.descending else HelpSession.occurred_at.asc()
        return [time, HelpSession.id.asc()]
    first = key.desc() if query.descending else key.asc()
    return [first, HelpSession.occurred_at.desc(), HelpSession.id.asc()]


def _needs_household(query: SessionQuery) -> bool:
    return query.sort in {SessionSort.HOUSEHOLD, SessionSort.VILLAGE}


def count_session_rows(store: Store, query: SessionQuery) -> int:
    """How many sessions the list shows (equal to ``count_sessions`` for the filter
    alone, without its joins)."""
    statement = select(func.count()).select_from(HelpSession).where(*_session_conditions(query))
    with store.reading() as session:
        return int(session.scalar(statement) or 0)


def list_session_rows(
    store: Store, query: SessionQuery, *, limit: int | None = None, offset: int = 0
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


def session_ids(store: Store, query: SessionQuery) -> list[str]:
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

    def __init__(self, store: Store, query: SessionQuery) -> None:
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


# --- households ----------------------------------------------------------------------


class HouseholdSort(StrEnum):
    HEAD = "head"  # Vietnamese name order: given name, middle, family
    VILLAGE = "village"
    MEMBERS = "members"
    LAST_VISIT = "last_visit"


@dataclass(frozen=True)
class HouseholdListRow:
    id: str
    head_name: str
    village_id: str
    village_name: str
    phone: str | None
    member_count: int
    last_visit: date | None  # Vietnam calendar day of the latest session not voided
    services_done: tuple[str, ...]  # codes done at least once (not voided), catalog order


def _household_conditions(query: str, village_id: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Household.deleted.is_(False)]
    if village_id is not None:
        conditions.append(Household.village_id == village_id)
    matched = matching_households(query, head_only=False)
    if matched is not None:
        conditions.append(_in_households(Household.id, matched))
    return conditions


def _member_count() -> ColumnElement[int]:
    return (
        select(func.count(Member.id))
        .where(Member.household_id == Household.id, Member.deleted.is_(False))
        .scalar_subquery()
    )


def _last_visit() -> ColumnElement[Any]:
    # ix_sessions_household (household_id, occurred_at) answers this per household.
    return (
        select(func.max(HelpSession.occurred_at))
        .where(HelpSession.household_id == Household.id, HelpSession.voided.is_(False))
        .scalar_subquery()
    )


def _household_order(
    session: Session, sort: HouseholdSort, descending: bool
) -> list[UnaryExpression[Any]]:
    key: SQLColumnExpression[Any] | None = None
    if sort == HouseholdSort.VILLAGE:
        names = dict(session.execute(select(Village.id, Village.name)).all())
        key = _rank(Household.village_id, _ranks({k: collation_key(n) for k, n in names.items()}))
    elif sort == HouseholdSort.MEMBERS:
        key = _member_count()
    elif sort == HouseholdSort.LAST_VISIT:
        key = _last_visit()
    order: list[UnaryExpression[Any]] = []
    if key is not None:
        order.append(key.desc() if descending else key.asc())
        order.append(Household.head_sort_key.asc())
    else:
        name = Household.head_sort_key
        order.append(name.desc() if descending else name.asc())
    order.append(Household.id.asc())
    return order


def count_households(store: Store, query: str = "", village_id: str | None = None) -> int:
    statement = (
        select(func.count()).select_from(Household).where(*_household_conditions(query, village_id))
    )
    with store.reading() as session:
        return int(session.scalar(statement) or 0)


def _services_done(session: Session, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    pairs = session.execute(
        select(HelpSession.household_id, HelpSession.service_code)
        .join(Service, Service.code == HelpSession.service_code)
        .where(
            HelpSession.household_id.in_(ids),
            HelpSession.outcome == Outcome.DONE,
            HelpSession.voided.is_(False),
        )
        .distinct()
        .order_by(Service.sort_order, HelpSession.service_code)
    ).all()
    done: dict[str, list[str]] = {}
    for household_id, code in pairs:
        done.setdefault(household_id, []).append(code)
    return {household_id: tuple(codes) for household_id, codes in done.items()}


@dataclass(frozen=True)
class HouseholdQuery:
    """What the households list shows (see :func:`list_households`)."""

    search: str = ""
    village_id: str | None = None
    sort: HouseholdSort = HouseholdSort.HEAD
    descending: bool = False


def _household_details(session: Session, ids: Sequence[str]) -> dict[str, HouseholdListRow]:
    records = session.execute(
        select(
            Household.id,
            Household.head_name,
            Household.village_id,
            Village.name,
            Household.phone,
            _member_count(),
            _last_visit(),
        )
        .join(Village, Village.id == Household.village_id)
        .where(Household.id.in_(ids))
    ).all()
    done = _services_done(session, ids)
    return {
        household_id: HouseholdListRow(
            id=household_id,
            head_name=head_name,
            village_id=village,
            village_name=village_name,
            phone=phone,
            member_count=int(members or 0),
            last_visit=to_vietnam(last).date() if isinstance(last, datetime) else None,
            services_done=done.get(household_id, ()),
        )
        for household_id, head_name, village, village_name, phone, members, last in records
    }


def list_households(
    store: Store,
    query: str = "",
    village_id: str | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    sort: HouseholdSort = HouseholdSort.HEAD,
    descending: bool = False,
) -> list[HouseholdListRow]:
    """Households for the list screen, with member count, last visit and services done.

    ``query`` matches like the log-a-visit search box (any name, phone, village;
    diacritics ignored); deleted and merged households are left out.
    """
    with store.reading() as session:
        # Ids first, details for the page only: with a partly indexed ORDER BY, SQLite
        # computes the select list of every row it skips, and the per-household
        # subqueries would run for the whole OFFSET.
        statement = (
            select(Household.id)
            .where(*_household_conditions(query, village_id))
            .order_by(*_household_order(session, sort, descending))
            .offset(offset)
        )
        if limit is not None:
            statement = statement.limit(limit)
        ids = list(session.scalars(statement))
        details = _household_details(session, ids) if ids else {}
    return [details[household_id] for household_id in ids]


class HouseholdCursor:
    """Blocks of the households list (30,000 rows page well by OFFSET on the name index)."""

    def __init__(self, store: Store, query: HouseholdQuery) -> None:
        self._store = store
        self.query = query

    def first_page(self, limit: int) -> Page[HouseholdListRow]:
        total = count_households(self._store, self.query.search, self.query.village_id)
        return Page(total, tuple(self.rows(0, limit)))

    def rows(self, offset: int, limit: int) -> list[HouseholdListRow]:
        q = self.query
        return list_households(
            self._store,
            q.search,
            q.village_id,
            limit=limit,
            offset=offset,
            sort=q.sort,
            descending=q.descending,
        )


# --- follow-ups ----------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpQuery:
    """Follow-ups due by ``today`` (and overdue), or also those of the next
    ``days_ahead`` days; optionally of one village."""

    today: date
    village_id: str | None = None
    days_ahead: int = 0


class FollowUpCursor:
    """The open follow-ups of a query, overdue first (oldest due date first).

    A commune has a few thousand open follow-ups at most: they are read whole, once,
    and handed out in blocks like the other lists.
    """

    def __init__(self, store: Store, query: FollowUpQuery) -> None:
        self._store = store
        self.query = query
        self._items: list[FollowUp] | None = None

    def _all(self) -> list[FollowUp]:
        if self._items is None:
            until = self.query.today + timedelta(days=self.query.days_ahead)
            items = follow_ups(self._store, until)
            village = self.query.village_id
            self._items = [f for f in items if village is None or f.session.village_id == village]
        return self._items

    def first_page(self, limit: int) -> Page[FollowUp]:
        items = self._all()
        return Page(len(items), tuple(items[:limit]))

    def rows(self, offset: int, limit: int) -> list[FollowUp]:
        return self._all()[offset : offset + limit]
