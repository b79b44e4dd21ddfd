"""Identifiers made on the laptop: time-ordered UUIDs (version 7, RFC 9562).

Time order keeps inserts at the end of every index and lets a person read roughly when
a row was made; the 74 random bits make two laptops' ids collide with negligible odds.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> str:
    """A new UUIDv7 as its canonical 36-character string, monotonic within the process."""
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            # Same millisecond (or the clock stepped back): keep order with a counter
            # in the 12 "rand_a" bits, borrowing the next millisecond when it overflows.
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            now_ms = _last_ms
        else:
            _last_ms = now_ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (now_ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= _counter << 64
        value |= 0b10 << 62
        value |= rand_b
    return str(uuid.UUID(int=value))


def is_valid_id(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except (ValueError, AttributeError, TypeError):
        return False
