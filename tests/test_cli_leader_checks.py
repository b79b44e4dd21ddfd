"""Issue 14, finding 4: on the command line a leader's command follows the member whose
PIN opened the store, never a ``--by`` that names someone else.

A real PIN-protected data folder (a leader and a member each with a PIN, as the app
leaves it) and the commands run as real processes, the PIN given in the environment
as a scheduled task would.  Exports of personal data, "what we hold", erasure, the
retention purge and date corrections are a leader's (the app's leader-only list,
docs/data-protection.md); the member's PIN opens the laptop for their own work only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FakeClock, make_village_team
from villagehelper.keys.command_unlock import MEMBER_ENV, PIN_ENV
from villagehelper.keys.key_file import Keyring
from villagehelper.keys.wrapping import ScryptCost
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.privacy import list_exports
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import Member

CHEAP = ScryptCost(n=16, r=1, p=1)  # the PIN's cost travels with its entry
LEADER, LEADER_PIN = "Phạm Đăng Xuyết", "246813"
MEMBER, MEMBER_PIN = "Nguyễn Thị Hệ", "975319"
HEAD = "Trần Văn Thuận"


@dataclass
class PinLaptop:
    data_dir: Path
    key: bytes
    leader_id: str
    member_id: str
    household_id: str
    person_id: str
    session_id: str

    def run(
        self, *args: str, who: tuple[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in (MEMBER_ENV, PIN_ENV)}
        if who is not None:
            env[MEMBER_ENV], env[PIN_ENV] = who
        return subprocess.run(
            [sys.executable, "-m", "villagehelper.cli", *args, "--data-dir", str(self.data_dir)],
            stdin=subprocess.DEVNULL,  # no terminal: nobody to ask, as under a scheduler
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**env, "PYTHONIOENCODING": "utf-8"},
        )

    def as_member(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(*args, who=(MEMBER, MEMBER_PIN))

    def as_leader(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(*args, who=(LEADER, LEADER_PIN))

    def opened(self) -> Store:
        return open_store(self.data_dir, key=self.key)

    def head_name(self) -> str:
        store = self.opened()
        try:
            return households.get_household(store, self.household_id).head_name
        finally:
            store.close()

    def exports(self) -> list[tuple[str, str | None]]:
        store = self.opened()
        try:
            return [(record.what, record.team_member_id) for record in list_exports(store)]
        finally:
            store.close()


def _team_with_a_family(data_dir: Path) -> tuple[str, str, str, str, str]:
    store = open_store(data_dir, clock=FakeClock())
    try:
        team = make_village_team(store)
        saved = households.create_household(
            store,
            HouseholdInput(team.village_id, HEAD, "Xóm Đông, số 12", "0912345678", ""),
            [MemberInput(HEAD, 1950, "0912345678")],
        )
        person = households.get_household(store, saved.id).members[0].id
        logged = sessions.log_visit(
            store,
            VisitInput(saved.id, team.member_id, [ServiceOutcome("VNEID_L1")], member_id=person),
        )
        return team.leader_id, team.member_id, saved.id, person, logged.session_ids[0]
    finally:
        store.close()


def _laptop(tmp_path: Path, *, pins: bool) -> PinLaptop:
    data_dir = tmp_path / "laptop"
    leader_id, member_id, household_id, person_id, session_id = _team_with_a_family(data_dir)
    keyring = Keyring.load(data_dir, cost=CHEAP)  # what the app does at its first start
    key = keyring.data_key()
    open_store(data_dir, key=key).close()  # converts the plain file
    if pins:
        keyring.set_pin(leader_id, LEADER, LEADER_PIN, key, is_leader=True)
        keyring.set_pin(member_id, MEMBER, MEMBER_PIN, key)
    return PinLaptop(data_dir, key, leader_id, member_id, household_id, person_id, session_id)


@pytest.fixture
def pin_laptop(tmp_path: Path) -> Iterator[PinLaptop]:
    yield _laptop(tmp_path, pins=True)


@pytest.fixture
def open_laptop(tmp_path: Path) -> Iterator[PinLaptop]:
    yield _laptop(tmp_path, pins=False)


def _refused_for_a_leader(done: subprocess.CompletedProcess[str], action_vi: str) -> None:
    assert done.returncode == 1, done.stderr
    assert action_vi in done.stderr and "chỉ tổ trưởng làm được" in done.stderr
    assert "is for a team leader only" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["households", "sessions"])
def test_a_members_pin_does_not_export_personal_data(
    pin_laptop: PinLaptop, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / f"{kind}.csv"
    refused = pin_laptop.as_member("export", kind, "--out", str(out))
    _refused_for_a_leader(refused, "Xuất dữ liệu cá nhân")
    assert LEADER in refused.stderr  # who may do it instead
    assert not out.exists()
    assert pin_laptop.exports() == []

    done = pin_laptop.as_leader("export", kind, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert HEAD in out.read_text(encoding="utf-8-sig")
    assert pin_laptop.exports() == [(kind, pin_laptop.leader_id)]  # recorded as the leader's


def test_a_members_pin_cannot_borrow_a_leaders_name(pin_laptop: PinLaptop, tmp_path: Path) -> None:
    held = tmp_path / "held.txt"
    for command in (
        ["what-we-hold", "--household", pin_laptop.household_id, "--out", str(held)],
        ["erase", "--household", pin_laptop.household_id, "--yes"],
        ["implausible", "--redate", pin_laptop.session_id, "--at", "24/11/2026 10:00"],
        ["export", "households", "--out", str(tmp_path / "ho.csv")],
    ):
        borrowed = pin_laptop.as_member(*command, "--by", LEADER)
        assert borrowed.returncode == 1, (command, borrowed.stdout)
        assert "--by cannot name someone else" in borrowed.stderr
        assert MEMBER in borrowed.stderr
    assert not held.exists() and not (tmp_path / "ho.csv").exists()
    assert pin_laptop.head_name() == HEAD  # nothing erased
    assert pin_laptop.exports() == []
    listed = pin_laptop.as_leader("implausible")
    assert listed.returncode == 0 and "Không có lượt hỗ trợ nào" in listed.stdout


def test_leaders_commands_refuse_the_member_by_their_own_pin(
    pin_laptop: PinLaptop, tmp_path: Path
) -> None:
    household = ["--household", pin_laptop.household_id]
    held = tmp_path / "held.txt"
    cases = [
        (["what-we-hold", *household, "--out", str(held)], "Xuất dữ liệu đang lưu"),
        (["erase", *household, "--yes"], "Xóa dữ liệu theo yêu cầu"),
        (["purge", "--months", "1"], "Xóa thông tin quá thời hạn lưu"),
        (
            ["implausible", "--redate", pin_laptop.session_id, "--at", "24/11/2026 10:00"],
            "Sửa ngày",
        ),
    ]
    for command, action_vi in cases:
        _refused_for_a_leader(pin_laptop.as_member(*command), action_vi)
    assert not held.exists()
    assert pin_laptop.head_name() == HEAD

    # The leader's own PIN does each; "--by" naming themself again is accepted.
    done = pin_laptop.as_leader("what-we-hold", *household, "--out", str(held), "--by", LEADER)
    assert done.returncode == 0, done.stderr
    assert [who for _what, who in pin_laptop.exports()] == [pin_laptop.leader_id]
    purged = pin_laptop.as_leader("purge", "--months", "1", "--yes")
    assert purged.returncode == 0, purged.stderr
    erased = pin_laptop.as_leader("erase", *household, "--yes")
    assert erased.returncode == 0, erased.stderr
    assert pin_laptop.head_name() != HEAD


def test_what_we_hold_refused_says_what_we_hold_not_erase(
    open_laptop: PinLaptop, tmp_path: Path
) -> None:
    held = tmp_path / "held.txt"
    command = ["what-we-hold", "--member", open_laptop.person_id, "--out", str(held)]
    refused = open_laptop.run(*command, "--by", MEMBER)
    _refused_for_a_leader(refused, "Xuất dữ liệu đang lưu về một người")
    assert "xóa" not in refused.stderr.lower() and "eras" not in refused.stderr.lower()
    assert "--by" in refused.stderr  # without PINs, --by names the leader: it says so
    assert not held.exists()


def test_without_pins_by_names_the_person_and_says_so_when_missing(
    open_laptop: PinLaptop, tmp_path: Path
) -> None:
    household = ["--household", open_laptop.household_id]
    missing = open_laptop.run("erase", *household, "--yes")
    assert missing.returncode == 1
    assert "chưa đặt mã PIN" in missing.stderr and "--by" in missing.stderr
    assert open_laptop.head_name() == HEAD

    held = tmp_path / "held.txt"
    done = open_laptop.run("what-we-hold", *household, "--out", str(held), "--by", LEADER)
    assert done.returncode == 0, done.stderr
    exported = open_laptop.run("export", "households", "--out", str(tmp_path / "ho.csv"))
    assert exported.returncode == 0, exported.stderr  # as before PINs: nobody recorded
    assert open_laptop.exports() == [
        ("person", open_laptop.leader_id),
        ("households", None),
    ]


def test_consent_is_recorded_as_the_pins_holder(pin_laptop: PinLaptop) -> None:
    """Not a leader's command, but who recorded a consent is kept: the PIN says who."""
    borrowed = pin_laptop.as_member("consent", pin_laptop.person_id, "--by", LEADER)
    assert borrowed.returncode == 1 and "--by cannot name someone else" in borrowed.stderr
    done = pin_laptop.as_member("consent", pin_laptop.person_id)
    assert done.returncode == 0, done.stderr
    store = pin_laptop.opened()
    try:
        with store.reading() as session:
            person = session.get(Member, pin_laptop.person_id)
            assert person is not None
            assert (person.consent, person.consent_recorded_by) == (True, pin_laptop.member_id)
    finally:
        store.close()
