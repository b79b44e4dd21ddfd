"""Entry of the bundle's ``villagehelper`` command: the whole command line (with no command,
the window), exactly as the ``villagehelper`` script of a pip install."""

import sys

from villagehelper.cli.dispatch import main

if __name__ == "__main__":
    sys.exit(main())
