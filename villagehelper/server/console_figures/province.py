"""A province's communes on this server: their totals for a period and which have
villages with stale laptops (issue 18, item 6).  Counts only.

The communes are those the server holds (``communes``) whose code the 2025
administrative list (:mod:`villagehelper.geography`) places in the province; each is
counted by the laptops' engine on its own replica, as :mod:`.overview` counts, so a
commune's line here is the total its own overview shows.  The communes' people and households
are disjoint, so the province's totals are the sums of its communes'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select

from villagehelper import geography
from villagehelper.errors import UserError
from villagehelper.server.console_figures.laptops import laptop_sync
from villagehelper.server.database import ServerDB
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.server.tables import ServerCommune
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import Period
from villagehelper.tally.results import BasicSkills, Counts


@dataclass(frozen=True)
class CommuneLine:
    """One commune of the province: its period totals, its basic-skills indicator and
    how many of its villages have stale laptops (and how many villages it has)."""

    code: str
    name: str
    totals: Counts
    basic_skills: BasicSkills
    villages: int
    stale_villages: int
    unplaced_stale_laptops: int

    @property
    def stale(self) -> bool:
        return self.stale_villages > 0 or self.unplaced_stale_laptops > 0


@dataclass(frozen=True)
class ProvinceFigures:
    """The province's communes on this server (by code) and their summed totals."""

    province_code: str
    province_name: str
    period: Period
    communes: tuple[CommuneLine, ...]

    @property
    def totals(self) -> Counts:
        return sum_counts(line.totals for line in self.communes)

    @property
    def stale_communes(self) -> tuple[CommuneLine, ...]:
        return tuple(line for line in self.communes if line.stale)


def sum_counts(counts: Iterable[Counts]) -> Counts:
    """Field by field; right for communes, whose people and households never overlap."""
    items = list(counts)
    names = [field.name for field in fields(Counts)]
    return Counts(**{name: sum(getattr(item, name) for item in items) for name in names})


def province_name(province_code: str) -> str:
    for commune in geography.all_communes():
        if commune.province_code == province_code:
            return commune.province_name
    raise UserError(
        f"Không có tỉnh mã {province_code!r} trong danh mục 2025 (mã tỉnh gồm 2 chữ số).",
        f"No province with code {province_code!r} in the 2025 list (2 digits).",
    )


def province_communes(db: ServerDB, province_code: str) -> list[tuple[str, str]]:
    """(code, name) of the communes on this server in the province, by code."""
    with db.reading() as session:
        held = [
            (code, name)
            for code, name in session.execute(select(ServerCommune.code, ServerCommune.name))
        ]
    return sorted(
        (code, name)
        for code, name in held
        if (official := geography.commune_by_code(code)) is not None
        and official.province_code == province_code
    )


def province_figures(
    replicas: CommuneReplicas,
    db: ServerDB,
    province_code: str,
    period: Period,
    now: datetime | None = None,
) -> ProvinceFigures:
    """Each commune of ``province_code`` on this server with its totals for ``period``
    and its stale villages at ``now`` (the server's clock when not given)."""
    name = province_name(province_code)
    moment = now or db.clock()
    lines = []
    for code, commune_name in province_communes(db, province_code):
        store = replicas.caught_up(code)
        tally = compute_tally(store, period)  # the commune's totals only: no village rows
        laptops = laptop_sync(db, store, code, moment)
        lines.append(
            CommuneLine(
                code,
                commune_name,
                tally.totals,
                tally.basic_skills,
                len(laptops.villages),
                len(laptops.stale_villages),
                laptops.unplaced_stale,
            )
        )
    return ProvinceFigures(province_code, name, period, tuple(lines))
