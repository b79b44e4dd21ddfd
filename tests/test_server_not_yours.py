"""Another commune's ids: refused everywhere a change can name them, with the answer an
unknown id gets, word for word, so that a stranger learns nothing of which ids exist.

Seen before: 403 ("belongs to another commune") against 400 ("unknown") told the two
apart, and another commune's session was accepted as the one a new session replaces
(``replaces_id``) and as the row a conflict record is about.

Real HTTP on a loopback port, SQLite and PostgreSQL; the two communes are real laptops
synced with the server (test_sync_security.py's world).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from tests.test_sync_security import (  # noqa: F401 - fixtures used by name
    World,
    change,
    device_of,
    fields_of,
    gia_loc,
    push,
    stored,
    token_of,
    world,
)
from villagehelper.ids import new_id


def _answer(response: requests.Response, *ids: str) -> tuple[int, dict[str, Any]]:
    """Status and body, with the ids the change named blanked out: what is left is what
    the answer says about them."""
    body: dict[str, Any] = response.json()
    for key in ("message_vi", "message_en"):
        for row_id in ids:
            body[key] = body[key].replace(row_id, "<id>")
    return response.status_code, body


def test_another_communes_id_gets_the_answer_of_an_id_that_does_not_exist(world: World) -> None:  # noqa: F811 - the fixture
    token = token_of(world.other)
    nowhere = new_id()
    theirs = world.household_id  # Gia Lộc's household; the caller is Thạch Khôi's leader
    own_session = fields_of(world.db, "help_session", world.other_session_id)

    def edit(row_id: str) -> dict[str, Any]:
        return change("household", row_id, "update", {"notes": "x"}, 99)

    def delete(row_id: str) -> dict[str, Any]:
        return change("household", row_id, "delete", base=99)

    def refer(row_id: str) -> dict[str, Any]:
        fields = {**own_session, "household_id": row_id, "visit_id": new_id()}
        return change("help_session", new_id(), "insert", fields)

    cases: dict[str, Callable[[str], dict[str, Any]]] = {
        "edit": edit,
        "delete": delete,
        "refer": refer,
    }
    before = stored(world.db)
    for what, make in cases.items():
        for_theirs = _answer(push(world.server, token, [make(theirs)]), theirs)
        for_nothing = _answer(push(world.server, token, [make(nowhere)]), nowhere)
        assert for_theirs == for_nothing, what
        assert for_theirs[0] == 400, (what, for_theirs)
    assert stored(world.db) == before


def test_another_communes_session_cannot_be_the_one_a_session_replaces(world: World) -> None:  # noqa: F811 - the fixture
    token = token_of(world.other)
    own_session = fields_of(world.db, "help_session", world.other_session_id)

    def replacing(replaced: str) -> dict[str, Any]:
        fields = {**own_session, "visit_id": new_id(), "replaces_id": replaced}
        return change("help_session", new_id(), "insert", fields)

    before = stored(world.db)
    refused = push(world.server, token, [replacing(world.session_id)])
    assert refused.status_code == 400, refused.text
    assert "mà máy chủ chưa có" in refused.json()["message_vi"]
    assert _answer(refused, world.session_id) == _answer(
        push(world.server, token, [replacing(nowhere := new_id())]), nowhere
    )
    assert stored(world.db) == before
    # Its own session is one it may replace.
    accepted = push(world.server, token, [replacing(world.other_session_id)])
    assert accepted.status_code == 200, accepted.text


def test_a_conflict_record_about_another_communes_row_is_refused(world: World) -> None:  # noqa: F811 - the fixture
    token = token_of(world.other)  # a leader: conflict records are leaders' work

    def conflict_about(entity: str, row_id: str) -> dict[str, Any]:
        fields = {
            "entity": entity,
            "row_id": row_id,
            "field": "notes",
            "server_value": '"a"',
            "device_value": '"b"',
            "device_id": device_of(world.other),
            "volunteer_id": None,
            "created_at": "2026-03-02T03:00:00.000Z",
            "resolved": False,
            "resolution": None,
            "resolved_by": None,
        }
        return change("sync_conflict", new_id(), "insert", fields)

    before = stored(world.db)
    refused = push(world.server, token, [conflict_about("household", world.household_id)])
    assert refused.status_code == 400, refused.text
    assert stored(world.db) == before
    nowhere = new_id()
    assert _answer(refused, world.household_id) == _answer(
        push(world.server, token, [conflict_about("household", nowhere)]), nowhere
    )
    own = push(world.server, token, [conflict_about("household", world.other_household_id)])
    assert own.status_code == 200, own.text
