"""A leader settles a conflict; the verdict syncs back to the server and every laptop."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sync_support import (
    Commune,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.errors import UserError, ValidationError
from villagehelper.ops import conflicts, households
from villagehelper.ops.inputs import HouseholdInput


def _conflict_on_notes(sync_server: LoopbackServer, tmp_path: Path) -> tuple[Commune, Laptop, str]:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader.store
    saved = households.create_household(leader, HouseholdInput(commune.village_id, "Lê Văn Tám"))
    commune.leader.sync()
    other = enrol_laptop(sync_server, open_laptop(tmp_path, "other"))
    other.sync()
    households.update_household(
        leader, saved.id, HouseholdInput(commune.village_id, "Lê Văn Tám", notes="Mắt kém")
    )
    households.update_household(
        other.store, saved.id, HouseholdInput(commune.village_id, "Lê Văn Tám", notes="Nghe kém")
    )
    commune.leader.sync()
    other.sync()
    commune.leader.sync()
    return commune, other, saved.id


def test_leader_sees_both_values_and_the_verdict_reaches_everyone(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune, other, household_id = _conflict_on_notes(sync_server, tmp_path)
    leader = commune.leader.store
    [conflict] = conflicts.open_conflicts(leader)
    assert conflict.record_label == "Hộ Lê Văn Tám"
    assert conflict.field_label_vi == "Ghi chú"
    assert (conflict.current_value, conflict.other_value) == ("Mắt kém", "Nghe kém")
    assert conflict.household_id == household_id

    conflicts.resolve_conflict(leader, conflict.id, "Mắt kém, nghe kém", commune.leader_id)
    assert conflicts.open_conflicts(leader) == []
    commune.leader.sync()
    other.sync()

    assert households.get_household(other.store, household_id).notes == "Mắt kém, nghe kém"
    assert conflicts.open_conflicts(other.store) == []
    expected = server_snapshot(sync_server.db)
    assert laptop_snapshot(leader) == expected
    assert laptop_snapshot(other.store) == expected


def test_a_verdict_is_validated_like_a_form_and_only_on_a_leaders_laptop(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune, other, _household_id = _conflict_on_notes(sync_server, tmp_path)
    [conflict] = conflicts.open_conflicts(commune.leader.store)
    with pytest.raises(ValidationError):
        conflicts.resolve_conflict(commune.leader.store, conflict.id, "x" * 5000, commune.leader_id)
    with pytest.raises(UserError, match="tổ trưởng"):
        conflicts.resolve_conflict(other.store, conflict.id, "Nghe kém", commune.member_id)
    assert len(conflicts.open_conflicts(commune.leader.store)) == 1


def test_typed_values_are_parsed_in_the_fields_type() -> None:
    assert conflicts.parse_typed_value("member", "birth_year", " 1950 ") == 1950
    with pytest.raises(ValidationError):
        conflicts.parse_typed_value("member", "birth_year", "năm 50")
    assert conflicts.parse_typed_value("household", "notes", " Ghi chú ") == "Ghi chú"
