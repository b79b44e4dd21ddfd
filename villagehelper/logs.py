"""Logging to a rotating file in the data folder; never personal data in messages.

Log lines carry ids and counts, not names or phone numbers: the log file may be sent to
a helper for support, and residents' data must not travel with it.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE = "villagehelper.log"
_MAX_BYTES = 1_000_000
_BACKUPS = 5


class _BestEffortHandler(RotatingFileHandler):
    """A log line that cannot be written (the disk is full, the USB stick holding the
    data folder was pulled out) is dropped quietly: the person is told about the disk
    in plain words (villagehelper.disk_errors); logging's own report of the failure, a
    traceback on stderr, would only bury that message."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handleError(record)


def log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / LOG_FILE


def setup_logging(data_dir: Path) -> Path:
    """Send the ``villagehelper`` loggers to ``logs/villagehelper.log`` in ``data_dir``."""
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("villagehelper")
    for handler in list(logger.handlers):
        if isinstance(handler, RotatingFileHandler):
            logger.removeHandler(handler)
            handler.close()
    handler = _BestEffortHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path
