"""The data rows of one file, held packed while an import checks and writes them.

An import needs every row before it writes any (the rows of one household may be far
apart, and a bad row anywhere rejects the file), but a row as Python objects — a tuple
of strings, each with its own header — costs several times its text.  Each row is kept
here as one ``bytes`` (its cells, marshalled) and turned back into a :class:`RawRow`
only while it is being looked at: 200,000 rows of a households file take ~35 MB
instead of ~150 MB.  A row planned for the last time is :meth:`taken <PackedRows.take>`:
its bytes go, so the rows shrink as the import's own records grow.
"""

from __future__ import annotations

import marshal
from array import array
from collections.abc import Iterator, Sequence
from typing import overload

from villagehelper.transfer.tabular import RawRow

_TAKEN = b""  # what a taken row leaves (one shared object, no cells: marshal needs 1 byte)


class PackedRows(Sequence[RawRow]):
    """Rows in the order appended; indexing unpacks one, iterating unpacks each in turn."""

    def __init__(self) -> None:
        self._lines = array("q")
        self._cells: list[bytes] = []

    def append(self, row: RawRow) -> None:
        self._lines.append(row.line)
        # marshal keeps any str, lone surrogates included, and gives back equal ones.
        self._cells.append(marshal.dumps(row.cells))

    def __len__(self) -> int:
        return len(self._cells)

    @overload
    def __getitem__(self, index: int) -> RawRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[RawRow]: ...

    def __getitem__(self, index: int | slice) -> RawRow | Sequence[RawRow]:
        if isinstance(index, slice):
            return [self._unpack(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        return self._unpack(index)

    def __iter__(self) -> Iterator[RawRow]:
        for index in range(len(self._cells)):
            yield self._unpack(index)

    def take(self, index: int) -> RawRow:
        """The row at ``index``, no longer kept: it must not be asked for again."""
        row = self._unpack(index)
        self._cells[index] = _TAKEN
        return row

    def _unpack(self, index: int) -> RawRow:
        packed = self._cells[index]
        if packed is _TAKEN:
            raise LookupError(f"row {index} was taken")
        cells: tuple[str, ...] = marshal.loads(packed)
        return RawRow(self._lines[index], cells)
