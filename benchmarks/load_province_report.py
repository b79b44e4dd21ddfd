"""The province load run's table (``benchmarks/load_province.py``): one block per number
of server processes, each figure beside the same figure of the first run (1 process).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from benchmarks.load_report import count_row, count_rows
from benchmarks.measure import Row, nearest_rank

if TYPE_CHECKING:
    from benchmarks.load_cpu import CpuShares
    from benchmarks.load_laptop import Outcomes
    from benchmarks.load_province import ProvinceFigures

PUSH_P99_TARGET = 0.3  # s, at the province's normal rate with 2 processes (issue 19)
SPEED_UP_TARGET = 1.3  # throughput with 2 processes ÷ with one (issue 19)


def processes(count: int) -> str:
    return f"{count} process" if count == 1 else f"{count} processes"


def _percentile(samples: list[float], fraction: float) -> float | None:
    return nearest_rank(sorted(samples), fraction) if samples else None


def _latency_rows(figures: ProvinceFigures, first: ProvinceFigures | None) -> list[Row]:
    baseline_is = processes(first.workers) if first else ""
    ours, theirs = figures.normal, first.normal if first else None
    rows = []
    for operation, label, fraction, target in (
        ("push", "p50", 0.50, None),
        ("push", "p99", 0.99, PUSH_P99_TARGET),
        ("pull", "p99", 0.99, None),
    ):
        samples: list[float] = getattr(ours, operation)
        rows.append(
            Row(
                f"normal: {operation} {label} ({len(samples):,} requests)",
                _percentile(samples, fraction),
                _percentile(getattr(theirs, operation), fraction) if theirs else None,
                "ms",
                baseline_is,
                target=target,
            )
        )
    return rows


def _rate_rows(
    phase: str, ours: Outcomes, theirs: Outcomes | None, seconds: float, baseline_is: str
) -> list[Row]:
    def rates(outcomes: Outcomes) -> tuple[float, float, float]:
        pushes, pulls = len(outcomes.push), len(outcomes.pull)
        return (
            pushes / seconds,
            (pushes + pulls) / seconds,
            outcomes.changes_acknowledged / seconds,
        )

    mine = rates(ours)
    base = rates(theirs) if theirs else (None, None, None)
    labels = (
        ("pushes answered", "pushes/s"),
        ("requests answered", "requests/s"),
        ("changes acknowledged", "changes/s"),
    )
    return [
        Row(f"{phase}: {label}", value, baseline, unit, baseline_is)
        for (label, unit), value, baseline in zip(labels, mine, base, strict=True)
    ]


def speed_up(figures: ProvinceFigures, first: ProvinceFigures) -> float | None:
    """Requests answered at saturation ÷ the first run's."""
    ours = len(figures.saturation.push) + len(figures.saturation.pull)
    theirs = len(first.saturation.push) + len(first.saturation.pull)
    return ours / theirs if theirs else None


def _cpu_rows(phase: str, shares: CpuShares | None) -> list[Row]:
    if shares is None:
        return [count_row(f"{phase}: CPU (not on Linux: /proc missing)", 0)]
    parts = (
        ("server processes", shares.server),
        ("PostgreSQL", shares.postgres),
        ("load generator", shares.generator),
        ("the rest of the machine", shares.other),
    )
    rows = [
        Row(f"{phase}: CPU, {part}", None, None, "", "", note=f"{cores:.2f} cores")
        for part, cores in parts
    ]
    rows.append(
        Row(f"{phase}: load average", None, None, "", "", note=f"{shares.load_average:.1f}")
    )
    return rows


def rows(figures: ProvinceFigures, first: ProvinceFigures | None) -> list[Row]:
    plan = figures.plan
    baseline_is = processes(first.workers) if first else ""
    out = _latency_rows(figures, first)
    out += _rate_rows(
        "normal",
        figures.normal,
        first.normal if first else None,
        plan.normal_seconds,
        baseline_is,
    )
    out += _cpu_rows("normal", figures.cpu_normal)
    out += _rate_rows(
        "saturation",
        figures.saturation,
        first.saturation if first else None,
        plan.saturation_seconds,
        baseline_is,
    )
    if first is not None:
        factor = speed_up(figures, first)
        shown = "—" if factor is None else f"{factor:.2f}×"
        if figures.workers == 2 and first.workers == 1 and factor is not None:
            verdict = "ok" if factor >= SPEED_UP_TARGET else "MISSED"
            shown += f" (target ≥ {SPEED_UP_TARGET}×: {verdict})"
        out.append(
            Row(
                f"saturation: requests ÷ {processes(first.workers)}",
                None,
                None,
                "",
                "",
                note=shown,
            )
        )
    out += _cpu_rows("saturation", figures.cpu_saturation)
    errors: Counter[str] = Counter()
    phases = (("normal", figures.normal), ("saturation", figures.saturation), ("end", figures.end))
    for phase, outcomes in phases:
        errors.update({f"{phase}: {kind}": count for kind, count in outcomes.errors.items()})
    if not errors:
        out.append(count_row("errors (any request not answered 200, any change refused)", 0))
    out += [count_row(f"errors, {kind}", count) for kind, count in sorted(errors.items())]
    out.append(count_row("server's exit status on SIGTERM", figures.server_exit or 0, True))
    out += count_rows(figures.check)
    return out


def heading(figures: ProvinceFigures) -> str:
    plan = figures.plan
    return (
        f"{processes(figures.workers)} (serve --workers {figures.workers}), PostgreSQL: "
        f"{plan.laptops:,} laptops in {plan.communes} communes; normal phase "
        f"{plan.normal_seconds:g} s, a visit every {plan.visit_every:g} s a laptop on average "
        f"and a sync 5 s after it and every 5 min; saturation {plan.saturation_seconds:g} s, "
        f"{plan.saturating} of them syncing back to back; {plan.generators} generator processes"
    )
