"""A file's path turned into the strings libraries want, without losing characters.

A data folder may be named anything a person can name a folder: "Dữ liệu #1 & 2",
"Tổ 50% xã", "a?b" (Linux).  Pasted into a URL, ``#`` ends the path, ``?`` starts a
query and ``%`` starts an escape; pasted into an Alembic (``configparser``) option,
``%`` starts an interpolation.  So a path never becomes a URL or a config value by
concatenation: it goes through one of the functions below, each of which escapes what
its reader would otherwise interpret.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from villagehelper.errors import UserError

if TYPE_CHECKING:  # SQLAlchemy loads with the store, not with every user of a path
    from sqlalchemy.engine import URL

SQLITE_DIALECT = "sqlite+pysqlite"
# SQLite's unix file layer refuses a path longer than this many bytes ("unable to open
# database file"); Windows' layer allows more than Windows itself does by default.
SQLITE_MAX_PATH_BYTES = 512 if os.name != "nt" else 1040
# The longest name the app gives a file inside the data folder: a numbered backup taken
# before an upgrade, while being encrypted, with its journal.
_LONGEST_INNER_NAME = (
    "backups/villagehelper-20261231-235959-before-upgrade-0000-999.sqlite3.encrypting-journal"
)


def sqlite_url(database: Path | str) -> URL:
    """The SQLAlchemy URL of a SQLite file, built from parts (nothing in the path is
    read as URL syntax)."""
    from sqlalchemy.engine import URL

    return URL.create(SQLITE_DIALECT, database=str(database))


def read_only_uri(database: Path) -> str:
    """SQLite's ``file:`` URI opening ``database`` read-only, every special character
    percent-encoded (an unescaped ``#`` or ``?`` would open another file)."""
    return f"{database.absolute().as_uri()}?mode=ro"


def config_value(text: str | Path) -> str:
    """``text`` as an Alembic option value: ``%`` doubled (``configparser``
    interpolation reads it back as one)."""
    return str(text).replace("%", "%%")


class PathTooLongError(UserError):
    """The data folder's path is longer than the database library can open."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"Đường dẫn thư mục dữ liệu quá dài ({len(os.fsencode(data_dir))} byte, tối đa "
            f"khoảng {max_data_dir_bytes()}): {data_dir}. Hãy chọn một thư mục có đường "
            "dẫn ngắn hơn bằng --data-dir (ví dụ đưa thư mục lên gần gốc ổ đĩa); dữ liệu "
            "không bị thay đổi.",
            f"The data folder's path is too long ({len(os.fsencode(data_dir))} bytes, at most "
            f"about {max_data_dir_bytes()}): {data_dir}. Choose a folder with a shorter path "
            "with --data-dir; nothing was changed.",
        )
        self.data_dir = data_dir


def max_data_dir_bytes() -> int:
    """The longest data folder path (in bytes) whose every file SQLite can still open."""
    return SQLITE_MAX_PATH_BYTES - len(_LONGEST_INNER_NAME) - 2


def check_path_length(data_dir: Path) -> None:
    """Refuse, before anything is written, a data folder SQLite could open only some
    files of (the database but not a backup, say)."""
    if len(os.fsencode(data_dir.absolute())) > max_data_dir_bytes():
        raise PathTooLongError(data_dir)
