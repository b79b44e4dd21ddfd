"""The audit log names only team members the server knows in the device's commune."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.sync_support import LoopbackServer, fast_connection, set_up_commune
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.server.tables import AuditEntry
from villagehelper.sync import client


def _audited_members(server: LoopbackServer) -> list[str | None]:
    with server.db.reading() as session:
        return list(session.scalars(select(AuditEntry.team_member_id).order_by(AuditEntry.id)))


def test_a_claimed_member_from_nowhere_is_not_written(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    store = commune.leader.store
    households.create_household(store, HouseholdInput(commune.village_id, "Lê Văn Tám"))
    client.sync_once(store, team_member_id="not-a-member", connect=fast_connection)
    households.create_household(store, HouseholdInput(commune.village_id, "Đỗ Thị Mai"))
    client.sync_once(store, team_member_id=commune.member_id, connect=fast_connection)
    assert _audited_members(sync_server)[-2:] == [None, commune.member_id]
