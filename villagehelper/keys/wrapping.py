"""Wrapping the laptop's data key under a team member's PIN (scrypt, then HMAC).

- per member a random salt; scrypt(PIN, salt) gives 64 bytes: a 32-byte pad and a 32-byte
  MAC key;
- ``wrapped = data_key XOR pad`` and ``tag = HMAC-SHA256(mac_key, member id + wrapped)``;
- unwrapping recomputes the tag and compares it in constant time: a wrong PIN is refused
  before anything is unwrapped, and :func:`key_check` (an HMAC of a constant under the
  key) proves that an unwrapped key is the laptop's.

scrypt costs about 170 ms here (n=2**15, r=8, p=1, 32 MiB; measured on the project's
2-core machine), so guessing is slow.  A 4-digit PIN would still fall to an offline
search of the file within hours: :mod:`villagehelper.keys.pin_rules` asks for 6 to 8.
The cost is stored with each wrapped key, so it can grow later without locking anyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

DATA_KEY_BYTES = 32
SALT_BYTES = 16
_KEY_CHECK_LABEL = b"villagehelper data key check v1"


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


def new_data_key() -> bytes:
    """A fresh random data key (made once per laptop, at the app's first start)."""
    return secrets.token_bytes(DATA_KEY_BYTES)


def key_check(data_key: bytes) -> str:
    """A value that tells whether a key is this laptop's, revealing nothing of it."""
    return hmac.new(data_key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()


def is_laptop_key(data_key: bytes, expected_check: str) -> bool:
    """Whether ``data_key`` matches the stored :func:`key_check` (in constant time)."""
    return hmac.compare_digest(key_check(data_key), expected_check)


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
