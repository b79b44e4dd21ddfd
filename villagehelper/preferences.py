"""Per-laptop preferences (language, text size, who is logging), kept beside the data.

A small JSON file rather than the database: the language must be known before the
database is opened (the first-run wizard and a "newer version" message need it), and a
damaged preferences file must never stop the app — it falls back to the defaults.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

log = logging.getLogger("villagehelper.preferences")

PREFERENCES_FILE = "preferences.json"
LANGUAGES = ("vi", "en")
LONGEST_LOCK_MINUTES = 240
# Residents' personal details are purged this long after the last contact
# (villagehelper.ops.retention).
DEFAULT_RETENTION_MONTHS = 24
LONGEST_RETENTION_MONTHS = 240


@dataclass(frozen=True)
class Preferences:
    language: str = "vi"
    large_text: bool = False
    volunteer_id: str | None = None  # the team member logging on this laptop
    backups_kept: int = 14  # automatic backups kept of each kind (villagehelper.backups.copies)
    lock_after_minutes: int = 5  # lock the window after this long without input; 0: never
    retention_months: int = DEFAULT_RETENTION_MONTHS

    def with_changes(self, **changes: object) -> Preferences:
        updated = replace(self, **changes)  # type: ignore[arg-type]
        if updated.language not in LANGUAGES:
            raise ValueError(f"unknown language {updated.language!r}")
        return updated


def load_preferences(data_dir: Path) -> Preferences:
    path = data_dir / PREFERENCES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Preferences()
    except (OSError, ValueError):
        log.warning("preferences file unreadable; using defaults")
        return Preferences()
    defaults = Preferences()
    language = raw.get("language")
    volunteer = raw.get("volunteer_id")
    return Preferences(
        language=language if language in LANGUAGES else defaults.language,
        large_text=bool(raw.get("large_text", defaults.large_text)),
        volunteer_id=volunteer if isinstance(volunteer, str) and volunteer else None,
        backups_kept=_kept(raw.get("backups_kept"), defaults.backups_kept),
        lock_after_minutes=_bounded(
            raw.get("lock_after_minutes"), defaults.lock_after_minutes, 0, LONGEST_LOCK_MINUTES
        ),
        retention_months=_bounded(
            raw.get("retention_months"), defaults.retention_months, 1, LONGEST_RETENTION_MONTHS
        ),
    )


def _kept(value: object, default: int) -> int:
    """A sane number of backups to keep (1 to 365), else the default."""
    return _bounded(value, default, 1, 365)


def _bounded(value: object, default: int, lowest: int, highest: int) -> int:
    """A whole number within the bounds, else the default."""
    if isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= highest:
        return value
    return default


def save_preferences(data_dir: Path, preferences: Preferences) -> None:
    """Write atomically: a power cut leaves the old file or the new one, never half."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / PREFERENCES_FILE
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(preferences), indent=2), encoding="utf-8")
    os.replace(temporary, path)
