"""``villagehelper-server serve`` started as a real process, for the tests that need the
command itself (its options, its signals, its workers)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from villagehelper.server.cli.serve import READY_LINE


def start_serving(
    command: list[str], env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[str], str]:
    """The process, once it printed its ready line (returned too); its errors go to
    ``log``.  Fails with the log if the process ended before listening."""
    with log.open("ab") as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8", env=env
        )
    assert process.stdout is not None
    # A blocking read: the line comes once the port accepts connections, and the end of
    # the output means the server stopped first.
    for line in process.stdout:
        if READY_LINE in line:
            return process, line
    process.wait(timeout=30)
    raise AssertionError(f"the server stopped before listening:\n{log.read_text()}")


def run_to_the_end(command: list[str]) -> subprocess.CompletedProcess[str]:
    """A command expected to end by itself (a refused start): its output, UTF-8."""
    return subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )
