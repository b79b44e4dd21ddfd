"""Opening the data folder's store for a command, with the key a PIN gives.

The key comes as :mod:`villagehelper.keys.command_unlock` says (at once while nobody has
a PIN; a member's PIN, typed or from the environment, once somebody has one).  While
another program holds the data folder, the command says on stderr what it waits for.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from villagehelper.keys.command_unlock import command_key
from villagehelper.store.folder_lock import Holder

if TYPE_CHECKING:  # the database layer loads only when a command opens the store
    from villagehelper.store.engine import Store


def open_unlocked(data_dir: Path) -> Store:
    """``data_dir``'s store, opened with its key (asked for as :func:`command_key` says)."""
    from villagehelper.store.engine import open_store

    return open_store(data_dir, key=command_key(data_dir), on_wait=say_waiting)


def say_waiting(holder: Holder | None) -> None:
    """One line on stderr while a command waits for its turn on the data folder."""
    who_vi = holder.describe_vi() if holder else "một chương trình khác dùng thư mục dữ liệu"
    who_en = holder.describe_en() if holder else "another program is using the data folder"
    print(f"Đang chờ đến lượt: {who_vi}… / Waiting: {who_en}…", file=sys.stderr, flush=True)
