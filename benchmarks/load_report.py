"""The load benchmark's table: latency percentiles under load against one laptop alone,
rates, errors and the count check's verdicts.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from benchmarks.measure import Row, nearest_rank

if TYPE_CHECKING:
    from benchmarks.load import LoadFigures
    from benchmarks.load_checks import CountCheck

PUSH_P99_TARGET = 0.5  # s, on PostgreSQL (the target)


def _percentile_rows(
    operation: str, samples: list[float], baseline: list[float], target: float | None
) -> list[Row]:
    if not samples:
        return [Row(f"{operation}: no request answered", None, None, "ms", "")]
    ours, alone = sorted(samples), sorted(baseline) or [0.0]
    rows = []
    for label, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0)):
        rows.append(
            Row(
                f"{operation} {label} ({len(ours):,} requests)",
                nearest_rank(ours, fraction),
                nearest_rank(alone, fraction) if baseline else None,
                "ms",
                "one laptop alone, back to back",
                target=target if label == "p99" else None,
            )
        )
    return rows


def count_row(measure: str, count: int, must_be_zero: bool = False) -> Row:
    verdict = (" ok" if count == 0 else " MISSED") if must_be_zero else ""
    return Row(measure, None, None, "", "", note=f"{count:,}{verdict}")


def rows(figures: LoadFigures) -> list[Row]:
    load, baseline, check = figures.load, figures.baseline, figures.check
    target = PUSH_P99_TARGET if figures.database == "PostgreSQL" else None
    out = _percentile_rows("push", load.push, baseline.push, target)
    out += _percentile_rows("pull (one page)", load.pull, baseline.pull, None)
    requests_done = len(load.push) + len(load.pull)
    out.append(
        Row(
            "requests answered",
            requests_done / figures.load_seconds,
            (len(baseline.push) + len(baseline.pull)) / figures.baseline_seconds,
            "requests/s",
            "one laptop alone, back to back",
        )
    )
    out.append(
        Row(
            "changes acknowledged",
            load.changes_acknowledged / figures.load_seconds,
            baseline.changes_acknowledged / figures.baseline_seconds,
            "changes/s",
            "one laptop alone, back to back",
        )
    )
    errors: Counter[str] = Counter()
    for phase, outcomes in (("", load), ("baseline ", baseline), ("end ", figures.end)):
        errors.update({f"{phase}{kind}": count for kind, count in outcomes.errors.items()})
    if not errors:
        out.append(count_row("errors (any request not answered 200, any change refused)", 0))
    out += [count_row(f"errors: {kind}", count) for kind, count in sorted(errors.items())]
    out += count_rows(check)
    return out


def count_rows(check: CountCheck) -> list[Row]:
    """The count check's verdicts, one row each."""
    out = [count_row("changes acknowledged in all", check.changes_acknowledged)]
    out.append(
        count_row(
            f"sessions acknowledged (on the server: {check.sessions_on_server:,})",
            check.sessions_acknowledged,
        )
    )
    out.append(count_row("lost: acknowledged changes not received", check.lost_changes, True))
    out.append(count_row("lost: acknowledged sessions not stored", check.lost_sessions, True))
    out.append(count_row("lost: households not as last acknowledged", check.lost_edits, True))
    out.append(count_row("doubled: changes or sessions accepted twice", check.doubled, True))
    out.append(count_row("extra: sessions or households nobody sent", check.extra, True))
    out.append(count_row("not held by a laptop at the feed's end", check.unseen, True))
    out.append(count_row("still unacknowledged after the end", check.unconfirmed, True))
    return out


def heading(figures: LoadFigures) -> str:
    plan = figures.plan
    low, high = plan.pause
    return (
        f"{figures.database}: {plan.laptops} laptops in {plan.communes} communes for "
        f"{figures.load_seconds:.0f} s, {low:g}–{high:g} s between a laptop's rounds; "
        f"baseline: one laptop, {plan.baseline_rounds} rounds back to back"
    )
