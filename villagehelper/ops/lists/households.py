"""The households list: live households with member count, last visit and services
done, searched like the log-a-visit search box, sorted, in blocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, UnaryExpression, func, select
from sqlalchemy.orm import Session

from villagehelper.clock import to_vietnam
from villagehelper.ops.lists.name_search import in_households, matching_households
from villagehelper.ops.lists.paging import Page, rank, ranks_by
from villagehelper.store.engine import Store
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import HelpSession, Household, Member, Service, Village
from villagehelper.text import collation_key


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
        conditions.append(in_households(Household.id, matched))
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
        key = rank(Household.village_id, ranks_by({k: collation_key(n) for k, n in names.items()}))
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
class HouseholdListRequest:
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

    def __init__(self, store: Store, query: HouseholdListRequest) -> None:
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
