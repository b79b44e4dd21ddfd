"""No resident's personal data ever reaches a log: the laptop's log file and the
server's request log, through sync, an import refused for a bad row, and an export."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest

from tests.sync_support import COMMUNE, LoopbackServer
from villagehelper.cli.dispatch import main
from villagehelper.logs import log_path
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.store.engine import open_store
from villagehelper.text import search_key

NAME = "Hoàng Thị Bí Mật"
PHONE = "0987654321"
PERSON = "Vũ Văn Riêng Tư"


def test_sync_import_and_export_write_no_personal_data_to_any_log(
    sync_server: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    try:
        team.set_commune(store, COMMUNE)
        village = team.add_village(store, "Thôn Khay")
        leader = team.add_team_member(store, "Phạm Đăng Xuyết", "leader", village.id)
        home = households.create_household(
            store, HouseholdInput(village.id, NAME, "Xóm Giữa", PHONE, "bà sống một mình")
        )
        person = households.add_member(store, home.id, MemberInput(PERSON, 1950, "0912000111"))
        sessions.log_visit(
            store, VisitInput(home.id, leader.id, [ServiceOutcome("VNEID_L2")], person.id)
        )
    finally:
        store.close()
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(
            [["Thôn", "Chủ hộ", "Họ và tên", "SĐT"], ["Thôn Khay", NAME, NAME, "12345"]]
        )
    code = accounts.issue_code(sync_server.db, COMMUNE, "leader")
    where = ["--data-dir", str(data_dir)]
    with caplog.at_level(logging.DEBUG):
        assert main(["enroll", "--server", sync_server.url, "--code", code, *where]) == 0
        assert main(["sync", *where]) == 0
        assert main(["import", "households", str(bad), *where]) == 1
        assert main(["export", "households", "--out", str(tmp_path / "ho.csv"), *where]) == 0
        assert main(["sync", *where]) == 0

    logged = log_path(data_dir).read_text(encoding="utf-8") + caplog.text
    assert "request method=POST path=/v1/push status=200" in logged  # the log is written
    for secret in (NAME, search_key(NAME), PERSON, search_key(PERSON), PHONE, "0912000111"):
        assert secret not in logged, secret
