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
from typing import Any

from sqlalchemy import text

from villagehelper.errors import UserError
from villagehelper.server.accounts import DeviceScope
from villagehelper.server.database import ServerDB
from villagehelper.server.feed_clock import CATALOG, commune_end
from villagehelper.server.tables import Record

# (entity, row id, version, fields as canonical JSON text, deleted)
_FeedRow = tuple[str, str, int, str, bool]
# Plain rows through a fixed statement, not ORM objects nor the ORM's column loading: a
# page is read once and thrown away.
_PAGE_SQL = text(
    f"SELECT entity, row_id, version, fields, deleted FROM {Record.__tablename__} "
    "WHERE commune_code = :commune AND version > :since ORDER BY version LIMIT :limit"
)


class FeedBehindError(UserError):
    """A laptop has downloaded further than the server's feed goes: the server's
    database is older than what it once served (restored from a backup, or replaced)."""

    def __init__(self) -> None:
        super().__init__(
            "Dữ liệu trên máy chủ xã cũ hơn dữ liệu máy này đã nhận: có thể máy chủ vừa được "
            "khôi phục từ bản sao lưu. Máy này vẫn giữ nguyên dữ liệu của mình và không gửi "
            "hay nhận gì thêm; hãy báo người quản lý máy chủ xã trước khi tiếp tục.",
            "The commune server holds less than this laptop already downloaded from it: it "
            "may have been restored from a backup. This laptop keeps all its data and syncs "
            "nothing more; tell the server's administrator before going on.",
        )


def _rows(db: ServerDB, scope: DeviceScope, since: int, limit: int) -> tuple[list[_FeedRow], bool]:
    """Up to ``limit`` rows above ``since`` in version order, and whether more follow."""
    rows: list[_FeedRow] = []
    with db.reading() as session:
        connection = session.connection()
        # Two ordered index ranges (commune, catalog) merged here: one OR'ed range would
        # make the database sort the whole remaining feed for every page.
        for commune in (scope.commune_code, CATALOG):
            params = {"commune": commune, "since": since, "limit": limit + 1}
            rows.extend(tuple(row) for row in connection.execute(_PAGE_SQL, params))
        # Versions handed out after a backup was taken are handed out again once it is
        # restored, with other rows behind them: a laptop past the feed's end would skip
        # those rows in silence. Checked on an empty page only: that is where a laptop
        # past the end always lands first (its no-op sync), at the cost of one read.
        if not rows and since > commune_end(connection, scope.commune_code):
            raise FeedBehindError()
    rows.sort(key=lambda row: row[2])
    return rows[:limit], len(rows) > limit


def page(db: ServerDB, scope: DeviceScope, since: int, limit: int) -> dict[str, Any]:
    """Up to ``limit`` rows with a version above ``since``; ``more`` if the feed goes on."""
    rows, more = _rows(db, scope, since, limit)
    return {
        "changes": [
            {
                "entity": entity,
                "id": row_id,
                "version": version,
                "fields": json.loads(fields),
                "deleted": bool(deleted),
            }
            for entity, row_id, version, fields, deleted in rows
        ],
        "cursor": rows[-1][2] if rows else since,
        "more": more,
    }


def page_json(db: ServerDB, scope: DeviceScope, since: int, limit: int) -> bytes:
    """:func:`page` as the UTF-8 JSON text of the HTTP answer, built without decoding."""
    rows, more = _rows(db, scope, since, limit)
    dumps = json.dumps
    changes = ",".join(
        [
            f'{{"entity":{dumps(entity)},"id":{dumps(row_id)},"version":{int(version)},'
            f'"fields":{fields},"deleted":{"true" if deleted else "false"}}}'
            for entity, row_id, version, fields, deleted in rows
        ]
    )
    cursor = rows[-1][2] if rows else since
    more_text = "true" if more else "false"
    return f'{{"changes":[{changes}],"cursor":{int(cursor)},"more":{more_text}}}'.encode()
