"""``python -m villagehelper.server.cli``: the ``villagehelper-server`` command."""

import sys

from villagehelper.server.cli.commands import main

if __name__ == "__main__":  # imported (not run) by tools that walk the package
    sys.exit(main())
