"""The ``villagehelper`` parser: every area's sub-commands, ``--data-dir`` on each.

``--data-dir`` is accepted before the command and after it; when it is not given the
namespace has no ``data_dir`` and :func:`villagehelper.paths.resolve_data_dir` picks the
folder (environment, then the user's folder).
"""

from __future__ import annotations

import argparse

from villagehelper import __version__
from villagehelper.cli import (
    backup,
    campaign,
    data,
    faulty,
    implausible,
    log_visit,
    privacy,
    set_aside,
    sync,
    tally,
    update,
)
from villagehelper.paths import DATA_DIR_ENV


def _data_dir_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        metavar="THƯ_MỤC",
        help=f"thư mục dữ liệu (mặc định: ${DATA_DIR_ENV} hoặc thư mục người dùng) / data folder",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    common = _data_dir_parent()
    parser = argparse.ArgumentParser(
        prog="villagehelper",
        description="Sổ theo dõi hỗ trợ người dân của Tổ công nghệ số cộng đồng. "
        "Không có lệnh: mở cửa sổ ứng dụng. / Without a command: opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"VillageHelper {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="LỆNH")
    for area in (
        data,
        log_visit,
        backup,
        tally,
        sync,
        privacy,
        implausible,
        faulty,
        set_aside,
        update,
        campaign,
    ):
        area.add_commands(commands, common)
    return parser
