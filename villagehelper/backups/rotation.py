"""The order in which automatic backups are rotated out, robust to a wrong clock.

A backup's name holds the time it was taken, by the laptop's clock.  While the clock was
years ahead (2031), the daily backups were named 2031; once it is corrected, each new
daily backup (named 2026) sorts as the oldest, and rotating "all but the newest 14" by
name deleted it at once, every day.  Here a backup named after the clock's present
moment (beyond a margin) counts as older than every backup named by a sane clock: the
backups made since the correction are kept, the misdated ones leave one a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from villagehelper.clock import to_vietnam

if TYPE_CHECKING:
    from villagehelper.backups.copies import BackupFile

FUTURE_MARGIN = timedelta(minutes=5)


def rotation_order(backups: Sequence[BackupFile], now: datetime | None) -> list[BackupFile]:
    """``backups`` (newest first by name) with those named in the future of ``now``
    moved after the others, newest first within each group."""
    if now is None:
        return list(backups)
    latest_sane = to_vietnam(now + FUTURE_MARGIN).strftime("%Y%m%d-%H%M%S")
    sane = [backup for backup in backups if backup.taken <= latest_sane]
    misdated = [backup for backup in backups if backup.taken > latest_sane]
    return sane + misdated
