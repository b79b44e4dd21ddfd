"""Every export of residents' personal data is written down; a failed one is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Team
from villagehelper.cli.dispatch import main
from villagehelper.errors import UserError
from villagehelper.ops import households as hh
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.ops.privacy import list_exports
from villagehelper.store.engine import open_store
from villagehelper.transfer.households import export_households
from villagehelper.transfer.sessions import export_sessions


def test_exports_of_personal_data_are_recorded_with_what_and_who(
    village_team: Team, tmp_path: Path
) -> None:
    store = village_team.store
    hh.create_household(store, HouseholdInput(village_team.village_id, "Lê Văn Tám"))
    rows = export_households(store, tmp_path / "ho.xlsx", by=village_team.leader_id)
    export_sessions(store, tmp_path / "luot.csv")
    records = list_exports(store)
    assert [(r.what, r.rows, r.file_name, r.team_member_id) for r in records] == [
        ("households", rows, "ho.xlsx", village_team.leader_id),
        ("sessions", 0, "luot.csv", None),
    ]
    assert records[0].at <= records[1].at


def test_an_export_that_fails_leaves_no_record(village_team: Team, tmp_path: Path) -> None:
    with pytest.raises((UserError, OSError)):
        export_households(village_team.store, tmp_path / "no-such-folder" / "ho.csv")
    assert list_exports(village_team.store) == []


def test_the_export_command_is_recorded_too(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert (
        main(["demo", "--data-dir", str(data_dir), "--households", "20", "--sessions", "30"]) == 0
    )
    assert (
        main(
            ["export", "households", "--data-dir", str(data_dir), "--out", str(tmp_path / "ho.csv")]
        )
        == 0
    )
    store = open_store(data_dir)
    try:
        assert [(r.what, r.file_name) for r in list_exports(store)] == [("households", "ho.csv")]
    finally:
        store.close()
