"""The key file of one data folder (``keyring.json``): the laptop's data key and the PINs.

While nobody has set a PIN the data key is kept as it is — no protection, and the settings
page says so.  As soon as one team member sets a PIN the plain key is removed and the file
keeps only copies wrapped by each member's PIN (:mod:`villagehelper.keys.wrapping`);
unlocking with a wrong one counts towards a wait (:mod:`villagehelper.keys.lockout`).

The display names and leader flags are kept in clear so that the lock screen can list
who may unlock before the database is readable.  They are hints for that list only:
whether someone is a leader is always decided from the team in the database.

Creation: :meth:`Keyring.load` makes a new data key the first time, when no key file
exists (a new laptop, or an existing one at its first start after the update, whose plain
database is then converted with it).  An existing but unreadable file is never replaced
(:mod:`villagehelper.keys.on_disk`): a new key would lock the data out for good.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from villagehelper.clock import Clock, utc_now
from villagehelper.errors import UserError
from villagehelper.keys.lockout import Lockout
from villagehelper.keys.on_disk import (
    FORMAT_VERSION,
    KEYRING_FILE,
    read_key_file,
    write_atomically,
    write_new,
)
from villagehelper.keys.pin_rules import check_pin_rules
from villagehelper.keys.wrapping import (
    DEFAULT_COST,
    ScryptCost,
    is_laptop_key,
    key_check,
    new_data_key,
    unwrap_key,
    wrap_key,
)


@dataclass(frozen=True)
class PinHolder:
    """A team member who can unlock this laptop (what the lock screen lists)."""

    member_id: str
    full_name: str
    is_leader: bool


class Keyring:
    """The key file of one data folder.  Every change is written at once, atomically."""

    def __init__(
        self,
        path: Path,
        content: dict[str, Any],
        clock: Clock,
        cost: ScryptCost,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = path
        self._content = content
        self._cost = cost
        # The wrong-PIN count lives in the file's content; its wait, once the file is
        # read, on the monotonic clock.
        self._lockout = Lockout(content, clock, monotonic)
        if self._lockout.resume():  # a wait too far away was cut: keep the cut
            with contextlib.suppress(OSError):  # read-only: the cut holds in this process
                self._save()

    # --- opening --------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        data_dir: Path,
        *,
        clock: Clock = utc_now,
        cost: ScryptCost = DEFAULT_COST,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> Keyring:
        """The folder's keyring; a new data key is made when there is no file yet."""
        path = data_dir / KEYRING_FILE
        try:
            content = read_key_file(path)
        except FileNotFoundError:
            return cls._create(path, clock, cost, monotonic)
        return cls(path, content, clock, cost, monotonic)

    @classmethod
    def exists(cls, data_dir: Path) -> bool:
        return (data_dir / KEYRING_FILE).exists()

    @classmethod
    def _create(
        cls, path: Path, clock: Clock, cost: ScryptCost, monotonic: Callable[[], float]
    ) -> Keyring:
        data_key = new_data_key()
        content: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "open_key": data_key.hex(),
            "key_check": key_check(data_key),
            "members": {},
            "failed_attempts": 0,
            "wait_until": None,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        if not write_new(path, content):
            # Another process (the app and a command line at the same first start) made
            # one a moment ago: its key is the laptop's, ours was never used.
            return cls(path, read_key_file(path), clock, cost, monotonic)
        return cls(path, content, clock, cost, monotonic)

    # --- reading --------------------------------------------------------------------

    @property
    def has_pins(self) -> bool:
        return bool(self._content["members"])

    def members_with_pin(self) -> list[PinHolder]:
        return [
            PinHolder(member_id, str(entry.get("name", "")), bool(entry.get("leader")))
            for member_id, entry in self._content["members"].items()
        ]

    def has_pin(self, member_id: str) -> bool:
        return member_id in self._content["members"]

    def data_key(self) -> bytes:
        """The data key while nobody has a PIN; with PINs it needs :meth:`unlock`."""
        open_key = self._content.get("open_key")
        if not open_key:
            raise UserError(
                "Máy đã có mã PIN: hãy nhập mã PIN để mở dữ liệu.",
                "This laptop has PINs: enter one to open the data.",
            )
        return bytes.fromhex(open_key)

    def wait_remaining(self) -> timedelta:
        """How long the next PIN must wait after too many wrong ones (zero if not)."""
        return self._lockout.remaining()

    # --- unlocking ------------------------------------------------------------------

    def unlock(self, member_id: str, pin: str) -> bytes:
        """The data key, from this member's PIN; a clear error for a wrong one."""
        self._lockout.refuse_while_waiting()
        entry = self._content["members"].get(member_id)
        data_key = None if entry is None else unwrap_key(entry, member_id, pin)
        if data_key is None or not is_laptop_key(data_key, str(self._content["key_check"])):
            self._lockout.count_failure()
            self._save()
            raise UserError(
                "Mã PIN không đúng. Hãy nhập lại (hoặc nhờ tổ trưởng đặt lại mã PIN)."
                + self._lockout.attempts_note("vi"),
                "Wrong PIN. Type it again (or ask the leader to reset your PIN)."
                + self._lockout.attempts_note("en"),
            )
        if self._lockout.clear():
            self._save()
        return data_key

    # --- changing -------------------------------------------------------------------

    def set_pin(
        self,
        member_id: str,
        display_name: str,
        new_pin: str,
        data_key: bytes,
        *,
        is_leader: bool = False,
    ) -> None:
        """Give this member a PIN (or a new one); the first PIN removes the plain key."""
        check_pin_rules(new_pin)
        self._require_laptop_key(data_key)
        entry = wrap_key(data_key, member_id, new_pin, self._cost)
        entry["name"] = display_name
        entry["leader"] = is_leader
        self._content["members"][member_id] = entry
        self._content["open_key"] = None
        self._save()

    def change_pin(self, member_id: str, current_pin: str, new_pin: str) -> None:
        check_pin_rules(new_pin)
        data_key = self.unlock(member_id, current_pin)
        entry = self._content["members"][member_id]
        self.set_pin(
            member_id, str(entry.get("name", "")), new_pin, data_key, is_leader=entry["leader"]
        )

    def remove_pin(self, member_id: str, data_key: bytes) -> None:
        """Forget a member's PIN (a leader resetting a forgotten one).  Removing the last
        PIN puts the plain key back, so the data stays readable — and unprotected."""
        self._require_laptop_key(data_key)
        if self._content["members"].pop(member_id, None) is None:
            return
        if not self._content["members"]:
            self._content["open_key"] = data_key.hex()
        self._save()

    def _require_laptop_key(self, data_key: bytes) -> None:
        # A wrong key wrapped under a PIN would open nothing: refuse it here.
        if not is_laptop_key(data_key, str(self._content["key_check"])):
            raise ValueError("this is not the laptop's data key")

    def _save(self) -> None:
        write_atomically(self._path, self._content)
