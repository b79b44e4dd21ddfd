"""Many rows into one table in one driver call, for the push path.

SQLAlchemy's ``executemany`` builds a parameter dictionary per row through the compiled
statement; for the thousand rows of a batch that cost more than the database's own
work, inside the transaction that holds its commune's feed lock.  Here the statement is written
once per table and column list, each value goes through its column type's bind
processor (the same conversion SQLAlchemy would apply: a date to SQLite's text, say),
and the rows go to the driver as tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table

Processor = Callable[[Any], Any] | None  # a column type's bind processor


@cache
def _statement(
    dialect: Dialect, table: Table, names: tuple[str, ...]
) -> tuple[str, list[Processor]]:
    quote = dialect.identifier_preparer
    # "?" for sqlite3; psycopg takes "%s" under its "format" and "pyformat" styles.
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    if dialect.paramstyle not in ("qmark", "format", "pyformat"):
        raise NotImplementedError(f"parameter style {dialect.paramstyle}")
    columns = ", ".join(quote.quote(name) for name in names)
    markers = ", ".join([marker] * len(names))
    sql = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES ({markers})"
    processors: list[Processor] = [table.c[name].type.bind_processor(dialect) for name in names]
    return sql, processors


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dictionaries with the same keys, the table's column names)."""
    if not rows:
        return
    names = tuple(rows[0])
    sql, processors = _statement(connection.dialect, table, names)
    converting = [(index, process) for index, process in enumerate(processors) if process]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        value = [row[name] for name in names]
        for index, process in converting:
            value[index] = process(value[index])
        values.append(tuple(value))
    connection.exec_driver_sql(sql, values)
