"""``python -m villagehelper.cli``: the same as the ``villagehelper`` command."""

import sys

from villagehelper.cli.dispatch import main

if __name__ == "__main__":  # imported, as the Qt-free check imports every module, it waits
    sys.exit(main())
