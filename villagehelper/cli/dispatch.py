"""``villagehelper``'s entry point: parse, take the data folder's turn, run, tell.

Every command takes ``--data-dir``.  Errors a person can fix go to stderr in plain
Vietnamese (then English) with exit code 1; bugs are logged with a traceback to the
data folder's log file and reported briefly with exit code 2
(:mod:`villagehelper.cli.telling`).  Without a command the app's window opens.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from villagehelper.cli import (
    backup,
    campaign,
    data,
    faulty,
    gui,
    implausible,
    log_visit,
    privacy,
    set_aside,
    sync,
    tally,
    update,
)
from villagehelper.cli.parser import build_parser
from villagehelper.cli.telling import (
    EXIT_INTERRUPTED,
    EXIT_SKIPPED_APP_OPEN,
    EXIT_USER_ERROR,
    log_unraisable,
    speak_utf8,
    tell,
    tell_bug,
)
from villagehelper.disk_errors import folder_problem
from villagehelper.errors import UserError
from villagehelper.logs import setup_logging
from villagehelper.paths import resolve_data_dir
from villagehelper.store import folder_lock
from villagehelper.store.migrate import DamagedDatabaseError

COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    None: gui.cmd_gui,
    **data.COMMANDS,
    **log_visit.COMMANDS,
    **backup.COMMANDS,
    **tally.COMMANDS,
    **sync.COMMANDS,
    **privacy.COMMANDS,
    **implausible.COMMANDS,
    **faulty.COMMANDS,
    **set_aside.COMMANDS,
    **update.COMMANDS,
    **campaign.COMMANDS,
}

# Commands that change the data hold the data folder's lock while they run (the app
# holds it while open): one user of a folder at a time.  Backup, export and tally only
# read, beside whoever writes.
WRITERS = frozenset(
    {
        "demo",
        "import",
        "log-visit",
        "restore",
        "enroll",
        "sync",
        "consent",
        "erase",
        "purge",
        "implausible",
        "faulty",
        "set-aside",
    }
)


def _turn(command: str | None, data_dir: Path) -> AbstractContextManager[object]:
    if command not in WRITERS:
        return nullcontext()
    from villagehelper.cli.opening import say_waiting

    on_wait = sync.skip_if_the_app_is_open if command == "sync" else say_waiting
    return folder_lock.turn(data_dir, command, wait_s=folder_lock.command_wait_s(), on_wait=on_wait)


# What the ``app`` extra brings (pyproject.toml): the laptop's command needs them, a
# server-only install lacks them.
APP_PACKAGES = frozenset({"PySide6", "shiboken6", "sqlcipher3", "requests", "openpyxl"})


def main(argv: Sequence[str] | None = None) -> int:
    speak_utf8()
    args = build_parser().parse_args(argv)
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    try:
        log_file = setup_logging(data_dir)
    except OSError as exc:
        return tell(
            folder_problem(exc, data_dir)
            or UserError(
                f"Không ghi được vào thư mục dữ liệu {data_dir}: {exc.strerror}. "
                "Hãy chọn thư mục khác bằng --data-dir.",
                f"Cannot write to the data folder {data_dir}: {exc.strerror}. "
                "Choose another folder with --data-dir.",
            )
        )
    sys.unraisablehook = log_unraisable
    try:
        with _turn(args.command, data_dir):
            code = COMMANDS[args.command](args, data_dir)
            sys.stdout.flush()  # a reader gone early is told here, to the handler below
            return code
    except sync.SkippedForTheApp as skipped:
        print(skipped)
        return EXIT_SKIPPED_APP_OPEN
    except UserError as error:
        if isinstance(error, DamagedDatabaseError):
            tell(error)
            backup.point_to_a_good_backup(data_dir)
            return EXIT_USER_ERROR
        return tell(error)
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu. / Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader stopped early (``villagehelper services | head``): what it wanted it
        # got.  Point stdout at nothing so the interpreter's last flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ModuleNotFoundError as error:
        missing = (error.name or "").partition(".")[0]
        if missing not in APP_PACKAGES:
            return tell_bug(args.command, log_file)
        # A machine installed for the commune server only has the command but not the
        # app's packages: say what to install, not "unexpected error".
        return tell(
            UserError(
                f"Máy này thiếu gói {missing} của ứng dụng. "
                "Hãy cài bằng: pip install 'villagehelper[app]'",
                f"This machine lacks the app's package {missing}. "
                "Install it with: pip install 'villagehelper[app]'",
            )
        )
    except Exception as error:
        problem = folder_problem(error, data_dir)
        if problem is not None:  # a full or unplugged disk: not a bug, and the log can't tell
            return tell(problem)
        return tell_bug(args.command, log_file)
