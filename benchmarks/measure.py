"""Timing helpers and the result table.

Every figure is printed beside a baseline measured in the same run on the same machine,
so the ratio says something even where absolute times vary between laptops.  Nothing is
asserted: speed is measured, the targets are only shown.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Stats:
    """Percentiles of a list of durations, in seconds."""

    p50: float
    p95: float
    max: float
    count: int

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        if not samples:
            raise ValueError("no samples")
        ordered = sorted(samples)
        return cls(
            statistics.median(ordered), nearest_rank(ordered, 0.95), ordered[-1], len(ordered)
        )


def nearest_rank(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted samples: an actually observed duration,
    never interpolated."""
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def time_each(items: Iterable[T], action: Callable[[T], object]) -> list[float]:
    """The duration of ``action(item)`` for each item, in order."""
    durations = []
    for item in items:
        start = time.perf_counter()
        action(item)
        durations.append(time.perf_counter() - start)
    return durations


def seconds_to_ready(command: list[str], env: dict[str, str]) -> float:
    """From spawning the process to the moment it reports its window ready (the app
    prints ``ready <time>`` under ``VILLAGEHELPER_EXIT_WHEN_READY``, ui/shell/app.py)."""
    start = time.time()
    result = subprocess.run(
        command, env=env, check=True, capture_output=True, text=True, timeout=120
    )
    stamps = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("ready ")]
    if not stamps:
        raise RuntimeError(f"{command[:3]} never reported ready: {result.stderr[-500:]}")
    return float(stamps[-1]) - start


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, its baseline, and what the baseline is."""

    measure: str
    value: float | None  # seconds for a time, a rate (per second), MB, or a factor
    baseline: float | None
    unit: str  # "ms", "µs", "s" (all given in seconds), a rate ("rows/s"…), "MB" or "×"
    baseline_is: str
    target: float | None = None  # an upper bound, in ``unit``
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times the baseline's cost: time / baseline time (for throughputs,
        baseline rate / rate), so > 1 always means slower than the baseline."""
        if self.value is None or self.baseline is None or not self.value or not self.baseline:
            return None
        if self.unit.endswith("/s"):
            return self.baseline / self.value
        return self.value / self.baseline


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value * 1000:.2f} ms"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "µs":
        return f"{value * 1_000_000:.1f} µs"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:,.0f} {unit}"  # a rate: rows/s, requests/s…


def _target(row: Row) -> str:
    if row.target is None:
        return ""
    bound = _shown(row.target, row.unit)
    if row.value is None:
        return f"< {bound}"
    return f"< {bound} {'ok' if row.value < row.target else 'MISSED'}"


def table(rows: list[Row]) -> str:
    header = ("measure", "VillageHelper", "baseline", "ratio", "target", "baseline is")
    lines = [
        (
            row.measure,
            row.note or _shown(row.value, row.unit),
            _shown(row.baseline, row.unit) if row.baseline_is else "",
            f"{row.ratio:.2f}×" if row.ratio is not None else "",
            _target(row),
            row.baseline_is,
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    numeric = {1, 2, 3}

    def render(cells: tuple[str, ...]) -> str:
        parts = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(cells) for cells in lines)])
