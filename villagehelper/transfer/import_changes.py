"""What a large import tells the views it changed, without every new row's id.

The views read a :class:`Changes` in two ways: "did any row of this entity change"
(sessions list, tally, today's list) and "did this household change" (a household's
page, the visit being logged).  An import of 200,000 sessions would otherwise keep each
session's and outbox entry's id until it returns — ~25 MB nobody reads one by one.
:class:`ImportChanges` keeps every id of the entities a view looks up by id and, of the
others, one id only: enough for "any changed", and an import's report is read no other
way (the command line prints its counts).
"""

from __future__ import annotations

from villagehelper.store.changelog import Changes

# Entities a view asks about one id at a time: all their ids are kept.
KEPT_BY_ID = frozenset({"household", "member", "village", "team_member", "service"})


class ImportChanges(Changes):
    """A :class:`Changes` whose bulk entities (sessions, voids) hold the first id
    changed, standing for all of them."""

    def add(self, entity: str, row_id: str) -> None:
        ids = self.touched.setdefault(entity, set())
        if entity in KEPT_BY_ID or not ids:
            ids.add(row_id)
