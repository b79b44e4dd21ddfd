"""Characters that reorder text on screen (U+202E right-to-left override and its kin)
never reach a name, a device name or an export.

Seen before: "Lò Văn\u202eA" was kept as typed in a household's name and a device's
name, and written out as such in exports, where it shows as another name.
"""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from tests.conftest import Team
from tests.sync_support import COMMUNE, LoopbackServer
from villagehelper.ops import households
from villagehelper.ops.households import HouseholdInput
from villagehelper.server import accounts
from villagehelper.store.models import Household
from villagehelper.sync.http import ServerConnection
from villagehelper.text import clean_text
from villagehelper.transfer.households import export_households

# Embeddings, overrides, isolates, the pop marks and the Arabic letter mark.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"


@given(
    parts=st.lists(st.text(max_size=8), min_size=1, max_size=5),
    marks=st.lists(st.sampled_from(BIDI), min_size=1, max_size=5),
)
def test_clean_text_leaves_no_bidi_control(parts: list[str], marks: list[str]) -> None:
    mixed = "".join(part + (marks[n] if n < len(marks) else "") for n, part in enumerate(parts))
    cleaned = clean_text(mixed)
    assert not set(cleaned) & set(BIDI)
    # Nothing else is lost: the same text without the marks cleans to the same.
    assert cleaned == clean_text("".join(parts))


def test_a_household_name_with_an_override_is_stored_without_it(village_team: Team) -> None:
    made = households.create_household(
        village_team.store, HouseholdInput(village_team.village_id, "Lò Văn\u202e Pấng")
    )
    with village_team.store.reading() as session:
        stored = session.get(Household, made.id)
        assert stored is not None
        assert stored.head_name == "Lò Văn Pấng"


def test_a_device_name_with_an_override_is_kept_without_it(sync_server: LoopbackServer) -> None:
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    connection = ServerConnection(sync_server.url)
    try:
        connection.post(
            "/v1/enrol",
            {"code": code, "device_name": "Máy \u2067tổ 3\u2069\u202e", "attempt": "z" * 32},
        )
    finally:
        connection.close()
    assert [device.name for device in accounts.list_devices(sync_server.db)] == ["Máy tổ 3"]


def test_an_export_leaves_out_overrides_a_row_stored_earlier_still_holds(
    village_team: Team, tmp_path: Path
) -> None:
    """A row stored before names were cleaned of them (or that came in some other way)
    is written out as it reads, not reordered."""
    store = village_team.store
    made = households.create_household(store, HouseholdInput(village_team.village_id, "Lò Văn A"))
    with store.transaction() as session:
        session.execute(
            update(Household).where(Household.id == made.id).values(head_name="Lò\u202e Văn A")
        )
    path = tmp_path / "ho.csv"
    export_households(store, path)
    text = path.read_text(encoding="utf-8-sig")
    assert not set(text) & set(BIDI)
    rows = list(csv.reader(text.splitlines()))
    assert any("Lò Văn A" in row for row in rows)
