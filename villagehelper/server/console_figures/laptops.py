"""Which villages' laptops have not synced for more than seven days, by the server's clock.

What exists on the server: each enrolled laptop (``devices``) with its commune, its role
and ``last_seen_at`` — its last sync: an upload (``push.push``) or a download (at most
once a minute, ``laptop_calls.py``), or, before either, the first time it used its token
(``accounts.authenticate``).  ``last_seen_at`` empty: enrolled and never synced.

A laptop has no village of its own.  Its villages are those of the households of the
sessions it logged: each session carries the id the laptop stamps on its work, and
``device_stamps`` names the enrolled laptop that first sent that id.  A village's last
sync is the newest of its laptops'.  A village is *stale* when that is more than seven
days before now, when none of its laptops ever synced, or when no laptop has sent work
for it at all.  Revoked laptops count for nothing (they will never sync again).  Laptops
that have logged no session yet belong to no village: they are counted apart.

Which villages each stamp worked for is read from the replica's sessions once, then only
from the sessions added since (by rowid: the replica only ever appends sessions, and
nothing vacuums it), as a scan of a district's 100,000 sessions joined to their
households takes most of a second.  A household moved to another village leaves its
laptop counted for both: it did work there.  The laptops page lists each laptop's
villages from the same scan (:func:`device_village_names`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnClause, func, literal_column, select

from villagehelper.ops.team import list_villages
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Device, DeviceStamp
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Household, Village

STALE_AFTER = timedelta(days=7)

_SESSIONS = HelpSession.__table__
_HOUSEHOLDS = Household.__table__


@dataclass(frozen=True)
class VillageSync:
    """One village: how many enrolled (not revoked) laptops logged work for it, and the
    last time one of them synced (None: never, or no laptop)."""

    village_id: str
    name: str
    laptops: int
    last_sync: datetime | None
    stale: bool


@dataclass(frozen=True)
class LaptopSync:
    """The commune's villages (village list order) and its laptops not tied to a village.

    ``unplaced_stale``: laptops that logged no session yet and have not synced for more
    than seven days or never did.  Counts, dates and village names only."""

    checked_at: datetime
    villages: tuple[VillageSync, ...]
    unplaced_laptops: int
    unplaced_stale: int

    @property
    def stale_villages(self) -> tuple[VillageSync, ...]:
        return tuple(village for village in self.villages if village.stale)


@dataclass
class _Scanned:
    store: Store
    last_rowid: int = 0
    villages_of: dict[str, set[str]] = field(default_factory=dict)  # stamp → village ids


_SCANNED: dict[Path, _Scanned] = {}
_SCANNING = threading.Lock()
_ROWID: ColumnClause[int] = literal_column("help_sessions.rowid")


def stamp_villages(store: Store) -> dict[str, frozenset[str]]:
    """The villages of the households each device stamp logged sessions for."""
    with _SCANNING, store.engine.connect() as connection, connection.begin():
        newest = connection.execute(select(func.max(_ROWID)).select_from(_SESSIONS)).scalar() or 0
        scanned = _SCANNED.get(store.path)
        if scanned is None or scanned.store is not store or newest < scanned.last_rowid:
            scanned = _SCANNED[store.path] = _Scanned(store)  # a new replica: from the start
        if newest > scanned.last_rowid:
            added = (
                select(_SESSIONS.c.device_id, _HOUSEHOLDS.c.village_id)
                .join(_HOUSEHOLDS, _HOUSEHOLDS.c.id == _SESSIONS.c.household_id)
                .where(
                    _ROWID.between(scanned.last_rowid + 1, newest),
                    _HOUSEHOLDS.c.village_id.is_not(None),
                )
                .distinct()
            )
            for stamp, village_id in connection.execute(added):
                scanned.villages_of.setdefault(stamp, set()).add(village_id)
            scanned.last_rowid = newest
        return {stamp: frozenset(ids) for stamp, ids in scanned.villages_of.items()}


def is_stale(last_sync: datetime | None, now: datetime) -> bool:
    return last_sync is None or now - last_sync > STALE_AFTER


def device_villages(db: ServerDB, store: Store, commune_code: str) -> dict[str, set[str]]:
    """The village ids each of the commune's laptops (revoked ones too) logged sessions
    for, by device id, from the commune's replica ``store`` (caught up by the caller).
    A laptop that logged none is missing."""
    with db.reading() as session:
        stamped = (
            select(DeviceStamp.stamp, DeviceStamp.device_id)
            .join(Device, Device.id == DeviceStamp.device_id)
            .where(Device.commune_code == commune_code)
        )
        stamps = {stamp: device_id for stamp, device_id in session.execute(stamped)}
    villages: dict[str, set[str]] = {}
    for stamp, village_ids in stamp_villages(store).items():
        device_id = stamps.get(stamp)
        if device_id is not None:  # a stamp of another commune's laptop, or unknown
            villages.setdefault(device_id, set()).update(village_ids)
    return villages


def device_village_names(
    db: ServerDB, store: Store, commune_code: str
) -> dict[str, tuple[str, ...]]:
    """The names of the villages each laptop logged sessions for, in the village list's
    order, by device id; a village made inactive since still counts (the work was done
    there).  The console's laptops page shows them."""
    villages = device_villages(db, store, commune_code)
    with store.reading() as session:
        named = session.execute(
            select(Village.id, Village.name)
            .where(Village.deleted.is_(False))
            .order_by(Village.name_key, Village.id)
        ).all()
    return {
        device_id: tuple(name for village_id, name in named if village_id in ids)
        for device_id, ids in villages.items()
    }


def laptop_sync(db: ServerDB, store: Store, commune_code: str, now: datetime) -> LaptopSync:
    """Each village's last sync, from the server's devices and the commune's replica
    ``store`` (caught up by the caller)."""
    with db.reading() as session:
        enrolled = select(Device.id, Device.last_seen_at).where(
            Device.commune_code == commune_code, Device.revoked_at.is_(None)
        )
        devices = {device_id: seen for device_id, seen in session.execute(enrolled)}
    laptops_of: dict[str, set[str]] = {}
    for device_id, village_ids in device_villages(db, store, commune_code).items():
        if device_id in devices:
            for village_id in village_ids:
                laptops_of.setdefault(village_id, set()).add(device_id)
    villages = []
    for village in list_villages(store):
        laptops = laptops_of.get(village.id, set())
        seen = [at for laptop in laptops if (at := devices[laptop]) is not None]
        last = max(seen) if seen else None
        villages.append(
            VillageSync(village.id, village.name, len(laptops), last, is_stale(last, now))
        )
    placed = set().union(*laptops_of.values()) if laptops_of else set()
    unplaced = [seen for device_id, seen in devices.items() if device_id not in placed]
    return LaptopSync(
        now,
        tuple(villages),
        len(unplaced),
        sum(1 for seen in unplaced if is_stale(seen, now)),
    )
