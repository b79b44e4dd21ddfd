"""Which household each row of a households file belongs to, kept small.

The rows of one household may lie anywhere in the file, so an import first finds every
row's household, then plans and writes a few hundred households at a time.  Between the
two, each row is only a group number, and each group's key a 16-byte digest of its
text: the full keys of 70,000 households (village, head's name, address) would take
more memory than the rows themselves.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from villagehelper.transfer.seen_rows import short_digest

_LEFT_OUT = -1


def key_digest(parts: tuple[str, ...]) -> bytes:
    """A digest standing for ``parts``; two different keys never meet in practice
    (128 bits), and each part is length-prefixed so ("ab", "c") ≠ ("a", "bc")."""
    return short_digest(parts, size=16).to_bytes(16, "little")


@dataclass
class GroupFailure:
    """Why a whole group is left out, said on its first row."""

    line: int
    column_key: str | None
    message_vi: str


@dataclass
class Grouping:
    """Rows (by their index in the file's data rows) → household groups, numbered in
    the order their first row appears."""

    _group_of: array[int] = field(default_factory=lambda: array("q"))
    _numbers: dict[bytes, int] = field(default_factory=dict)
    household_ids: list[str | None] = field(default_factory=list)  # stated or matched
    failures: dict[int, GroupFailure] = field(default_factory=dict)

    def leave_out(self) -> None:
        """The next row belongs to no group (its problem is already recorded)."""
        self._group_of.append(_LEFT_OUT)

    def place(self, digest: bytes, household_id: str | None) -> tuple[int, bool]:
        """Put the next row in the group of ``digest``; returns the group's number and
        whether the row starts it."""
        number = self._numbers.get(digest)
        started = number is None
        if number is None:
            number = self._numbers[digest] = len(self.household_ids)
            self.household_ids.append(household_id)
        self._group_of.append(number)
        return number, started

    def fail(self, number: int, failure: GroupFailure) -> None:
        self.failures[number] = failure

    def batches(self, size: int) -> Iterator[list[tuple[int, list[int]]]]:
        """Groups in order, ``size`` at a time: (group number, its rows' indexes in file
        order).  The digests are not needed any more and are let go first."""
        self._numbers.clear()
        group_of = self._group_of
        order = array(
            "q",
            sorted(
                (index for index, number in enumerate(group_of) if number != _LEFT_OUT),
                key=group_of.__getitem__,  # stable: a group's rows stay in file order
            ),
        )
        batch: list[tuple[int, list[int]]] = []
        start = 0
        while start < len(order):
            number = group_of[order[start]]
            end = start + 1
            while end < len(order) and group_of[order[end]] == number:
                end += 1
            batch.append((number, order[start:end].tolist()))
            start = end
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
