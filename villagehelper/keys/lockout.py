"""The wait after too many wrong PINs, so that guessing at the lock screen is slow.

After :data:`FREE_ATTEMPTS` wrong PINs in a row the next try must wait, 30 seconds and
doubling each time, never more than an hour.  The count and the end of the wait are kept
in the key file (``failed_attempts``, ``wait_until``), so that a restart does not reset
them.  While the file is open the wait is counted on the monotonic clock: setting the
wall clock back (or forward) while the app runs neither stretches nor ends it.  A wait in
the file that ends further away than an hour (written under a clock that was years
ahead) is cut to an hour.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from villagehelper.clock import Clock
from villagehelper.errors import UserError

FREE_ATTEMPTS = 5
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 60 * 60


class Lockout:
    """The wrong-PIN count of one key file and the wait it imposes.

    ``record`` is the file's content: the count and the wait's end are read from it and
    written into it; whoever owns the file saves it after :meth:`count_failure`,
    :meth:`clear` and a :meth:`resume` that cut the wait.
    """

    def __init__(
        self, record: dict[str, Any], clock: Clock, monotonic: Callable[[], float]
    ) -> None:
        self._record = record
        self._clock = clock
        self._monotonic = monotonic
        self._wait_ends: float | None = None

    def resume(self) -> bool:
        """Take up the wait the file holds, from now on the monotonic clock.

        The file's end is wall-clock time (it must survive a restart); one further away
        than the longest wait was written under a clock that was ahead, or the clock was
        set back since: it is cut to the longest wait, and ``True`` says the record was
        corrected and should be saved, so that a restart does not start that hour again.
        """
        until = self._record.get("wait_until")
        if not until:
            self._wait_ends = None
            return False
        now = self._clock()
        remaining = datetime.fromisoformat(until) - now
        longest = timedelta(seconds=LONGEST_WAIT_SECONDS)
        cut = remaining > longest
        if cut:
            remaining = longest
            self._record["wait_until"] = (now + longest).isoformat()
        self._wait_ends = self._monotonic() + max(0.0, remaining.total_seconds())
        return cut

    def remaining(self) -> timedelta:
        """How long the next PIN must wait (zero if it need not)."""
        if self._wait_ends is None:
            return timedelta(0)
        return timedelta(seconds=max(0.0, self._wait_ends - self._monotonic()))

    def refuse_while_waiting(self) -> None:
        remaining = self.remaining()
        if remaining > timedelta(0):
            seconds = math.ceil(remaining.total_seconds())
            raise UserError(
                f"Đã nhập sai mã PIN nhiều lần. Hãy đợi {_duration_vi(seconds)} rồi thử lại.",
                f"Too many wrong PINs. Wait {_duration_en(seconds)}, then try again.",
            )

    def count_failure(self) -> None:
        """One more wrong PIN; from the :data:`FREE_ATTEMPTS`-th on, a longer wait."""
        failures = int(self._record["failed_attempts"]) + 1
        self._record["failed_attempts"] = failures
        if failures >= FREE_ATTEMPTS:
            wait = min(FIRST_WAIT_SECONDS * 2 ** (failures - FREE_ATTEMPTS), LONGEST_WAIT_SECONDS)
            until = self._clock() + timedelta(seconds=wait)
            self._record["wait_until"] = until.isoformat()
            self._wait_ends = self._monotonic() + wait

    def clear(self) -> bool:
        """Forget the count after a right PIN; ``True`` when there was one to forget."""
        if not (self._record["failed_attempts"] or self._record["wait_until"]):
            return False
        self._record["failed_attempts"] = 0
        self._record["wait_until"] = None
        self._wait_ends = None
        return True

    def attempts_note(self, language: str) -> str:
        """What a wrong-PIN message adds: the wait, or how few tries are left before one."""
        remaining = self.remaining()
        if remaining > timedelta(0):
            seconds = math.ceil(remaining.total_seconds())
            if language == "en":
                return f" Next try in {_duration_en(seconds)}."
            return f" Lần thử tiếp theo sau {_duration_vi(seconds)}."
        left = FREE_ATTEMPTS - int(self._record["failed_attempts"])
        if left > 2:
            return ""
        if language == "en":
            return f" {left} more tries before a wait."
        return f" Còn {left} lần thử trước khi phải đợi."


def _duration_vi(seconds: int) -> str:
    return f"{seconds} giây" if seconds < 60 else f"{(seconds + 59) // 60} phút"


def _duration_en(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 60 else f"{(seconds + 59) // 60} minutes"
