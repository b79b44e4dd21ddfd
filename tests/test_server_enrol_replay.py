"""Enrolment attempts are one-time, and codes are kept salted.

Seen before: the same ``{code, attempt}`` posted again within the code's 72 hours handed
out the device with a new token and silently cut off the real laptop.  Now a repeat gets
the same token (a laptop whose reply was lost still gets its device), and once the laptop
has pushed with it the attempt is spent.  Codes are kept as a salted slow hash, found
again through a short bucket.

Real HTTP on a loopback port, SQLite and PostgreSQL; the laptop is the real client.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.sync_support import COMMUNE, LoopbackServer, fast_connection, open_laptop
from villagehelper.exchange.wire import normalise_code
from villagehelper.server import accounts
from villagehelper.server.tables import EnrolmentCode
from villagehelper.store import sync_state
from villagehelper.store.engine import Store
from villagehelper.sync import client
from villagehelper.sync.http import ServerConnection, ServerRefusedError


def _post_enrol(server: LoopbackServer, code: str, attempt: str) -> dict[str, object]:
    connection = ServerConnection(server.url)
    try:
        return connection.post(
            "/v1/enrol", {"code": code, "device_name": "máy lạ", "attempt": attempt}
        )
    finally:
        connection.close()


def _enrolled_laptop(server: LoopbackServer, tmp_path: Path, code: str) -> tuple[Store, str]:
    """A real laptop enrolled with ``code``; returns its store and the attempt it sent
    (what a replay would carry: the request's body as it went over the wire)."""
    sent: list[dict[str, object]] = []

    class Recording(ServerConnection):
        def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
            sent.append(dict(body))
            return super().post(path, body)

    laptop = open_laptop(tmp_path, "laptop")
    client.enrol(laptop, server.url, code, "máy tổ 3", connect=Recording)
    return laptop, str(sent[0]["attempt"])


def test_a_replayed_enrolment_after_the_laptop_synced_is_refused_and_cuts_no_one_off(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    laptop, attempt = _enrolled_laptop(sync_server, tmp_path, code)
    client.sync_once(laptop, connect=fast_connection)  # the laptop has used its token

    with pytest.raises(ServerRefusedError) as refused:
        _post_enrol(sync_server, code, attempt)
    assert refused.value.status == 401
    assert refused.value.message_vi.startswith("Mã đăng ký không đúng, đã dùng")
    # The real laptop goes on as before.
    report = client.sync_once(laptop, connect=fast_connection)
    assert report is not None
    assert len(accounts.list_devices(sync_server.db)) == 1
    laptop.close()


def test_a_repeat_before_the_laptop_synced_gets_the_same_token_not_a_new_one(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """The lost-reply case still works, and whoever sends the repeat, the laptop that
    holds the first answer is not cut off: the answer is the same."""
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    laptop, attempt = _enrolled_laptop(sync_server, tmp_path, code)
    with laptop.reading() as session:
        held = sync_state.enrolled(session)
    assert held is not None
    repeat = _post_enrol(sync_server, code, attempt)
    assert (repeat["device_id"], repeat["token"]) == (held.device_id, held.token)
    client.sync_once(laptop, connect=fast_connection)  # raises unless the laptop is let in
    laptop.close()


def test_a_repeat_with_another_attempt_or_none_is_refused(sync_server: LoopbackServer) -> None:
    code = accounts.issue_code(sync_server.db, COMMUNE, "leader")
    first = _post_enrol(sync_server, code, "a" * 32)
    for other in ("b" * 32, "a" * 31, ""):
        with pytest.raises(ServerRefusedError) as refused:
            _post_enrol(sync_server, code, other)
        assert refused.value.status == 401, other
    assert [d.device_id for d in accounts.list_devices(sync_server.db)] == [first["device_id"]]


def test_codes_are_kept_salted_and_still_found_as_typed(sync_server: LoopbackServer) -> None:
    db = sync_server.db
    codes = [accounts.issue_code(db, COMMUNE, "volunteer") for _ in range(5)]
    with db.reading() as session:
        stored = set(session.scalars(select(EnrolmentCode.code_hash)))
    for code in codes:
        plain = hashlib.sha256(normalise_code(code).encode()).hexdigest()
        assert plain not in stored  # not the unsalted hash a copy could be searched with
        assert not any(normalise_code(code).lower() in kept.lower() for kept in stored)
    assert len(stored) == len(codes)
    # Found again however it is typed (lower case, spaces, no dash).
    typed = f"  {codes[2].lower().replace('-', ' ')} "
    assert _post_enrol(sync_server, typed, "c" * 32)["commune_code"] == COMMUNE


def test_a_code_issued_before_the_salted_form_still_enrols_until_it_expires(
    sync_server: LoopbackServer,
) -> None:
    db = sync_server.db
    code = "ABCDE-FGHJK"
    now = db.clock()
    with db.transaction() as session:
        session.add(
            EnrolmentCode(
                code_hash=hashlib.sha256(normalise_code(code).encode()).hexdigest(),
                commune_code=COMMUNE,
                role="volunteer",
                created_at=now,
                expires_at=now + timedelta(hours=1),
                used_at=None,
                used_by=None,
            )
        )
    assert _post_enrol(sync_server, code, "d" * 32)["role"] == "volunteer"
    with pytest.raises(ServerRefusedError):
        _post_enrol(sync_server, code, "e" * 32)  # and it is used now
