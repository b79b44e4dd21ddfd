"""Commands open the laptop's encrypted store with its key: at once while nobody has a
PIN, with a member's PIN once somebody has one (typed, or from the environment for a
scheduled sync), and a plain folder the app has not encrypted yet as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from villagehelper.cli import dispatch
from villagehelper.cli.telling import EXIT_USER_ERROR
from villagehelper.keys.command_unlock import MEMBER_ENV, PIN_ENV, Prompts, command_key
from villagehelper.keys.key_file import Keyring
from villagehelper.keys.wrapping import ScryptCost
from villagehelper.ops.team import TeamMemberInfo, list_team_members
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.engine import open_store

CHEAP = ScryptCost(n=16, r=1, p=1)  # the PIN's cost travels with its entry
PIN = "246813"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "laptop"
    demo = ["demo", "--data-dir", str(folder), "--households", "4", "--sessions", "6"]
    assert dispatch.main(demo) == 0
    return folder


def _encrypt_as_the_app_does(data_dir: Path) -> tuple[Keyring, bytes]:
    keyring = Keyring.load(data_dir, cost=CHEAP)
    key = keyring.data_key()
    open_store(data_dir, key=key).close()  # converts the plain file
    return keyring, key


def _team(data_dir: Path, key: bytes) -> list[TeamMemberInfo]:
    store = open_store(data_dir, key=key)
    try:
        return list_team_members(store)
    finally:
        store.close()


def _export(data_dir: Path, out: Path) -> int:
    return dispatch.main(["export", "households", "--data-dir", str(data_dir), "--out", str(out)])


def test_a_folder_the_app_has_not_encrypted_yet_opens_plain(data_dir: Path) -> None:
    assert command_key(data_dir) is None
    assert not Keyring.exists(data_dir)  # a command never makes the key itself
    assert (data_dir / DATABASE_FILE).read_bytes().startswith(b"SQLite format 3")


def test_without_pins_commands_use_the_key_file(data_dir: Path, tmp_path: Path) -> None:
    _keyring, key = _encrypt_as_the_app_does(data_dir)
    assert not (data_dir / DATABASE_FILE).read_bytes().startswith(b"SQLite format 3")
    assert command_key(data_dir) == key
    assert _export(data_dir, tmp_path / "households.csv") == 0
    assert (tmp_path / "households.csv").stat().st_size > 0


def test_with_pins_a_command_needs_one(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyring, key = _encrypt_as_the_app_does(data_dir)
    members = _team(data_dir, key)
    first, second = members[0], members[1]
    keyring.set_pin(first.id, first.full_name, PIN, key)
    keyring.set_pin(second.id, second.full_name, "975319", key)

    # No terminal to ask in (as under a scheduler) and nothing in the environment.
    assert _export(data_dir, tmp_path / "a.csv") == EXIT_USER_ERROR
    assert PIN_ENV in capsys.readouterr().err
    assert not (tmp_path / "a.csv").exists()

    monkeypatch.setenv(MEMBER_ENV, first.full_name.upper())
    monkeypatch.setenv(PIN_ENV, "111222")
    assert _export(data_dir, tmp_path / "b.csv") == EXIT_USER_ERROR
    assert "Mã PIN không đúng" in capsys.readouterr().err

    monkeypatch.setenv(PIN_ENV, PIN)
    assert _export(data_dir, tmp_path / "c.csv") == 0

    monkeypatch.setenv(MEMBER_ENV, "Không Có Ai")
    assert _export(data_dir, tmp_path / "d.csv") == EXIT_USER_ERROR
    assert second.full_name in capsys.readouterr().err  # says who may unlock


def test_at_a_terminal_the_person_chooses_their_name_and_types_the_pin(data_dir: Path) -> None:
    keyring, key = _encrypt_as_the_app_does(data_dir)
    members = _team(data_dir, key)
    for member, pin in zip(members[:2], (PIN, "975319"), strict=True):
        keyring.set_pin(member.id, member.full_name, pin, key)
    asked: list[str] = []

    def typed_pin(prompt: str) -> str:
        asked.append(prompt)
        return "975319"

    at_terminal = Prompts(interactive=lambda: True, ask=lambda _prompt: "2", ask_secret=typed_pin)
    assert command_key(data_dir, environ={}, prompts=at_terminal) == key
    assert asked == [f"Mã PIN của {members[1].full_name} / PIN: "]
