"""How a command lists what waits for a leader (faulty rows, held-back sessions, refused
changes): one entry per item, its details indented under it, then how to settle one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")


def print_listing(
    items: Sequence[Item],
    *,
    none: str,
    entry: Callable[[Item], Sequence[str]],
    how_to_settle: str,
) -> int:
    """Print ``items`` (``entry`` gives an item's first line, then its detail lines), or
    the ``none`` sentence when there are none; the command's exit code (0)."""
    if not items:
        print(none)
        return 0
    for item in items:
        first, *details = entry(item)
        print(first)
        for detail in details:
            print(f"    {detail}")
    print(how_to_settle)
    return 0
