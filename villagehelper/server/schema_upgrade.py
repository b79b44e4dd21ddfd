"""The server database's schema, brought to this version's by Alembic at every open.

Every command that opens the server's database (``serve`` and the administrator's
commands alike, through ``database.open_server_db``) goes through :func:`upgrade`, in
one transaction that holds the database's migration lock (SQLite's write lock,
PostgreSQL's advisory lock), so two servers started at once never migrate together:

- a new, empty database gets every revision of ``migrations/`` (``upgrade head``);
- a database stamped with a revision this version knows is upgraded to the newest;
- a database the server made before Alembic (``create_all`` and ``schema_info`` version
  1, no ``alembic_version``) is adopted: revision 0001 makes what it lacks, stamps it,
  and the later revisions follow;
- a database stamped with a revision this version does not know, or with a
  ``schema_info`` version only a newer server writes without Alembic, was made by a newer
  VillageHelper: it is refused, and left exactly as it was.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from villagehelper.errors import UserError
from villagehelper.store.locations import config_value

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"
# schema_info.version of a database made before Alembic: the only one it ever wrote.
PRE_ALEMBIC_VERSION = 1
# Set for revision 0001 when it adopts such a database (it reads the same name).
_ADOPTING = "adopt_existing_tables"
# PostgreSQL advisory lock held while the schema is checked and upgraded ("VHSM").
_MIGRATION_LOCK = 0x5648_534D
# Alembic keeps the running migration in one global of the process (``alembic.context``):
# two upgrades in threads of one process would mix, whatever their databases.
_ONE_AT_A_TIME = threading.Lock()


class NewerServerDatabaseError(UserError):
    """The server database was made by a newer VillageHelper: it is not touched."""

    def __init__(self, where: str, found: str, known: str) -> None:
        super().__init__(
            f"Cơ sở dữ liệu máy chủ ({where}) do một phiên bản VillageHelper mới hơn tạo ra "
            f"(lược đồ {found}; phiên bản này chỉ biết đến {known}). Hãy cài phiên bản "
            "villagehelper-server mới nhất rồi chạy lại; cơ sở dữ liệu không bị thay đổi.",
            f"The server database ({where}) was made by a newer VillageHelper (schema "
            f"{found}; this version knows up to {known}). Install the newest "
            "villagehelper-server and start again; the database was not touched.",
        )


class NotServerDatabaseError(UserError):
    """The database holds Alembic's stamp but none of the server's tables."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"{where} không phải cơ sở dữ liệu máy chủ VillageHelper (có thể là tệp dữ liệu "
            "của một laptop): hãy chỉ đúng cơ sở dữ liệu máy chủ (--db); không có gì bị thay đổi.",
            f"{where} is not a VillageHelper server database (a laptop's data file?): "
            "point --db at the server's database; nothing was changed.",
        )


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the server's migrations, running on ``connection``."""
    from alembic.config import Config

    config = Config()
    # Escaped: Alembic reads options through configparser (``%`` in a folder's name).
    config.set_main_option("script_location", config_value(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether this version's migrations hold ``revision`` (a newer server's it does not)."""
    return revision in {script.revision for script in _scripts().walk_revisions()}


def upgrade(engine: Engine, where: str, target: str = "head") -> None:
    """Bring the server database on ``engine`` to ``target`` (see the module's text);
    ``where`` names it in messages (the URL without its password)."""
    from alembic import command

    with _ONE_AT_A_TIME, _migration_lock(engine) as connection:
        tables = set(inspect(connection).get_table_names())
        config = alembic_config(connection)
        if "alembic_version" in tables:
            if "schema_info" not in tables:
                raise NotServerDatabaseError(where)
            stamped = set(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
            if target == "head" and stamped == {head_revision()}:
                return  # every start but the first after an update
            refuse_newer(where, stamped, None)
        elif "schema_info" in tables:
            made_by = connection.execute(
                text("SELECT version FROM schema_info WHERE id = 1")
            ).scalar()
            refuse_newer(where, set(), made_by)
            config.attributes[_ADOPTING] = True
        command.upgrade(config, target)


def refuse_newer(where: str, stamped: Collection[str], schema_info: int | None) -> None:
    """Raise :class:`NewerServerDatabaseError` for a database stamped with a revision this
    version does not know, or (not stamped) with a ``schema_info`` version above 1."""
    for found in sorted(stamped):
        if not known_revision(found):
            raise NewerServerDatabaseError(where, found, head_revision())
    if not stamped and schema_info is not None and schema_info > PRE_ALEMBIC_VERSION:
        raise NewerServerDatabaseError(where, f"schema_info {schema_info}", head_revision())


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """One transaction that no other server's upgrade (or write) runs beside."""
    if engine.dialect.name == "sqlite":
        # BEGIN IMMEDIATE (store.engine.configure_sqlite): the write lock from the start.
        with engine.execution_options(begin_immediate=True).begin() as connection:
            yield connection
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        yield connection
