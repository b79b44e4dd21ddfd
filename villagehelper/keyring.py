"""The laptop's data key and the team members' PINs that guard it (``keyring.json``).

The store on a shared laptop is encrypted with one random 32-byte *data key*.  The key
lives in this small file beside the database, never inside it (the database cannot be
read without it).  While nobody has set a PIN the key is kept as it is — no protection,
and the settings page says so.  As soon as one team member sets a PIN the plain key is
removed and the file keeps only copies *wrapped* by each member's PIN:

- per member a random salt; scrypt(PIN, salt) gives 64 bytes: a 32-byte pad and a 32-byte
  MAC key;
- ``wrapped = data_key XOR pad`` and ``tag = HMAC-SHA256(mac_key, member id + wrapped)``;
- unlocking recomputes the tag and compares it in constant time: a wrong PIN is refused
  before anything is unwrapped, and a check value of the data key (an HMAC of a constant
  under the key) proves that the unwrapped key is the laptop's.

scrypt costs about 170 ms here (n=2**15, r=8, p=1, 32 MiB; measured on the project's
2-core machine), so guessing is slow; after :data:`FREE_ATTEMPTS` wrong PINs in a row the
next try must wait, longer each time but never more than an hour, and the count is kept
in the file so that a restart does not reset it.  The wait is counted on the monotonic
clock while the file is open; a wait in the file that ends further away than an hour
(written under a clock that was years ahead) is cut to an hour.  A 4-digit PIN still
falls to an offline search of the file within hours: longer PINs are worth it, and the
app lets members choose up to 8 digits.

The display names and leader flags are kept in clear so that the lock screen can list
who may unlock before the database is readable.  They are hints for that list only:
whether someone is a leader is always decided from the team in the database.

Creation: :meth:`Keyring.load` makes a new data key the first time, when no key file
exists (a new laptop, or an existing one at its first start after the update, whose plain
database is then converted with it).  An existing but unreadable file is never replaced:
a new key would lock the data out for good.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import math
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from villagehelper.errors import UserError

KEYRING_FILE = "keyring.json"
FORMAT_VERSION = 1
DATA_KEY_BYTES = 32
SALT_BYTES = 16
PIN_MIN_DIGITS = 6  # 4 digits fall to a search of the stolen key file within an hour
PIN_MAX_DIGITS = 8
FREE_ATTEMPTS = 5
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 60 * 60
_KEY_CHECK_LABEL = b"villagehelper data key check v1"

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work factors; stored with each wrapped key so they can grow later."""

    n: int = 2**15
    r: int = 8
    p: int = 1

    @property
    def memory(self) -> int:
        return 128 * self.n * self.r * self.p


DEFAULT_COST = ScryptCost()


@dataclass(frozen=True)
class PinHolder:
    """A team member who can unlock this laptop (what the lock screen lists)."""

    member_id: str
    full_name: str
    is_leader: bool


class KeyringDamagedError(UserError):
    """The key file exists but cannot be read: never replaced by a new key."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


_LENGTHS_VI = f"{PIN_MIN_DIGITS} đến {PIN_MAX_DIGITS}"
_LENGTHS_EN = f"{PIN_MIN_DIGITS} to {PIN_MAX_DIGITS}"


def check_pin_rules(pin: str) -> None:
    """Refuse PINs that are short, long, not digits, or guessed first by anyone."""
    if not (pin.isascii() and pin.isdigit()):
        raise UserError(
            f"Mã PIN chỉ gồm chữ số (0–9). Hãy chọn từ {_LENGTHS_VI} chữ số.",
            f"A PIN is digits only (0–9). Choose {_LENGTHS_EN} digits.",
        )
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise UserError(
            f"Mã PIN cần từ {_LENGTHS_VI} chữ số. Mã dài hơn thì khó đoán hơn.",
            f"A PIN needs {_LENGTHS_EN} digits. Longer ones are harder to guess.",
        )
    if len(set(pin)) == 1:
        raise UserError(
            "Mã PIN không được là một chữ số lặp lại (như 111111). Hãy chọn các chữ số khác "
            "nhau, không theo thứ tự.",
            "A PIN cannot repeat one digit (like 111111). Mix different digits, in no order.",
        )
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {-1}):
        raise UserError(
            "Mã PIN không được là dãy số liền nhau (như 123456 hay 654321). Hãy chọn các chữ "
            "số không theo thứ tự, ví dụ ngày đáng nhớ mà người khác không biết.",
            "A PIN cannot be a straight run (like 123456 or 654321). Choose digits in no "
            "order, e.g. a date others do not know.",
        )


def key_check(data_key: bytes) -> str:
    """A value that tells whether a key is this laptop's, revealing nothing of it."""
    return hmac.new(data_key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()


def _derive(pin: str, salt: bytes, cost: ScryptCost) -> tuple[bytes, bytes]:
    derived = hashlib.scrypt(
        pin.encode("ascii"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=2 * cost.memory,
        dklen=2 * DATA_KEY_BYTES,
    )
    return derived[:DATA_KEY_BYTES], derived[DATA_KEY_BYTES:]


def _tag(mac_key: bytes, member_id: str, wrapped: bytes) -> bytes:
    # The id is length-prefixed so that no (id, wrapped) pair can pose as another.
    member = member_id.encode("utf-8")
    message = len(member).to_bytes(4, "big") + member + wrapped
    return hmac.new(mac_key, message, hashlib.sha256).digest()


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def wrap_key(
    data_key: bytes, member_id: str, pin: str, cost: ScryptCost = DEFAULT_COST
) -> dict[str, Any]:
    """One member's wrapped copy of the data key, as stored in the file."""
    salt = secrets.token_bytes(SALT_BYTES)
    pad, mac_key = _derive(pin, salt, cost)
    wrapped = _xor(data_key, pad)
    return {
        "salt": salt.hex(),
        "n": cost.n,
        "r": cost.r,
        "p": cost.p,
        "wrapped": wrapped.hex(),
        "tag": _tag(mac_key, member_id, wrapped).hex(),
    }


def unwrap_key(entry: dict[str, Any], member_id: str, pin: str) -> bytes | None:
    """The data key, or ``None`` when the PIN (or the entry) does not match."""
    try:
        salt = bytes.fromhex(entry["salt"])
        wrapped = bytes.fromhex(entry["wrapped"])
        tag = bytes.fromhex(entry["tag"])
        cost = ScryptCost(int(entry["n"]), int(entry["r"]), int(entry["p"]))
    except (KeyError, TypeError, ValueError):
        return None
    if len(wrapped) != DATA_KEY_BYTES or not pin.isascii():
        return None
    pad, mac_key = _derive(pin, salt, cost)
    if not hmac.compare_digest(_tag(mac_key, member_id, wrapped), tag):
        return None
    return _xor(wrapped, pad)


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
        self._clock = clock
        self._cost = cost
        # A wait is counted on the monotonic clock once the file is read: setting the
        # wall clock back (or forward) while the app runs neither stretches nor ends it.
        self._monotonic = monotonic
        self._wait_ends: float | None = None
        self._resume_wait()

    # --- opening --------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        data_dir: Path,
        *,
        clock: Clock = _utc_now,
        cost: ScryptCost = DEFAULT_COST,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> Keyring:
        """The folder's keyring; a new data key is made when there is no file yet."""
        path = data_dir / KEYRING_FILE
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls._create(path, clock, cost, monotonic)
        return cls(path, _parse(raw, path), clock, cost, monotonic)

    @classmethod
    def exists(cls, data_dir: Path) -> bool:
        return (data_dir / KEYRING_FILE).exists()

    @classmethod
    def _create(
        cls, path: Path, clock: Clock, cost: ScryptCost, monotonic: Callable[[], float]
    ) -> Keyring:
        data_key = secrets.token_bytes(DATA_KEY_BYTES)
        content: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "open_key": data_key.hex(),
            "key_check": key_check(data_key),
            "members": {},
            "failed_attempts": 0,
            "wait_until": None,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _write_new(path, content):
            # Another process (the app and a command line at the same first start) made
            # one a moment ago: its key is the laptop's, ours was never used.
            return cls(path, _parse(path.read_text(encoding="utf-8"), path), clock, cost, monotonic)
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
        if self._wait_ends is None:
            return timedelta(0)
        return timedelta(seconds=max(0.0, self._wait_ends - self._monotonic()))

    def _resume_wait(self) -> None:
        """The wait the file holds, from now on the monotonic clock.  The file's end
        is wall-clock time (it must survive a restart); one further away than the
        longest wait was written under a clock that was ahead, or the clock was set
        back since: it is cut to the longest wait, and the file corrected so that a
        restart does not start that hour again."""
        until = self._content.get("wait_until")
        if not until:
            self._wait_ends = None
            return
        now = self._clock()
        remaining = datetime.fromisoformat(until) - now
        longest = timedelta(seconds=LONGEST_WAIT_SECONDS)
        if remaining > longest:
            remaining = longest
            self._content["wait_until"] = (now + longest).isoformat()
            with contextlib.suppress(OSError):  # read-only: the cut holds in this process
                self._save()
        self._wait_ends = self._monotonic() + max(0.0, remaining.total_seconds())

    # --- unlocking ------------------------------------------------------------------

    def unlock(self, member_id: str, pin: str) -> bytes:
        """The data key, from this member's PIN; a clear error for a wrong one."""
        self._refuse_while_waiting()
        entry = self._content["members"].get(member_id)
        data_key = None if entry is None else unwrap_key(entry, member_id, pin)
        if data_key is None or not hmac.compare_digest(
            key_check(data_key), str(self._content["key_check"])
        ):
            self._count_failure()
            raise UserError(
                "Mã PIN không đúng. Hãy nhập lại (hoặc nhờ tổ trưởng đặt lại mã PIN)."
                + self._attempts_note("vi"),
                "Wrong PIN. Type it again (or ask the leader to reset your PIN)."
                + self._attempts_note("en"),
            )
        if self._content["failed_attempts"] or self._content["wait_until"]:
            self._content["failed_attempts"] = 0
            self._content["wait_until"] = None
            self._wait_ends = None
            self._save()
        return data_key

    def _refuse_while_waiting(self) -> None:
        remaining = self.wait_remaining()
        if remaining > timedelta(0):
            seconds = math.ceil(remaining.total_seconds())
            raise UserError(
                f"Đã nhập sai mã PIN nhiều lần. Hãy đợi {_duration_vi(seconds)} rồi thử lại.",
                f"Too many wrong PINs. Wait {_duration_en(seconds)}, then try again.",
            )

    def _count_failure(self) -> None:
        failures = int(self._content["failed_attempts"]) + 1
        self._content["failed_attempts"] = failures
        if failures >= FREE_ATTEMPTS:
            wait = min(FIRST_WAIT_SECONDS * 2 ** (failures - FREE_ATTEMPTS), LONGEST_WAIT_SECONDS)
            until = self._clock() + timedelta(seconds=wait)
            self._content["wait_until"] = until.isoformat()
            self._wait_ends = self._monotonic() + wait
        self._save()

    def _attempts_note(self, language: str) -> str:
        remaining = self.wait_remaining()
        if remaining > timedelta(0):
            seconds = math.ceil(remaining.total_seconds())
            if language == "en":
                return f" Next try in {_duration_en(seconds)}."
            return f" Lần thử tiếp theo sau {_duration_vi(seconds)}."
        left = FREE_ATTEMPTS - int(self._content["failed_attempts"])
        if left > 2:
            return ""
        if language == "en":
            return f" {left} more tries before a wait."
        return f" Còn {left} lần thử trước khi phải đợi."

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
        if not hmac.compare_digest(key_check(data_key), str(self._content["key_check"])):
            raise ValueError("this is not the laptop's data key")

    def _save(self) -> None:
        _write_atomically(self._path, self._content)


def _parse(raw: str, path: Path) -> dict[str, Any]:
    try:
        content = json.loads(raw)
        if not isinstance(content, dict) or content.get("version") != FORMAT_VERSION:
            raise ValueError("unknown keyring format")
        if not isinstance(content.get("members"), dict) or not content.get("key_check"):
            raise ValueError("keyring without members or key check")
        content.setdefault("failed_attempts", 0)
        content.setdefault("wait_until", None)
        return content
    except ValueError:
        raise KeyringDamagedError(
            f"Tệp khóa {path} bị hỏng nên không mở được dữ liệu. Đừng xóa tệp này; hãy "
            "khôi phục nó từ bản sao của cả thư mục dữ liệu, hoặc nhờ cán bộ xã tải lại "
            "dữ liệu từ máy chủ xã.",
            f"The key file {path} is damaged, so the data cannot be opened. Do not delete "
            "it; restore it from a copy of the data folder, or download the data again "
            "from the commune server.",
        ) from None


def _encode(content: dict[str, Any]) -> bytes:
    return json.dumps(content, indent=2, ensure_ascii=False).encode("utf-8")


def _write_atomically(path: Path, content: dict[str, Any]) -> None:
    """A power cut leaves the old file or the new one, never half of either."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(_encode(content))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_folder(path.parent)


def _write_new(path: Path, content: dict[str, Any]) -> bool:
    """Write the file only if none exists (``False`` if one appeared first)."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.new")
    with open(temporary, "wb") as handle:
        handle.write(_encode(content))
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)  # atomic and exclusive: never replaces a key
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    _sync_folder(path.parent)
    return True


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows has no directory handles to flush; os.replace is enough there
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _duration_vi(seconds: int) -> str:
    return f"{seconds} giây" if seconds < 60 else f"{(seconds + 59) // 60} phút"


def _duration_en(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 60 else f"{(seconds + 59) // 60} minutes"
