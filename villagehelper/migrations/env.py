"""Alembic environment: migrations run on the app's own SQLite file, online only.

Each run is one real SQLite transaction (explicit BEGIN), so a migration that fails
half-way leaves the file exactly as it was.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from alembic import context
from sqlalchemy import create_engine, event

from villagehelper.store.connect import DEFAULT_TIMEOUT_S
from villagehelper.store.engine import driver_options

url = context.config.get_main_option("sqlalchemy.url")
assert url is not None
# Set by villagehelper.store.migrate.alembic_config: the file and its key (None: plain),
# opened the way the app opens it.  Without them (Alembic's own command line) the URL.
database = context.config.attributes.get("database")
options = (
    {}
    if database is None
    else driver_options(database, context.config.attributes.get("database_key"), DEFAULT_TIMEOUT_S)
)
engine = create_engine(url, hide_parameters=True, **options)  # no data in error texts


@event.listens_for(engine, "connect")
def _connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # no implicit pysqlite transactions
    # Foreign keys stay off during schema changes (SQLite table rebuilds need it).
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


@event.listens_for(engine, "begin")
def _begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


with engine.begin() as connection:
    context.configure(connection=connection, render_as_batch=True)
    context.run_migrations()
engine.dispose()
