"""The follow-ups list: open follow-ups due by a day, optionally of one village."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from villagehelper.ops.lists.paging import Page
from villagehelper.ops.session_queries import FollowUp, follow_ups
from villagehelper.store.engine import Store


@dataclass(frozen=True)
class FollowUpListRequest:
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

    def __init__(self, store: Store, query: FollowUpListRequest) -> None:
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
