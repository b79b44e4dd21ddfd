"""The download feed: a commune's rows (and the shared catalog) above a cursor, in
version order, one page at a time.  The cursor is the server's version number, never a
laptop clock, so a page interrupted half-way is simply asked for again."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from villagehelper.sync.server.accounts import DeviceScope
from villagehelper.sync.server.database import ServerDB
from villagehelper.sync.server.tables import Record


def page(db: ServerDB, scope: DeviceScope, since: int, limit: int) -> dict[str, Any]:
    """Up to ``limit`` rows with a version above ``since``; ``more`` if the feed goes on."""
    with db.reading() as session:
        # Two ordered index ranges (commune, catalog) merged here: one OR'ed range would
        # make the database sort the whole remaining feed for every page.
        rows: list[Record] = []
        for commune in (scope.commune_code, ""):
            rows.extend(
                session.scalars(
                    select(Record)
                    .where(Record.commune_code == commune, Record.version > since)
                    .order_by(Record.version)
                    .limit(limit + 1)
                )
            )
    rows.sort(key=lambda record: record.version)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "changes": [
            {
                "entity": record.entity,
                "id": record.row_id,
                "version": record.version,
                "fields": json.loads(record.fields),
                "deleted": record.deleted,
            }
            for record in rows
        ],
        "cursor": rows[-1].version if rows else since,
        "more": more,
    }
