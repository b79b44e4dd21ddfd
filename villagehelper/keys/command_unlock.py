"""The laptop's data key for a command-line command (``villagehelper backup``, ``sync`` …).

The app makes the key file (:mod:`villagehelper.keys.key_file`) at its first start and
encrypts the store with it; until then a data folder is plain SQLite and commands open it
as it is.  Once team members have PINs, a command needs one of them, like the lock screen:
typed at a hidden prompt, or for a scheduled ``villagehelper sync`` given in the
environment (``VILLAGEHELPER_MEMBER``, ``VILLAGEHELPER_PIN``) — never as an argument,
which other users of the PC could read in the process list.  Opening the store with the
key is the command line's (:mod:`villagehelper.cli.opening`).
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.keys.key_file import Keyring, PinHolder
from villagehelper.text import search_key

MEMBER_ENV = "VILLAGEHELPER_MEMBER"
PIN_ENV = "VILLAGEHELPER_PIN"


def _stdin_is_terminal() -> bool:
    # Looked up at each call: sys.stdin is replaced under test runners and by pythonw.
    return sys.stdin is not None and sys.stdin.isatty()


@dataclass(frozen=True)
class Prompts:
    """Where a command asks the person at the keyboard (tests give their own)."""

    interactive: Callable[[], bool] = _stdin_is_terminal
    ask: Callable[[str], str] = input
    ask_secret: Callable[[str], str] = getpass.getpass


@dataclass(frozen=True)
class Unlocked:
    """How a command opened the store: its key, and whose PIN gave it."""

    key: bytes | None  # None: a plain folder the app has not encrypted yet
    member_id: str | None  # whose PIN opened it; None while the laptop has no PINs
    holders: tuple[PinHolder, ...] = ()  # everyone with a PIN on this laptop

    @property
    def by_pin(self) -> bool:
        return self.member_id is not None


def command_unlock(
    data_dir: Path,
    *,
    environ: Mapping[str, str] = os.environ,
    prompts: Prompts | None = None,
) -> Unlocked:
    """Open ``data_dir``'s key as :func:`command_key` does, saying who unlocked it."""
    if not Keyring.exists(data_dir):
        return Unlocked(None, None)
    keyring = Keyring.load(data_dir)
    if not keyring.has_pins:
        return Unlocked(keyring.data_key(), None)
    prompts = prompts or Prompts()
    holders = keyring.members_with_pin()
    holder = _who(holders, environ.get(MEMBER_ENV, ""), prompts)
    pin = environ.get(PIN_ENV) or _typed_pin(holder, prompts)
    key = keyring.unlock(holder.member_id, pin.strip())
    return Unlocked(key, holder.member_id, tuple(holders))


def command_key(
    data_dir: Path,
    *,
    environ: Mapping[str, str] = os.environ,
    prompts: Prompts | None = None,
) -> bytes | None:
    """The key to open ``data_dir``'s store with; ``None`` while it has no key file."""
    return command_unlock(data_dir, environ=environ, prompts=prompts).key


def _who(holders: list[PinHolder], wanted: str, prompts: Prompts) -> PinHolder:
    if wanted.strip():
        return _named(holders, wanted)
    if len(holders) == 1:
        return holders[0]
    if not prompts.interactive():
        raise _needs_environment(holders)
    for number, holder in enumerate(holders, start=1):
        print(f"  {number}. {holder.full_name}", file=sys.stderr)
    answer = prompts.ask("Ai đang dùng máy? Gõ số / Who are you? Number: ").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(holders):
        return holders[int(answer) - 1]
    return _named(holders, answer)


def _named(holders: list[PinHolder], wanted: str) -> PinHolder:
    key = search_key(wanted)
    for holder in holders:
        if wanted.strip() == holder.member_id or search_key(holder.full_name) == key:
            return holder
    names = ", ".join(holder.full_name for holder in holders)
    raise UserError(
        f"Không có thành viên tổ tên {wanted!r} đã đặt mã PIN trên máy này. "
        f"Những người có mã PIN: {names}.",
        f"No team member named {wanted!r} has a PIN on this laptop. Members with one: {names}.",
    )


def _typed_pin(holder: PinHolder, prompts: Prompts) -> str:
    if not prompts.interactive():
        raise _needs_environment([holder])
    return prompts.ask_secret(f"Mã PIN của {holder.full_name} / PIN: ")


def _needs_environment(holders: list[PinHolder]) -> UserError:
    names = ", ".join(holder.full_name for holder in holders)
    return UserError(
        "Dữ liệu trên máy này được khóa bằng mã PIN của thành viên tổ. Hãy chạy lệnh trong "
        f"cửa sổ dòng lệnh để nhập mã PIN, hoặc đặt biến môi trường {MEMBER_ENV} (tên của "
        f"một trong: {names}) và {PIN_ENV}.",
        "The data on this laptop is locked with team members' PINs. Run the command in a "
        f"terminal to type a PIN, or set {MEMBER_ENV} (one of: {names}) and {PIN_ENV}.",
    )
