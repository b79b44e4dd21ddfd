"""Enrolment is safe to retry: a lost reply does not burn the leader's code."""

from __future__ import annotations

import pytest

from tests.sync_support import COMMUNE, LoopbackServer
from villagehelper.sync.http import ServerConnection, ServerRefusedError
from villagehelper.sync.server import accounts


def _enrol(server: LoopbackServer, code: str, attempt: str) -> dict[str, object]:
    connection = ServerConnection(server.url)
    try:
        return connection.post(
            "/v1/enrol", {"code": code, "device_name": "máy 1", "attempt": attempt}
        )
    finally:
        connection.close()


def _pull_status(server: LoopbackServer, token: object) -> int:
    connection = ServerConnection(server.url, str(token))
    try:
        connection.get("/v1/changes", {"since": 0, "limit": 1})
    except ServerRefusedError as refused:
        return refused.status
    finally:
        connection.close()
    return 200


def test_the_same_attempt_again_gets_the_same_device_and_a_fresh_token(
    sync_server: LoopbackServer,
) -> None:
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    first = _enrol(sync_server, code, "attempt-1")
    again = _enrol(sync_server, code, "attempt-1")
    assert again["device_id"] == first["device_id"]
    assert again["token"] != first["token"]
    assert _pull_status(sync_server, again["token"]) == 200
    assert _pull_status(sync_server, first["token"]) == 401  # the lost token is dead
    assert len(accounts.list_devices(sync_server.db)) == 1

    with pytest.raises(ServerRefusedError) as refused:
        _enrol(sync_server, code, "someone-else")
    assert refused.value.status == 401
    with pytest.raises(ServerRefusedError):
        _enrol(sync_server, code, "")


def test_a_revoked_device_cannot_come_back_through_its_old_attempt(
    sync_server: LoopbackServer,
) -> None:
    code = accounts.issue_code(sync_server.db, COMMUNE, "leader")
    first = _enrol(sync_server, code, "attempt-2")
    accounts.revoke(sync_server.db, str(first["device_id"]))
    with pytest.raises(ServerRefusedError) as refused:
        _enrol(sync_server, code, "attempt-2")
    assert refused.value.status == 401
