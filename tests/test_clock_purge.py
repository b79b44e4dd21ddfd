"""Issue 13, case 1: a clock set to 2031 must not erase the commune's residents.

The leader's laptop holds 60 households (185 people) of three villages: ten have had no
contact for 31 months, the others were helped two months ago.  Under the true clock the
24-month rule purges exactly the ten, once the leader confirms the list; under a clock
five years ahead every household looks expired, and nothing may be erased.  The commands
run as real processes; ``faketime`` gives the whole process the 2031 clock.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.sync_support import COMMUNE, LoopbackServer, enrol_laptop
from villagehelper.clock import utc_now
from villagehelper.ops import households, retention, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.engine import open_store

FIVE_YEARS_AHEAD = "+1826d"
MONTHS = 24


@dataclass
class LeaderLaptop:
    data_dir: Path
    old: set[str]  # the households the rule purges under the true clock
    everyone: set[str]


def _faketime() -> str:
    found = shutil.which("faketime")
    if found is None:
        pytest.fail("faketime is needed (apt install faketime; .ci/run installs it)")
    return found


def _run(
    data_dir: Path, *args: str, ahead: str | None = None, answer: str = ""
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "villagehelper.cli", *args, "--data-dir", str(data_dir)]
    if ahead is not None:
        command = [_faketime(), "-f", ahead, *command]
    return subprocess.run(
        command,
        input=answer,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def _leader_laptop(tmp_path: Path, server: LoopbackServer | None) -> LeaderLaptop:
    """60 households (185 people) in three villages, made 31 months ago; 50 of them were
    helped two months ago.  Synced with ``server`` along the way when there is one."""
    clock = FakeClock(utc_now() - timedelta(days=31 * 30))
    data_dir = tmp_path / "leader"
    store = open_store(data_dir, clock=clock)
    try:
        team.set_commune(store, COMMUNE)
        villages = [
            team.add_village(store, name).id for name in ("Thôn Khay", "Thôn Đông", "Thôn Bắc")
        ]
        team.add_team_member(store, "Phạm Đăng Xuyết", "leader", villages[0])
        member = team.add_team_member(store, "Nguyễn Thị Hệ", "member", villages[0])
        ids = []
        for number in range(60):
            people = [
                MemberInput(f"Người {number}-{n}", 1960 + n) for n in range(4 if number < 5 else 3)
            ]
            made = households.create_household(
                store, HouseholdInput(villages[number % 3], f"Chủ hộ số {number}"), people
            )
            ids.append(made.id)
        laptop = enrol_laptop(server, store, "leader") if server is not None else None
        if laptop is not None:
            laptop.sync()
        clock.now = utc_now() - timedelta(days=60)
        for household_id in ids[10:]:
            sessions.log_visit(
                store, VisitInput(household_id, member.id, [ServiceOutcome("VNEID_L1")])
            )
        if laptop is not None:
            laptop.sync()
    finally:
        store.close()
    return LeaderLaptop(data_dir, set(ids[:10]), set(ids))


def _erased(data_dir: Path) -> set[str]:
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    try:
        rows = connection.execute("SELECT id FROM households WHERE erased_at IS NOT NULL")
        return {row[0] for row in rows}
    finally:
        connection.close()


def test_a_laptop_five_years_ahead_of_the_server_erases_nothing(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    laptop = _leader_laptop(tmp_path, sync_server)
    synced = _run(laptop.data_dir, "sync", ahead=FIVE_YEARS_AHEAD)
    assert synced.returncode == 0, synced.stderr
    assert "Cảnh báo đồng hồ" in synced.stderr and "nhanh" in synced.stderr

    confirmed = _run(laptop.data_dir, "purge", "--yes", ahead=FIVE_YEARS_AHEAD)
    typed = _run(laptop.data_dir, "purge", ahead=FIVE_YEARS_AHEAD, answer="60\n")

    for refused in (confirmed, typed):
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "Chưa thể xóa thông tin cá nhân theo thời hạn lưu" in refused.stderr
        assert "Hãy chỉnh ngày giờ trong Windows" in refused.stderr
    assert _erased(laptop.data_dir) == set()
    # The other commands that go by the date say it too.
    for command in (["backup"], ["tally", "--week", "this"]):
        done = _run(laptop.data_dir, *command, ahead=FIVE_YEARS_AHEAD)
        assert done.returncode == 0 and "Cảnh báo đồng hồ" in done.stderr, done.stderr


def test_a_never_synced_laptop_at_2031_needs_the_leaders_eyes_and_a_wrong_date_shows(
    tmp_path: Path,
) -> None:
    laptop = _leader_laptop(tmp_path, None)
    confirmed = _run(laptop.data_dir, "purge", "--yes", ahead=FIVE_YEARS_AHEAD)
    assert confirmed.returncode == 1
    assert "--yes chỉ dùng được khi đồng hồ máy đã được máy chủ xã xác nhận" in confirmed.stderr
    # Asked, the leader sees the laptop's idea of today — in 2031 — and every household
    # with its last contact, and says no.
    listed = _run(laptop.data_dir, "purge", ahead=FIVE_YEARS_AHEAD, answer="\n")
    assert listed.returncode == 0, listed.stderr
    assert "hôm nay là" in listed.stdout and "/2031." in listed.stdout
    assert "gồm 60 hộ, 185 người" in listed.stdout
    assert "Không xóa gì" in listed.stdout
    assert _erased(laptop.data_dir) == set()


def test_with_the_true_clock_and_the_leaders_confirmation_exactly_the_expired_go(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    laptop = _leader_laptop(tmp_path, sync_server)
    synced = _run(laptop.data_dir, "sync")
    assert synced.returncode == 0 and "Cảnh báo" not in synced.stderr, synced.stderr

    declined = _run(laptop.data_dir, "purge", answer="9\n")  # a wrong count is a no
    assert "gồm 10 hộ, 35 người" in declined.stdout
    assert "Thôn Khay: 4 hộ" in declined.stdout and "Thôn Đông: 3 hộ" in declined.stdout
    assert _erased(laptop.data_dir) == set()

    purged = _run(laptop.data_dir, "purge", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert "Đã xóa thông tin cá nhân của 10 hộ (35 người)" in purged.stdout
    assert _erased(laptop.data_dir) == laptop.old


def test_the_rule_at_the_true_time_is_what_the_plan_lists(tmp_path: Path) -> None:
    laptop = _leader_laptop(tmp_path, None)
    store = open_store(laptop.data_dir)
    try:
        plan = retention.plan_purge(store, MONTHS)
    finally:
        store.close()
    assert {household.id for household in plan.households} == laptop.old
    assert plan.people == 5 * 4 + 5 * 3 and not plan.clock.wrong
