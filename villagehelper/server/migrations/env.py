"""Alembic environment of the commune server's database (SQLite or PostgreSQL), online only.

The server runs it through ``schema_upgrade``, on a connection handed over in
``config.attributes["connection"]`` that is already inside the one transaction the whole
upgrade runs in, holding the database's migration lock: a migration that fails half-way
leaves the database as it was (PostgreSQL's DDL is transactional, and so is SQLite's
inside an explicit BEGIN).  Without one (Alembic driven by hand, ``sqlalchemy.url`` set)
it opens that URL itself.  The server's tables have no foreign keys, so SQLite's table
rebuilds (batch mode) need no pragma change.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from villagehelper.server.tables import ServerBase


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        # What autogenerate compares with, when a developer drafts a revision; the
        # revisions themselves never read it.
        target_metadata=ServerBase.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if isinstance(given, Connection):
    _run(given)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None, "set sqlalchemy.url, or run it through schema_upgrade"
    engine = create_engine(url, hide_parameters=True)  # no data in error texts
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()
