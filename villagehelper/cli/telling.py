"""How the command line tells what went wrong, and its exit codes.

Errors a person can fix go to stderr in plain Vietnamese (then English) with exit code 1;
bugs are logged with a traceback to the data folder's log file and reported briefly with
exit code 2.
"""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

from villagehelper.errors import UserError

log = logging.getLogger("villagehelper.cli")

EXIT_USER_ERROR = 1
EXIT_BUG = 2
EXIT_INTERRUPTED = 130
# ``sync`` did nothing because the app is open on the folder and syncs by itself: not a
# failure for a scheduled sync (resources/deploy/villagehelper-sync.service), but told
# apart from success.  75 is EX_TEMPFAIL of sysexits.h: "try again later".
EXIT_SKIPPED_APP_OPEN = 75


def tell(error: UserError) -> int:
    """Say what went wrong and what to do, Vietnamese then English; exit code 1."""
    print(f"Lỗi: {error.message_vi}", file=sys.stderr)
    if error.message_en != error.message_vi:
        print(f"Error: {error.message_en}", file=sys.stderr)
    return EXIT_USER_ERROR


def tell_bug(command: str | None, log_file: Path) -> int:
    """Log the exception being handled with its traceback; tell the person briefly."""
    log.exception("command %s failed", command)
    print(
        "Xin lỗi, VillageHelper gặp lỗi ngoài dự kiến; dữ liệu đã lưu không bị mất. "
        f"Chi tiết được ghi vào {log_file} — hãy gửi tệp này cho người hỗ trợ.\n"
        f"Sorry, an unexpected error occurred. Details: {log_file}",
        file=sys.stderr,
    )
    return EXIT_BUG


def log_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An error in a finaliser (openpyxl closing a file on a full disk once more, after
    the person was told) goes to the log, not as a traceback under the message."""
    log.warning("ignored in %r", unraisable.object, exc_info=unraisable.exc_value)


def speak_utf8() -> None:
    """Write Vietnamese as UTF-8 wherever the output goes.

    Windows hands a program whose output is piped or written to a file (a scheduled
    ``villagehelper sync > log.txt``) the ANSI code page, cp1252 on most machines, and the
    first "Đ" would raise UnicodeEncodeError.  A console already gets UTF-8, and so does
    Linux (PEP 538 turns the C locale into UTF-8), so only the odd stream is reconfigured.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").replace("-", "").lower()
        if encoding != "utf8" and isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8")
