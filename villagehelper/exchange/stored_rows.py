"""How a new row from the server's feed becomes a row of a local table, without the ORM.

For each syncable entity, :func:`table_writer` gives the INSERT statement and what
turns a wire value into its stored form; :func:`new_row` makes the row.  The result is
what ``remote._insert`` and a flush would store: column defaults for absent
fields, the sync columns of a row synced at its version, and the derived columns
(computed as the models' ``refresh_derived`` does).  Instants and dates travel in their
stored form already (fixed-width UTC text, ISO dates): a canonical value is checked and
kept as it is, anything else goes through ``from_wire`` and the column's own binding,
so a malformed value fails exactly as it would through the ORM.

A column this module does not know (a new local column) raises at first use rather
than being left empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, inspect
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from villagehelper.store.changelog import ENTITIES, from_wire, primary_key_name, synced_fields
from villagehelper.store.models import Base, SyncState, UtcDateTime
from villagehelper.text import name_sort_key, search_key

Converter = Callable[[Any], Any]

# Names repeat a lot in a commune (a district has some 17,000 distinct names among
# 120,000 people), and a Vietnamese sort key costs tens of microseconds to make.
_sort_key = lru_cache(maxsize=1 << 16)(name_sort_key)
# Table → (derived column, the field it is made from, how).
_DERIVED: dict[str, tuple[str, str, Callable[[str], str]]] = {
    "households": ("head_sort_key", "head_name", _sort_key),
    "members": ("name_sort_key", "full_name", _sort_key),
    "villages": ("name_key", "name", search_key),
}
# The sync columns of a row written from the feed, in this order in every INSERT.
_SYNC_COLUMNS = ("server_version", "base_version", "sync_state", "updated_at")
_SYNCED = SyncState.SYNCED.value
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_DAY = re.compile(r"\d{4}-\d\d-\d\d")


@dataclass(frozen=True)
class TableWriter:
    """Everything needed to write new rows of one entity with ``executemany``.

    The INSERT lists the columns in the row's own order: the synced fields first (the
    tombstone aside), then the tombstone, the key and the sync columns, then the derived
    columns.  A feed item carrying exactly the synced fields (what the server sends)
    then becomes a row through one ``itemgetter`` and a few converters.
    """

    entity: str
    table: str
    key: str
    sql: str
    names: frozenset[str]  # the synced fields an item usually carries
    take: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # fields → values, in row order
    converted: tuple[tuple[int, Converter], ...]  # positions whose wire form is not stored
    defaults: tuple[Any, ...]  # stored defaults, in row order
    fields: dict[str, tuple[int, Converter | None]]  # synced field → position, converter
    tail: tuple[Any, ...]  # derived columns, filled per row
    derived: tuple[int, int, Callable[[str], str]] | None  # position, source position, how
    voided_at: int | None  # help sessions only

    def position(self, name: str) -> int:
        return self.fields[name][0]


def _flag(value: Any) -> Any:
    return None if value is None else int(bool(value))


def _through_the_orm(model: type[Base], name: str, dialect: Dialect) -> Converter:
    """What a flush stores for a wire value: ``from_wire``, then the column's binding."""
    process = inspect(model).columns[name].type.bind_processor(dialect)

    def convert(value: Any) -> Any:
        decoded = from_wire(model, name, value)
        return decoded if process is None or decoded is None else process(decoded)

    return convert


def _canonical_text(
    pattern: re.Pattern[str], parse: Callable[[str], object], otherwise: Converter
) -> Converter:
    def convert(value: Any) -> Any:
        if type(value) is str and pattern.fullmatch(value):
            parse(value)  # the day must exist: raises ValueError as the ORM would
            return value
        return otherwise(value)

    return convert


def _parse_instant(value: str) -> object:
    return datetime.fromisoformat(value[:-1])


def converter(model: type[Base], name: str, dialect: Dialect) -> Converter | None:
    """Wire value → stored value for field ``name`` (None: stored as it is)."""
    column_type = inspect(model).columns[name].type
    slow = _through_the_orm(model, name, dialect)
    if isinstance(column_type, UtcDateTime):
        return _canonical_text(_INSTANT, _parse_instant, slow)
    python_type = column_type.python_type
    if python_type is date:
        return _canonical_text(_DAY, date.fromisoformat, slow)
    if python_type is bool:
        return _flag
    return None if column_type.bind_processor(dialect) is None else slow


def _stored_default(model: type[Base], name: str, dialect: Dialect) -> Any:
    column = inspect(model).columns[name]
    default = column.default
    if default is None:
        return None
    if not isinstance(default, ScalarElementColumnDefault):
        raise RuntimeError(f"{column}: the feed's bulk writer knows only scalar defaults")
    value = default.arg
    if isinstance(value, str):
        return str(value)  # an enum member's plain text
    convert = converter(model, name, dialect)
    return value if convert is None else convert(value)


_WRITERS: dict[tuple[str, str, str], TableWriter] = {}


def table_writer(entity: str, dialect: Dialect) -> TableWriter:
    """The writer of ``entity`` for this kind of database (made once, then kept)."""
    key = (entity, dialect.name, dialect.driver)
    writer = _WRITERS.get(key)
    if writer is None:
        writer = _WRITERS[key] = _make_writer(entity, dialect)
    return writer


def _getter(names: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    if len(names) == 1:  # itemgetter of one name gives the value, not a tuple
        return lambda fields: (fields[names[0]],)
    getter: Callable[[Mapping[str, Any]], tuple[Any, ...]] = itemgetter(*names)
    return getter


def _make_writer(entity: str, dialect: Dialect) -> TableWriter:
    model = ENTITIES[entity]
    table = str(model.__tablename__)
    key = primary_key_name(model)
    wire = [name for name in synced_fields(model) if name != "deleted"]
    # The tombstone is the item's own ``deleted``: any copy among the fields is ignored,
    # as in remote._insert.
    columns = [*wire, "deleted", key, *_SYNC_COLUMNS]
    derived_spec = _DERIVED.get(table)
    if derived_spec is not None:
        columns.append(derived_spec[0])
    if entity == "help_session":
        columns.append("voided")
    unknown = {column.key for column in inspect(model).columns} - set(columns)
    if unknown:
        raise RuntimeError(f"{entity}: the feed's bulk writer does not know {sorted(unknown)}")
    at = {name: index for index, name in enumerate(columns)}
    converters = {name: converter(model, name, dialect) for name in wire}
    return TableWriter(
        entity=entity,
        table=table,
        key=key,
        sql=(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        ),
        names=frozenset(wire),
        take=_getter(wire),
        converted=tuple(
            (at[name], convert) for name, convert in converters.items() if convert is not None
        ),
        defaults=tuple(_stored_default(model, name, dialect) for name in wire),
        fields={name: (at[name], converters[name]) for name in wire},
        tail=tuple(None for _ in columns[len(wire) + 1 + 1 + len(_SYNC_COLUMNS) :]),
        derived=(
            None
            if derived_spec is None
            else (at[derived_spec[0]], at[derived_spec[1]], derived_spec[2])
        ),
        voided_at=at.get("voided") if entity == "help_session" else None,
    )


def new_row(writer: TableWriter, item: Mapping[str, Any], now: str) -> list[Any]:
    """The stored row for a feed item (``entity``, ``id``, ``version``, ``fields``,
    ``deleted``) that this laptop does not hold yet; derived columns come later."""
    fields = item["fields"]
    if fields.keys() == writer.names:
        row = list(writer.take(fields))
        for position, convert in writer.converted:
            row[position] = convert(row[position])
    else:  # fields missing (their defaults apply), unknown ones, or a "deleted" among them
        row = list(writer.defaults)
        spots = writer.fields
        for name, value in fields.items():
            spot = spots.get(name)
            if spot is not None:
                position, convert_value = spot
                row[position] = value if convert_value is None else convert_value(value)
    version = item["version"]
    row += (1 if item["deleted"] else 0, item["id"], version, version, _SYNCED, now)
    row += writer.tail
    return row
