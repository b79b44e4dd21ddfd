"""Identifiers made on the laptop: time-ordered UUIDs (version 7, RFC 9562).

Time order keeps inserts at the end of every index and lets a person read roughly when
a row was made; the 62 random bits plus the clock make collisions between laptops
negligible.  Python 3.11 has no uuid7(), hence this small generator.
"""

from __future__ import annotations

import os
import threading
import time
import uuid


class _Uuid7Generator:
    """Monotonic within the process even when many ids share one millisecond."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._counter = 0

    def next(self) -> str:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms <= self._last_ms:
                # Same millisecond (or the clock stepped back): keep order with a counter
                # in the 12 "rand_a" bits, borrowing the next millisecond on overflow.
                self._counter += 1
                if self._counter > 0xFFF:
                    self._last_ms += 1
                    self._counter = 0
                now_ms = self._last_ms
            else:
                self._last_ms = now_ms
                self._counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
            counter = self._counter
        return format_uuid7(now_ms, counter, int.from_bytes(os.urandom(8), "big"))


def format_uuid7(unix_ms: int, rand_a: int, rand_b: int) -> str:
    """The canonical string of a UUIDv7 from its three variable parts."""
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand_a & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand_b & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


_generator = _Uuid7Generator()


def new_id() -> str:
    """A new UUIDv7 as its canonical 36-character string."""
    return _generator.next()


def is_valid_id(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except (ValueError, AttributeError, TypeError):
        return False
