"""``villagehelper-server``: the commune server's command line (name reserved).

The server itself arrives with the sync feature; until then the command says so plainly
instead of failing with an import error.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print(
        "villagehelper-server: máy chủ xã chưa có trong phiên bản này.\n"
        "villagehelper-server: the commune server is not part of this version yet.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
