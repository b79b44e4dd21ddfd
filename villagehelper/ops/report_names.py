"""The names a printed report carries: the commune, the village, the volunteer it is
about, who prepared it and the leader who signs it (team members, never residents).
The weekly report and a campaign's "who is left" list both sign this way."""

from __future__ import annotations

from dataclasses import dataclass

from villagehelper.ops.team import TeamMemberInfo, list_team_members, list_villages
from villagehelper.store.engine import Store
from villagehelper.text import name_sort_key


@dataclass(frozen=True)
class ReportNames:
    """Who and where the report is about and who signs it (team members, never
    residents)."""

    commune_name: str
    village_name: str | None
    volunteer_name: str | None
    prepared_by: str
    leader_name: str


def report_names(
    store: Store,
    *,
    village_id: str | None = None,
    volunteer_id: str | None = None,
    prepared_by_id: str | None = None,
) -> ReportNames:
    """Names for the report's header and signatures.

    The report is prepared by ``prepared_by_id`` (who is logging on this laptop), else by
    the member the tally is filtered to, else left blank to be written by hand.  The
    leader who signs is the leader of the report's village when it has one, else the
    person preparing it if a leader, else the first leader in name order.
    """
    commune = store.commune()
    villages = {village.id: village.name for village in list_villages(store)}
    team = list_team_members(store)
    names = {member.id: member.full_name for member in team}
    preparer = prepared_by_id if prepared_by_id in names else volunteer_id
    return ReportNames(
        commune_name=commune.name if commune is not None else "",
        village_name=villages.get(village_id) if village_id is not None else None,
        volunteer_name=names.get(volunteer_id) if volunteer_id is not None else None,
        prepared_by=names.get(preparer, "") if preparer is not None else "",
        leader_name=_leader(team, village_id, preparer),
    )


def _leader(team: list[TeamMemberInfo], village_id: str | None, preparer: str | None) -> str:
    leaders = [member for member in team if member.is_leader]
    if not leaders:
        return ""
    best = min(
        leaders,
        key=lambda member: (
            village_id is not None and member.village_id != village_id,
            member.id != preparer,
            name_sort_key(member.full_name),
        ),
    )
    return best.full_name
