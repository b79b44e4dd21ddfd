"""The verdict on the laptop's clock, told on the command line (``villagehelper.ops.trusted_time``).

Commands whose result depends on today's date (purge, sync, the follow-up lists, a
backup's name) print the warning on stderr when the clock is found wrong, so that a
leader running them sees it before trusting what they did.
"""

from __future__ import annotations

import sys
from typing import TextIO

from villagehelper.ops.trusted_time import ClockVerdict, judge_clock
from villagehelper.store.engine import Store


def print_clock_warning(verdict: ClockVerdict, out: TextIO | None = None) -> None:
    """Print the warning when the clock is wrong; nothing otherwise."""
    if not verdict.wrong:
        return
    stream = out or sys.stderr
    print(f"Cảnh báo đồng hồ: {verdict.message_vi}", file=stream)
    print(f"Clock warning: {verdict.message_en}", file=stream)


def warn_about_the_clock(store: Store) -> None:
    """Judge the store's clock now and print the warning if it is wrong."""
    print_clock_warning(judge_clock(store))
