"""Database errors that carry no resident's data, so that logging one is always safe.

An error's text ends up in log files (a traceback of a bug) and in a server's output,
which are sent to helpers.  Two things in it can hold what a person typed:

- the statement's parameters, which SQLAlchemy prints unless the engine was made with
  ``hide_parameters=True`` (every engine of the app is);
- the database's own message.  SQLite never quotes a value in its messages ("UNIQUE
  constraint failed: households.id").  PostgreSQL does: ``DETAIL: Key (phone)=(09…)
  already exists``, ``Failing row contains (…, Hoàng Thị …)``, ``invalid input syntax
  for type integer: "Hoàng …"``.  :func:`keep_values_out_of_errors` rewrites such a
  message, as the error is raised, into one built from the error's named parts
  (SQLSTATE, constraint, table, column) with quoted text masked; the driver's error
  object keeps its class and ``sqlstate``, so code that tells errors apart still can.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext

# A PostgreSQL message quotes values and names alike, with double quotes.
_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_MASK = '"…"'
_NAMED_PARTS = ("constraint_name", "table_name", "column_name", "datatype_name")


def keep_values_out_of_errors(engine: Engine) -> None:
    """Rewrite, on ``engine``, each database error message that may quote a value."""
    event.listen(engine, "handle_error", _rewrite)


def _rewrite(context: ExceptionContext) -> None:
    if context.statement is None:
        return  # connecting: no statement, no values; the server's own words help here
    original = context.original_exception
    safe = value_free_text(original)
    if safe is None:
        return
    original.args = (safe,)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None:
        kind = type(original)
        wrapped.args = (f"({kind.__module__}.{kind.__name__}) {safe}", *wrapped.args[1:])


def value_free_text(error: BaseException) -> str | None:
    """``error``'s message without any value it may quote; ``None`` when its message
    holds none to begin with (SQLite's, and errors that are not the database's)."""
    if not _is_driver_error(error):
        return None
    diag: Any = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(error).split("\n", 1)[0]
    parts = [_QUOTED.sub(_MASK, primary)]
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate:
        parts.append(f"SQLSTATE {sqlstate}")
    for name in _NAMED_PARTS:
        value = getattr(diag, name, None)
        if value:
            parts.append(f"{name.removesuffix('_name')} {value}")
    return "; ".join(parts)


def _is_driver_error(error: BaseException) -> bool:
    """An error of PostgreSQL's driver (SQLite's messages quote no values)."""
    module = type(error).__module__
    return module.split(".", 1)[0] in ("psycopg", "psycopg2")
