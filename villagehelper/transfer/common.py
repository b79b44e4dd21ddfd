"""Pieces both imports share: collecting row problems, loading rows by id in batches."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.errors import ValidationError
from villagehelper.store.changelog import primary_key_name
from villagehelper.store.models import Base
from villagehelper.transfer.columns import Layout
from villagehelper.transfer.report import ImportRejected, ProgressTicker, RowProblem

# SQLite allows a limited number of bound parameters per statement.
_BATCH = 500

T = TypeVar("T")
M = TypeVar("M", bound=Base)


class Problems:
    """The bad rows of one file, each named with the file's own column title."""

    def __init__(self, layout: Layout, field_columns: Mapping[str, str] | None = None) -> None:
        self._layout = layout
        # Validators name form fields ("phone"); a file names columns ("household_phone").
        self._field_columns = field_columns or {}
        self._items: list[RowProblem] = []
        self._lines: set[int] = set()

    def add(self, line: int, key: str | None, message_vi: str) -> None:
        title = None
        if key is not None:
            key = self._field_columns.get(key, key)
            if any(known.key == key for known in self._layout.spec.columns):
                title = self._layout.title(key)
        self._items.append(RowProblem(line, title, message_vi))
        self._lines.add(line)

    def add_error(self, line: int, error: ValidationError) -> None:
        self.add(line, error.field, error.message_vi)

    def has(self, line: int) -> bool:
        return line in self._lines

    def __bool__(self) -> bool:
        return bool(self._items)

    def rejects_file(self, skip_invalid: bool) -> bool:
        """Whether the file will import nothing: it has bad rows and skipping them was
        not asked for.  Its later rows are still checked (to list them all), never
        written."""
        return bool(self._items) and not skip_invalid

    def reject_unless(self, skip_invalid: bool) -> None:
        """A file with bad rows imports nothing, unless skipping them was asked for."""
        if self.rejects_file(skip_invalid):
            raise ImportRejected(self.sorted())

    def sorted(self) -> tuple[RowProblem, ...]:
        return tuple(sorted(self._items, key=lambda problem: problem.line))


def batches(items: Sequence[T], size: int = _BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_by_ids(session: Session, model: type[M], ids: Collection[str]) -> dict[str, M]:
    """Rows of ``model`` whose id is in ``ids`` (tombstones included), in a few queries
    instead of one per row."""
    column: Any = getattr(model, primary_key_name(model))
    found: dict[str, M] = {}
    for batch in batches(sorted(ids)):
        for row in session.scalars(select(model).where(column.in_(batch))):
            found[getattr(row, column.key)] = row
    return found


def ticking(rows: Iterable[T], ticker: ProgressTicker) -> Iterator[T]:
    for row in rows:
        yield row
        ticker.advance()
