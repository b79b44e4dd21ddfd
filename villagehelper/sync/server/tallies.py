"""Commune-wide tallies on the server, computed by the laptops' own tally engine.

The server keeps, per commune, a replica in the laptop's schema: a local store that
follows the commune's feed exactly as an enrolled laptop does.  A tally request brings
the replica up to date (only what changed since the last request) and runs
:func:`villagehelper.tally.compute_tally` on it, so a leader's printed report and the
commune's figures can never disagree on a definition.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import platformdirs

from villagehelper import geography
from villagehelper.errors import UserError
from villagehelper.ops.team import list_villages
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import Commune
from villagehelper.sync.client import follow_feed
from villagehelper.sync.server import feed
from villagehelper.sync.server.accounts import DeviceRole, DeviceScope
from villagehelper.sync.server.database import ServerDB
from villagehelper.sync.server.tables import ServerCommune
from villagehelper.tally import Counts, Tally, compute_tally, parse_week
from villagehelper.transfer.tabular import neutralise

_PAGE = 2000
_COUNT_FIELDS = ("sessions", "people", "households", "done", "follow_up", "failed", "cumulative")


@dataclass(frozen=True)
class CommuneTally:
    commune_code: str
    commune_name: str
    tally: Tally
    villages: tuple[tuple[str, Counts], ...]


def default_replicas_folder(db_url: str) -> Path:
    """Kept between restarts (a replica catches up from where it was), one folder per
    server database so two servers on one PC never share a replica."""
    key = hashlib.sha256(db_url.encode()).hexdigest()[:16]
    cache = Path(platformdirs.user_cache_dir("villagehelper-server", appauthor=False))
    return cache / "replicas" / key


class CommuneReplicas:
    """One laptop-schema replica per commune, under ``folder``, caught up on demand."""

    def __init__(self, db: ServerDB, folder: Path) -> None:
        self.db = db
        self.folder = folder
        self._stores: dict[str, Store] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()

    def weekly(self, commune_code: str, week: str, today: date) -> CommuneTally:
        period = parse_week(week, today)
        # One replica update at a time: two leaders asking at once share the catch-up.
        with self._lock:
            store = self._replica(commune_code)
            _catch_up(self.db, store, commune_code)
        tally = compute_tally(store, period)
        villages = tuple(
            (village.name, compute_tally(store, period, village_id=village.id).totals)
            for village in list_villages(store)
        )
        commune = store.commune()
        assert commune is not None
        return CommuneTally(commune.code, commune.name, tally, villages)

    def _replica(self, commune_code: str) -> Store:
        store = self._stores.get(commune_code)
        if store is not None:
            return store
        with self.db.reading() as session:
            commune = session.get(ServerCommune, commune_code)
        if commune is None:
            raise UserError(f"Không có xã {commune_code}.", f"No commune {commune_code}.")
        store = open_store(self.folder / commune_code)
        with store.transaction() as session:
            if session.get(Commune, commune_code) is None:
                official = geography.commune_by_code(commune_code)
                session.add(
                    Commune(
                        code=commune_code,
                        name=commune.name,
                        province_code=official.province_code if official else "",
                        province_name=official.province_name if official else "",
                    )
                )
        self._stores[commune_code] = store
        return store


def _catch_up(db: ServerDB, store: Store, commune_code: str) -> None:
    """Follow the commune's feed exactly as an enrolled leader's laptop would."""
    reader = DeviceScope("server-replica", commune_code, DeviceRole.LEADER)
    follow_feed(store, lambda since: feed.page(db, reader, since, _PAGE))


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
    return "\ufeff" + out.getvalue()
