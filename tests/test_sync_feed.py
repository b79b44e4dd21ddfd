"""The download feed as sent over HTTP (pre-rendered JSON) is the feed page itself."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.sync_support import COMMUNE, OTHER_COMMUNE
from villagehelper.exchange.wire import canonical_json, stored_field
from villagehelper.server import feed
from villagehelper.server.accounts import DeviceRole, DeviceScope
from villagehelper.server.database import ServerDB
from villagehelper.server.feed_clock import VersionClock, commune_end
from villagehelper.server.tables import Record


def _add(db: ServerDB, commune: str, entity: str, row_id: str, fields: dict[str, object]) -> None:
    with db.transaction() as session:
        version = VersionClock(session, commune).next()
        session.add(
            Record(
                entity=entity,
                row_id=row_id,
                commune_code=commune,
                version=version,
                fields=canonical_json(fields),
                field_versions="{}",
                deleted=row_id.endswith("-gone"),
            )
        )


def test_the_page_sent_is_the_page_read(server_db: ServerDB) -> None:
    _add(server_db, COMMUNE, "village", "v-1", {"name": 'Thôn "Khay" \\ Đông', "active": True})
    _add(server_db, OTHER_COMMUNE, "village", "v-other", {"name": "Thôn khác"})
    _add(server_db, COMMUNE, "household", "h-1-gone", {"head_name": "Lê Văn Tám", "phone": None})
    _add(server_db, COMMUNE, "member", "m-1", {"birth_year": 1990, "notes": "dòng 1\ndòng 2"})
    scope = DeviceScope("device", COMMUNE, DeviceRole.VOLUNTEER)
    with server_db.reading() as session:
        end = commune_end(session.connection(), COMMUNE)
    for since, limit in ((0, 2000), (0, 3), (5, 2), (end, 10)):
        sent = json.loads(feed.page_json(server_db, scope, since, limit))
        assert sent == feed.page(server_db, scope, since, limit)
    everything = json.loads(feed.page_json(server_db, scope, 0, 2000))
    assert "v-other" not in {change["id"] for change in everything["changes"]}
    assert {change["entity"] for change in everything["changes"]} >= {"service", "village"}


def test_a_cursor_past_the_feeds_end_is_refused_not_answered_empty(server_db: ServerDB) -> None:
    # What a laptop meets after the server's database was restored from an older backup:
    # answering "nothing new" would let it skip, for good, the rows given its versions.
    _add(server_db, COMMUNE, "village", "v-1", {"name": "Thôn Khay"})
    scope = DeviceScope("device", COMMUNE, DeviceRole.VOLUNTEER)
    with server_db.reading() as session:
        end = commune_end(session.connection(), COMMUNE)
    assert json.loads(feed.page_json(server_db, scope, end, 10))["changes"] == []
    with pytest.raises(feed.FeedBehindError):
        feed.page_json(server_db, scope, end + 1, 10)
    with pytest.raises(feed.FeedBehindError):
        feed.page(server_db, scope, end + 1, 10)


_JSON_LEAF = st.none() | st.booleans() | st.integers() | st.text(alphabet='"\\:{}ab erasdmgtoi_,')


@given(
    st.dictionaries(st.sampled_from(["erased_at", "merged_into", "note", "a"]), _JSON_LEAF),
    st.sampled_from(["erased_at", "merged_into"]),
)
def test_one_stored_field_read_without_decoding_is_the_decoded_one(
    fields: dict[str, object], name: str
) -> None:
    # Values full of quotes, backslashes and the field's own name: the shortcut that
    # skips decoding must never miss a field that is there.
    assert stored_field(canonical_json(fields), name) == fields.get(name)
