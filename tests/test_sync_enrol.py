"""Enrolment is safe to retry: a lost reply does not burn the leader's code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.sync_support import COMMUNE, LoopbackServer, open_laptop
from villagehelper.server import accounts
from villagehelper.store import sync_state
from villagehelper.sync import client
from villagehelper.sync.http import ServerConnection, ServerRefusedError


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


ATTEMPT = "laptop-1-attempt-7Qx2bK9r"  # the app's attempts are 32 random characters


def test_the_same_attempt_again_gets_the_same_device_and_token(
    sync_server: LoopbackServer,
) -> None:
    """The same token, not a fresh one: a repeat made by anyone but the laptop (a replay)
    must not cut off the laptop that holds the first (test_server_enrol_replay.py)."""
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    first = _enrol(sync_server, code, ATTEMPT)
    again = _enrol(sync_server, code, ATTEMPT)
    assert again["device_id"] == first["device_id"]
    assert again["token"] == first["token"]
    assert _pull_status(sync_server, first["token"]) == 200
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
    first = _enrol(sync_server, code, ATTEMPT)
    accounts.revoke(sync_server.db, str(first["device_id"]))
    with pytest.raises(ServerRefusedError) as refused:
        _enrol(sync_server, code, ATTEMPT)
    assert refused.value.status == 401


def test_a_laptop_that_died_after_the_server_used_its_code_gets_its_device_back(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """The server used the code, then the laptop lost power before it had stored the
    credentials: the person types the same code again after the restart and is let in,
    as the same device, instead of being told the code was already used."""
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")

    def dies_after_the_reply(url: str, token: str | None) -> ServerConnection:
        return _DiesAfterReply(url, token)

    laptop = open_laptop(tmp_path, "laptop")
    with pytest.raises(_PowerCutError):
        client.enrol(laptop, sync_server.url, code, "máy 1", connect=dies_after_the_reply)
    laptop.close()
    assert len(accounts.list_devices(sync_server.db)) == 1  # the server did its part

    laptop = open_laptop(tmp_path, "laptop")  # the app started again
    enrolled = client.enrol(laptop, sync_server.url, f" {code.lower()} ", "máy 1")
    assert [device.device_id for device in accounts.list_devices(sync_server.db)] == [
        enrolled.device_id
    ]
    client.sync_once(laptop)  # raises unless the round finished
    with laptop.reading() as session:  # done with: not kept for a later enrolment
        assert sync_state.get(session, sync_state.ENROL_ATTEMPT) is None
    laptop.close()


class _PowerCutError(Exception):
    pass


class _DiesAfterReply(ServerConnection):
    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        super().post(path, body)
        raise _PowerCutError
