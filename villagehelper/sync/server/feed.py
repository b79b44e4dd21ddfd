"""The download feed: a commune's rows (and the shared catalog) above a cursor, in
version order, one page at a time.  The cursor is the server's version number, never a
laptop clock, so a page interrupted half-way is simply asked for again.

A record's fields are stored as canonical JSON text (``wire.canonical_json``), so the
HTTP answer splices that text into the page as it is (:func:`page_json`): decoding every
row only to encode it again, and validating it through the response model, cost the
server more than the laptop spends storing the row.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from sqlalchemy import select

from villagehelper.sync.server.accounts import DeviceScope
from villagehelper.sync.server.database import ServerDB
from villagehelper.sync.server.tables import Record


class _FeedRow(NamedTuple):
    entity: str
    row_id: str
    version: int
    fields: str  # canonical JSON text
    deleted: bool


_COLUMNS = (Record.entity, Record.row_id, Record.version, Record.fields, Record.deleted)


def _rows(db: ServerDB, scope: DeviceScope, since: int, limit: int) -> tuple[list[_FeedRow], bool]:
    """Up to ``limit`` rows above ``since`` in version order, and whether more follow."""
    rows: list[_FeedRow] = []
    with db.reading() as session:
        # Core rows, not ORM objects nor the ORM's column loading: a page is read once
        # and thrown away.  Two ordered index ranges (commune, catalog) merged here: one
        # OR'ed range would make the database sort the whole remaining feed every page.
        connection = session.connection()
        for commune in (scope.commune_code, ""):
            result = connection.execute(
                select(*_COLUMNS)
                .where(Record.commune_code == commune, Record.version > since)
                .order_by(Record.version)
                .limit(limit + 1)
            )
            rows.extend(_FeedRow._make(row) for row in result)
    rows.sort(key=lambda row: row.version)
    return rows[:limit], len(rows) > limit


def page(db: ServerDB, scope: DeviceScope, since: int, limit: int) -> dict[str, Any]:
    """Up to ``limit`` rows with a version above ``since``; ``more`` if the feed goes on."""
    rows, more = _rows(db, scope, since, limit)
    return {
        "changes": [
            {
                "entity": row.entity,
                "id": row.row_id,
                "version": row.version,
                "fields": json.loads(row.fields),
                "deleted": bool(row.deleted),
            }
            for row in rows
        ],
        "cursor": rows[-1].version if rows else since,
        "more": more,
    }


def page_json(db: ServerDB, scope: DeviceScope, since: int, limit: int) -> bytes:
    """:func:`page` as the UTF-8 JSON text of the HTTP answer, built without decoding."""
    rows, more = _rows(db, scope, since, limit)
    dumps = json.dumps
    changes = ",".join(
        f'{{"entity":{dumps(row.entity)},"id":{dumps(row.row_id)},"version":{int(row.version)},'
        f'"fields":{row.fields},"deleted":{"true" if row.deleted else "false"}}}'
        for row in rows
    )
    cursor = rows[-1].version if rows else since
    more_text = "true" if more else "false"
    return f'{{"changes":[{changes}],"cursor":{int(cursor)},"more":{more_text}}}'.encode()
