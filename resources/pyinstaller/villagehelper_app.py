"""Entry of the bundle's ``villagehelper-app``: the window only, what the desktop and
Start-menu shortcuts run.  Built windowed, so on Windows it has no console, and Python
then has no standard streams: anything written to them would raise, so they go nowhere
(the app's log file in the data folder keeps what matters)."""

import argparse
import os
import sys

from villagehelper.cli.dispatch import main

if __name__ == "__main__":
    if sys.stdout is None or sys.stderr is None:
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    # Only the data folder may be chosen here; a file a desktop passes is ignored.
    chooser = argparse.ArgumentParser(prog="villagehelper-app", add_help=False)
    chooser.add_argument("--data-dir")
    known, _ignored = chooser.parse_known_args()
    sys.exit(main(["--data-dir", known.data_dir] if known.data_dir else []))
