"""Reproducible ids for demo rows: UUIDv7 made from the event time and a seeded RNG.

The layout is the one :func:`villagehelper.ids.new_id` uses (48-bit Unix milliseconds,
version 7, 12 + 62 random bits, RFC 9562 variant), so demo ids sort by time like real
ones; only the randomness comes from the seed, which makes a rerun give the same ids.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from villagehelper.store.models import utc_text

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


class Instant(NamedTuple):
    """An instant as the store writes it (fixed-width UTC text) and as a UUIDv7 holds it."""

    text: str
    unix_ms: int


def instant(moment: datetime) -> Instant:
    return Instant(utc_text(moment), (moment - _EPOCH) // _MILLISECOND)


class IdMaker:
    """UUIDv7 strings drawn from their own RNG stream, so that how many ids are made
    never shifts the names, visits and outcomes drawn from the data stream."""

    def __init__(self, seed: str) -> None:
        self._rng = random.Random(seed)

    def make(self, unix_ms: int) -> str:
        value = (unix_ms & 0xFFFF_FFFF_FFFF) << 80
        value |= 0x7 << 76
        value |= self._rng.getrandbits(12) << 64
        value |= 0b10 << 62
        value |= self._rng.getrandbits(62)
        digits = f"{value:032x}"
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
