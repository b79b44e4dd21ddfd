"""Logging to a rotating file in the data folder; never personal data in messages.

Log lines carry ids and counts, not names or phone numbers: the log file may be sent to
a helper for support, and residents' data must not travel with it.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE = "villagehelper.log"
_MAX_BYTES = 1_000_000
_BACKUPS = 5


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
    handler = RotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path
