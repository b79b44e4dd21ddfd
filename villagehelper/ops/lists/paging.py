"""What every list hands out, and the sort keys SQL cannot compute by itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, SQLColumnExpression, case, literal

R = TypeVar("R")


@dataclass(frozen=True)
class Page(Generic[R]):
    """The first rows of a list and how many rows the whole list has."""

    total: int
    rows: tuple[R, ...]


def rank(value: SQLColumnExpression[str], ranks: dict[str, int]) -> ColumnElement[Any]:
    """Position of ``value`` in a small ordered list computed in Python (Vietnamese
    collation, catalog order), so SQL can sort by it without a collation of its own."""
    if not ranks:
        return literal(0)
    return case(ranks, value=value, else_=len(ranks))


def ranks_by(keys: dict[str, str]) -> dict[str, int]:
    """Each item's position when sorted by its key."""
    return {item: rank for rank, item in enumerate(sorted(keys, key=lambda k: keys[k]))}
