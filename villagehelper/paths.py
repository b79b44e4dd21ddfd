"""Where the data lives: --data-dir, else $VILLAGEHELPER_DATA_DIR, else the platform's
per-user data folder (e.g. %LOCALAPPDATA%\\VillageHelper, ~/.local/share/VillageHelper)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

DATA_DIR_ENV = "VILLAGEHELPER_DATA_DIR"
APP_NAME = "VillageHelper"
DATABASE_FILE = "villagehelper.sqlite3"


def resolve_data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    if option:
        return Path(option).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser().resolve()
    return Path(user_data_dir(APP_NAME, appauthor=False, roaming=False))
