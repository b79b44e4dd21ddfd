"""A database error never carries a resident's data into a log, on the laptop or on the
server (SQLite and PostgreSQL).

The errors are provoked for real, with a resident's name and phone in the statement:
a broken constraint, a database locked by another writer; each is then logged exactly
as the app logs a bug (the laptop's command line writes the traceback to its log file;
the server logs through its logger), and the log is searched for the values.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.exc import DBAPIError

from villagehelper.cli import dispatch
from villagehelper.cli.telling import EXIT_BUG
from villagehelper.ids import new_id
from villagehelper.logs import log_path
from villagehelper.ops import team
from villagehelper.paths import DATABASE_FILE
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Record
from villagehelper.store.engine import open_store
from villagehelper.store.models import Household
from villagehelper.text import search_key

NAME = "Hoàng Thị Bí Mật"
PHONE = "0987654321"
SECRETS = (NAME, search_key(NAME), PHONE)


def _household(village_id: str) -> dict[str, object]:
    return {
        "id": new_id(),
        "village_id": village_id,
        "head_name": NAME,
        "head_sort_key": search_key(NAME),
        "phone": PHONE,
    }


def _broken_constraint(data_dir: Path) -> None:
    """A household pointing at a village that does not exist (foreign key)."""
    store = open_store(data_dir)
    try:
        with store.transaction() as session:
            session.execute(insert(Household).values(**_household("no-such-village")))
    finally:
        store.close()


def _locked_database(data_dir: Path) -> None:
    """A write while another program holds the database's write lock."""
    store = open_store(data_dir)
    other = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with store.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout=0")  # no 5 s wait in a test
            connection.execute(update(Household).values(head_name=NAME, phone=PHONE))
    finally:
        other.close()
        store.close()


@pytest.mark.parametrize("provoke", [_broken_constraint, _locked_database])
def test_a_database_error_in_a_command_is_logged_without_the_residents_data(
    provoke: Callable[[Path], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    team.set_commune(store, "10999")
    store.close()

    def command(_args: object, folder: Path) -> int:
        provoke(folder)
        return 0

    monkeypatch.setitem(dispatch.COMMANDS, "backup", command)
    assert dispatch.main(["backup", "--data-dir", str(data_dir)]) == EXIT_BUG
    logged = log_path(data_dir).read_text(encoding="utf-8")
    assert "Traceback" in logged and "sqlite3" in logged  # the error was logged …
    for secret in SECRETS:  # … without what the resident told us
        assert secret not in logged, secret
    assert NAME not in capsys.readouterr().err


def _record(**changes: object) -> dict[str, object]:
    fields = json.dumps({"head_name": NAME, "phone": PHONE}, ensure_ascii=False)
    row: dict[str, object] = {
        "entity": "household",
        "row_id": new_id(),
        "commune_code": "10999",
        "version": 10_000_000,
        "fields": fields,
        "field_versions": "{}",
        "deleted": False,
    }
    row.update(changes)
    return row


def _missing_column(db: ServerDB) -> None:
    # PostgreSQL answers "Failing row contains (…)": the whole row, the name included.
    with db.transaction() as session:
        session.execute(insert(Record).values(**_record(field_versions=None)))


def _duplicate_key(db: ServerDB) -> None:
    # PostgreSQL's DETAIL quotes the key: here the person's phone, as an id would be.
    row = _record(row_id=PHONE)
    with db.transaction() as session:
        session.execute(insert(Record).values(**row))
    with db.transaction() as session:
        session.execute(insert(Record).values(**{**row, "version": 10_000_001}))


def _value_of_the_wrong_type(db: ServerDB) -> None:
    # PostgreSQL: invalid input syntax for type bigint: "Hoàng Thị Bí Mật".
    with db.reading() as session:
        session.execute(text("SELECT CAST(:value AS BIGINT)"), {"value": NAME})


@pytest.mark.parametrize("provoke", [_missing_column, _duplicate_key, _value_of_the_wrong_type])
def test_a_database_error_on_the_server_is_logged_without_the_residents_data(
    provoke: Callable[[ServerDB], None], server_db: ServerDB, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("villagehelper.server")
    if server_db.is_sqlite and provoke is _value_of_the_wrong_type:
        provoke(server_db)  # SQLite casts anything: no error, nothing to log
        return
    with caplog.at_level(logging.INFO), pytest.raises(DBAPIError) as raised:
        try:
            provoke(server_db)
        except DBAPIError:
            log.exception("request failed")
            raise
    assert "Traceback" in caplog.text
    for secret in SECRETS:
        assert secret not in caplog.text, secret
        assert secret not in str(raised.value), secret
