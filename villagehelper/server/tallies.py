"""Commune-wide tallies on the server, computed by the laptops' own tally engine.

A tally request brings the commune's replica (``replicas.py``) up to date and runs
:func:`villagehelper.tally.engine.compute_tally` on it, so a leader's printed report and the
commune's figures can never disagree on a definition.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from villagehelper.ops import implausible
from villagehelper.ops.team import list_villages
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.spreadsheet_cells import neutralise
from villagehelper.store import quarantine_rows
from villagehelper.tally.engine import compute_tallies
from villagehelper.tally.periods import parse_week
from villagehelper.tally.results import Counts, Tally

_COUNT_FIELDS = ("sessions", "people", "households", "done", "follow_up", "failed", "cumulative")


@dataclass(frozen=True)
class CommuneTally:
    commune_code: str
    commune_name: str
    tally: Tally
    villages: tuple[tuple[str, Counts], ...]
    # Sessions of the commune quarantined for an impossible time, whatever their week:
    # counted nowhere until a leader corrects their date (plausibility.py).
    implausible_sessions: int = 0
    # Rows of the commune the replica cannot apply (exchange/quarantine.py): counted nowhere
    # until repaired or voided.
    quarantined_rows: int = 0


def weekly(replicas: CommuneReplicas, commune_code: str, week: str, today: date) -> CommuneTally:
    period = parse_week(week, today)  # a ValidationError (400) outside REPORT_YEARS
    store = replicas.caught_up(commune_code)
    listed = list_villages(store)
    tally, by_village = compute_tallies(store, period, [village.id for village in listed])
    villages = tuple((village.name, by_village[village.id].totals) for village in listed)
    commune = store.commune()
    assert commune is not None
    with store.reading() as session:
        set_aside = quarantine_rows.count(session)
    return CommuneTally(
        commune.code, commune.name, tally, villages, implausible.count_implausible(store), set_aside
    )


def _counts(counts: Counts) -> dict[str, int]:
    values = {name: int(getattr(counts, name)) for name in _COUNT_FIELDS}
    values["change"] = counts.change
    values["open_follow_ups"] = counts.open_follow_ups
    return values


def as_json(result: CommuneTally) -> dict[str, Any]:
    tally = result.tally
    skills = tally.basic_skills
    return {
        "commune": {"code": result.commune_code, "name": result.commune_name},
        "period": {
            "label": tally.period.label,
            "start": tally.period.first.isoformat(),
            "end": tally.period.last.isoformat(),
        },
        "services": [
            {"code": row.service_code, "label_vi": row.label_vi, **_counts(row.counts)}
            for row in tally.rows
        ],
        "totals": _counts(tally.totals),
        "basic_skills": {
            "households_covered": skills.households_covered,
            "households": skills.households,
            "rate": skills.rate,
        },
        "villages": [{"name": name, **_counts(counts)} for name, counts in result.villages],
        "implausible_sessions": result.implausible_sessions,
        "quarantined_rows": result.quarantined_rows,
    }


def as_csv(result: CommuneTally) -> str:
    """One row per service, then the total, then one row per village (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Phạm vi", "Mã", "Tên", *_COUNT_FIELDS, "change", "open_follow_ups"])
    for row in result.tally.rows:
        label = neutralise(row.label_vi)
        writer.writerow(["service", row.service_code, label, *_counts(row.counts).values()])
    writer.writerow(["total", "", "Tổng cộng", *_counts(result.tally.totals).values()])
    for name, counts in result.villages:
        # Village names are typed by people: never let one run as a spreadsheet formula.
        writer.writerow(["village", "", neutralise(name), *_counts(counts).values()])
    if result.implausible_sessions:
        # In the "sessions" column: left out of every row above, and why.
        label = "Lượt có ngày không hợp lý, không được tính"
        writer.writerow(["implausible", "", label, result.implausible_sessions])
    if result.quarantined_rows:
        label = "Dòng dữ liệu lỗi để riêng, không được tính"
        writer.writerow(["quarantined", "", label, result.quarantined_rows])
    return "\ufeff" + out.getvalue()
