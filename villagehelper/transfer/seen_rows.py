"""What a sessions import remembers of the rows before: compact, across the whole file.

Each later row is checked against every earlier one (the same session id twice, the same
household, person, service and moment twice), so the import keeps, for each row, a key
and the line it was on.  As a ``dict`` of 16-byte digests to line numbers this took
~25 MB per 200,000 rows (an object per key, one per line, the dict's own entries);
:class:`SeenLines` keeps an 8-byte digest and a 4-byte line in two flat arrays, ~6 MB.

Eight bytes are enough.  Two different keys share a digest with probability 2⁻⁶⁴ per
pair; a file at the import's limit (200,000 rows, ``limits.py``) has 2·10¹⁰ pairs, so
the chance that any two of its keys meet is about 2·10¹⁰ / 1.8·10¹⁹ ≈ 1.1·10⁻⁹ — one
200,000-row import in nearly a billion.  Such a meeting would say a good row repeats an
earlier line: the row is refused (or, with --skip-invalid, listed as skipped) and the
message names that line, so the person can see the two differ.  Nothing is written
wrongly either way.

The visit a row belongs to is not remembered at all: :class:`VisitIds` derives it from
the household, moment and volunteer with a key drawn once per import, so rows of one
visit get one id however far apart they are, and no two imports share one.
"""

from __future__ import annotations

import hashlib
import os
from array import array

from villagehelper.ids import format_uuid7, new_id

_EMPTY = 0  # a line number no row has (the header is line 1 at the least)
_FIRST_CAPACITY = 1 << 4  # slots; a power of two, doubled when two thirds are used


def short_digest(parts: tuple[str, ...], *, key: bytes = b"", size: int = 8) -> int:
    """``parts`` as a ``size``-byte number; each part is length-prefixed so that
    ("ab", "c") and ("a", "bc") differ, and any text (lone surrogates too) is taken."""
    digest = hashlib.blake2b(digest_size=size, key=key)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return int.from_bytes(digest.digest(), "little")


class SeenLines:
    """Keys (as 8-byte digests) → the line each was first seen on.

    An open-addressing table in two arrays: no Python object per entry.
    """

    def __init__(self) -> None:
        self._digests = array("Q", bytes(8 * _FIRST_CAPACITY))
        self._lines = array("i", bytes(4 * _FIRST_CAPACITY))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def get(self, parts: tuple[str, ...]) -> int | None:
        """The line ``parts`` was added on, or ``None``."""
        slot = self._slot(short_digest(parts))
        line = self._lines[slot]
        return None if line == _EMPTY else line

    def add(self, parts: tuple[str, ...], line: int) -> None:
        """Remember ``parts`` on ``line``; a key already there keeps its first line."""
        if line <= _EMPTY:
            raise ValueError(f"line {line}: lines start at 1")
        digest = short_digest(parts)
        slot = self._slot(digest)
        if self._lines[slot] != _EMPTY:
            return
        self._digests[slot] = digest
        self._lines[slot] = line
        self._count += 1
        if 3 * self._count > 2 * len(self._lines):
            self._grow()

    def _slot(self, digest: int) -> int:
        """Where ``digest`` is, or the empty slot where it would go (linear probing)."""
        mask = len(self._lines) - 1
        slot = digest & mask
        while self._lines[slot] != _EMPTY and self._digests[slot] != digest:
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        digests, lines = self._digests, self._lines
        capacity = 2 * len(lines)
        self._digests = array("Q", bytes(8 * capacity))
        self._lines = array("i", bytes(4 * capacity))
        for digest, line in zip(digests, lines, strict=True):
            if line != _EMPTY:
                slot = self._slot(digest)
                self._digests[slot] = digest
                self._lines[slot] = line


class VisitIds:
    """The visit id of rows that name none: one per (household, moment, volunteer).

    The id is a UUIDv7 of the import's first millisecond whose 74 random bits are a keyed
    digest of the three; the key is random and drawn once per import.  Two different
    visits of one import share an id with odds below 10⁻¹² at 200,000 rows.
    """

    def __init__(self) -> None:
        self._key = os.urandom(16)
        self._unix_ms = int(new_id().replace("-", "")[:12], 16)

    def visit_id_of(self, household_id: str, instant: str, volunteer_id: str) -> str:
        bits = short_digest((household_id, instant, volunteer_id), key=self._key, size=10)
        return format_uuid7(self._unix_ms, bits >> 62, bits)
