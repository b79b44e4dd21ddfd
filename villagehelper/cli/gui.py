"""``villagehelper`` without a command: the app's window on the data folder."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_gui(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.ui.shell.app import run_gui  # Qt loads only for the window

    return run_gui(data_dir)
