"""What campaign tests share: the matcher's own result types (``campaigns.matching``,
``campaigns.target_rows``) made by hand, so the store's side is tested on its own with the
shapes it really receives, and a campaign with a list on a real store."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

from villagehelper.campaigns import store_ops
from villagehelper.campaigns.matching import Candidate, MatchKind, TargetMatch
from villagehelper.campaigns.people import KnownPerson
from villagehelper.campaigns.progress import CampaignProgress
from villagehelper.campaigns.store_ops import ImportSummary
from villagehelper.campaigns.target_rows import TargetRow
from villagehelper.store.engine import Store
from villagehelper.store.models import Village


def target_row(
    line: int,
    full_name: str,
    birth_year: int | None,
    village_name: str,
    *,
    phone: str | None = None,
    id_last_digits: str | None = None,
) -> TargetRow:
    """A list's row as the reader makes it (no phone nor ID digits unless given)."""
    return TargetRow(line, full_name, birth_year, village_name, phone, id_last_digits)


def linked(row: TargetRow, person: KnownPerson) -> TargetMatch:
    return TargetMatch(row, MatchKind.LINKED, (Candidate(person, 0.99, ()),))


def unmatched(row: TargetRow) -> TargetMatch:
    return TargetMatch(row, MatchKind.UNMATCHED, ())


def doubtful(row: TargetRow, *people: KnownPerson) -> TargetMatch:
    """A row the matcher was not sure of, with the people it offers (maybe none)."""
    return TargetMatch(row, MatchKind.DOUBTFUL, tuple(Candidate(p, 0.6, ()) for p in people))


def person_of(store: Store, member_id: str) -> KnownPerson:
    from villagehelper.store.models import Household, Member

    with store.reading() as session:
        member = session.get(Member, member_id)
        assert member is not None
        household = session.get(Household, member.household_id)
        assert household is not None
        return KnownPerson(
            member.id,
            household.id,
            household.village_id,
            member.full_name,
            member.birth_year,
            member.phone,
        )


def village_names(store: Store) -> dict[str, str]:
    """The store's villages, id → name, as ``add_targets`` takes them."""
    from sqlalchemy import select

    with store.reading() as session:
        return {v.id: v.name for v in session.scalars(select(Village))}


def new_campaign(
    store: Store,
    leader_id: str,
    services: tuple[str, ...] = ("CASHLESS_WELFARE",),
    deadline: date = date(2026, 11, 30),
    name: str = "Nhận lương hưu không dùng tiền mặt",
) -> str:
    with store.transaction() as session:
        return store_ops.create_campaign(
            session, name=name, service_codes=services, deadline=deadline, created_by=leader_id
        ).row_id


def store_list(store: Store, campaign_id: str, matches: list[TargetMatch]) -> ImportSummary:
    with store.transaction() as session:
        return store_ops.add_targets(session, campaign_id, matches, village_names(store))


def recount(
    database: Path, campaign_id: str, services: tuple[str, ...], window: tuple[str, str]
) -> dict[str | None, Counter[str]]:
    """Per village (of the person's household today, else the row's), how many targets
    stand at each status, recounted with plain SQL over the file's help sessions: of the
    linked person, of a campaign service, with no void row, inside ``window`` (UTC text,
    written out by the test); done if any was done, else the latest one's outcome."""
    marks = ", ".join("?" for _ in services)
    with sqlite3.connect(database) as db:
        targets = db.execute(
            "SELECT t.member_id, coalesce(h.village_id, t.village_id) FROM campaign_targets t "
            "LEFT JOIN members m ON m.id = t.member_id "
            "LEFT JOIN households h ON h.id = m.household_id "
            "WHERE t.campaign_id = ? AND t.deleted = 0",
            (campaign_id,),
        ).fetchall()
        counted = db.execute(
            "SELECT member_id, outcome FROM help_sessions "
            f"WHERE service_code IN ({marks}) AND occurred_at >= ? AND occurred_at < ? "
            "AND id NOT IN (SELECT session_id FROM session_voids) "
            "ORDER BY occurred_at, id",
            (*services, *window),
        ).fetchall()
    outcomes: dict[str, list[str]] = {}
    for member_id, outcome in counted:
        outcomes.setdefault(member_id, []).append(outcome)
    result: dict[str | None, Counter[str]] = {}
    for member_id, village_id in targets:
        seen = outcomes.get(member_id, []) if member_id else []
        status = "done" if "done" in seen else (seen[-1] if seen else "not_yet")
        result.setdefault(village_id, Counter())[status] += 1
    return result


def counted(progress: CampaignProgress) -> dict[str | None, Counter[str]]:
    """A progress's counts in the shape of :func:`recount` (zero counts left out)."""
    return {
        row.village_id: +Counter(
            done=row.done, follow_up=row.follow_up, failed=row.failed, not_yet=row.not_yet
        )
        for row in progress.by_village
    }


def household_of(store: Store, village_id: str, *names: str) -> tuple[str, dict[str, str]]:
    """A household headed by ``names[0]`` with everyone named as a member (born 1950):
    its id and its members' ids by name."""
    from villagehelper.ops import households
    from villagehelper.ops.inputs import HouseholdInput, MemberInput

    saved = households.create_household(
        store, HouseholdInput(village_id, names[0]), [MemberInput(name, 1950) for name in names]
    )
    members = households.get_household(store, saved.id).members
    return saved.id, {member.full_name: member.id for member in members}
