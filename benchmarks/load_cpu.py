"""Where the CPU goes during a province load run, read from Linux's ``/proc``.

The load generator, the server's processes and PostgreSQL share this machine's cores, so
a throughput figure means little without saying who used them.  Each is a process tree:
the ``serve`` supervisor and its workers, the PostgreSQL postmaster and its backends,
the benchmark's own process and its generator processes.  A tree's CPU time is the sum,
over its live processes, of their own user and system time plus what their exited
children left them (``cutime``/``cstime``: a backend that ended and was reaped keeps
counting, in its parent).  The rest of the machine's busy time (``/proc/stat``) is
everything else: other work on the machine, the kernel's network path.

Nothing is added to the project for this (psutil is not a dependency); off Linux every
figure is ``None`` and the report says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # gone between the listing and the read
        return None
    # The command name (field 2) may hold spaces; everything after its ")" is numbers.
    return text[text.rindex(")") + 2 :].split()


def _parents() -> dict[int, int]:
    """Every live process → its parent."""
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
    return parents


def _tree(root: int, parents: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, waiting = set(), [root]
    while waiting:
        pid = waiting.pop()
        if pid in parents and pid not in found:
            found.add(pid)
            waiting += children.get(pid, [])
    return found


def _cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # utime, stime, cutime, cstime: fields 14–17 of stat, 12–15 after the name.
    return sum(int(value) for value in fields[11:15]) / _TICKS


def parent_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields is not None else None


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (``/proc/stat``'s first line)."""
    values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / _TICKS


def load_average() -> float:
    return float((PROC / "loadavg").read_text().split()[0])


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds used so far by each part, at one moment."""

    server: float
    postgres: float
    generator: float
    machine: float
    load_average: float


@dataclass(frozen=True)
class CpuShares:
    """What each part used between two samples, in cores (1.0 = one core all the time)."""

    server: float
    postgres: float
    generator: float
    other: float
    load_average: float  # at the end of the stretch

    @classmethod
    def between(cls, first: CpuSample, last: CpuSample, seconds: float) -> CpuShares:
        def cores(before: float, after: float) -> float:
            return max(0.0, after - before) / seconds

        server = cores(first.server, last.server)
        postgres = cores(first.postgres, last.postgres)
        generator = cores(first.generator, last.generator)
        busy = cores(first.machine, last.machine)
        return cls(
            server,
            postgres,
            generator,
            max(0.0, busy - server - postgres - generator),
            last.load_average,
        )


@dataclass(frozen=True)
class ProcessRoots:
    """The three process trees a province run watches."""

    server: int  # the ``serve`` supervisor
    postgres: int | None  # the postmaster (None: not on this machine, or not visible)
    generator: int  # the benchmark's own process

    def sample(self) -> CpuSample | None:
        if not PROC.is_dir():
            return None
        parents = _parents()
        server = _tree(self.server, parents)
        postgres = _tree(self.postgres, parents) if self.postgres is not None else set()
        # The server process is the benchmark's child too: counted as the server's only.
        generator = _tree(self.generator, parents) - server

        def used(pids: set[int]) -> float:
            return sum(_cpu_seconds(pid) for pid in pids)

        return CpuSample(
            used(server), used(postgres), used(generator), machine_busy_seconds(), load_average()
        )
