"""The import's work on the database worker, never on the GUI thread: read a list file
and match it against the commune's people; store it and gather its doubtful rows, each
with what a volunteer needs to tell the candidates apart (the household head's name, the
village's name).  Qt-free, so the dialog only shows what these return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from villagehelper.campaigns import store_ops
from villagehelper.campaigns.matching import Candidate, TargetMatch, match_targets
from villagehelper.campaigns.people import known_people
from villagehelper.campaigns.target_rows import TargetRow, read_target_list
from villagehelper.errors import UserError
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.store.kinds import TargetState
from villagehelper.store.models import CampaignTarget, Commune, Household, Village


@dataclass(frozen=True)
class MatchedList:
    """A list read and matched, not stored yet."""

    file_name: str
    matches: tuple[TargetMatch, ...]
    villages: dict[str, str]  # village id → name, as the matcher and add_targets take

    def count(self, kind: str) -> int:
        return sum(1 for match in self.matches if match.kind == kind)


@dataclass(frozen=True)
class ShownCandidate:
    """A candidate as the confirmation shows it, side by side with the others."""

    member_id: str
    full_name: str
    birth_year: int | None
    village_name: str
    head_name: str
    phone: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DoubtfulRow:
    target_id: str
    row: TargetRow
    candidates: tuple[ShownCandidate, ...]  # best first, at most 3


@dataclass(frozen=True)
class StoredList:
    summary: store_ops.ImportSummary
    doubtful: tuple[DoubtfulRow, ...]
    changes: Changes = field(compare=False, repr=False)


def read_and_match(store: Store, path: Path) -> MatchedList:
    """Read ``path`` (a :class:`~villagehelper.campaigns.target_rows.TargetListError`
    names each row and column to fix) and match it against the commune's people."""
    rows = read_target_list(path)
    with store.reading() as session:
        commune = session.scalars(select(Commune)).first()
        if commune is None:
            raise UserError(
                "Máy này chưa được gắn với xã nào: hãy hoàn tất phần thiết lập trước.",
                "This laptop belongs to no commune yet: finish the first-run setup.",
            )
        people = known_people(session, commune.code)
        villages = {
            village.id: village.name
            for village in session.scalars(
                select(Village).where(
                    Village.commune_code == commune.code, Village.deleted.is_(False)
                )
            )
        }
    matches = match_targets(rows, people, villages)
    return MatchedList(path.name, tuple(matches), villages)


def store_matched(store: Store, campaign_id: str, matched: MatchedList) -> StoredList:
    """Store the list in one transaction; then the rows stored as doubtful, in the
    list's order, ready to be shown."""
    with store.transaction() as session:
        summary = store_ops.add_targets(session, campaign_id, matched.matches, matched.villages)
    pairs = dict(zip(summary.target_ids, matched.matches, strict=True))
    with store.reading() as session:
        doubtful_ids = set(
            session.scalars(
                select(CampaignTarget.id).where(
                    CampaignTarget.id.in_(summary.target_ids),
                    CampaignTarget.match_state == TargetState.DOUBTFUL,
                )
            )
        )
        wanted = [target_id for target_id in summary.target_ids if target_id in doubtful_ids]
        households = {
            candidate.person.household_id
            for target_id in wanted
            for candidate in pairs[target_id].candidates
        }
        # dict() would take a Result for a mapping (it has keys()): pairs one by one.
        heads = {
            household_id: head_name
            for household_id, head_name in session.execute(
                select(Household.id, Household.head_name).where(Household.id.in_(households))
            )
        }
    doubtful = tuple(
        DoubtfulRow(
            target_id,
            pairs[target_id].row,
            _shown(pairs[target_id].candidates, heads, matched.villages),
        )
        for target_id in wanted
    )
    return StoredList(summary, doubtful, summary.changes)


def _shown(
    candidates: Sequence[Candidate], heads: dict[str, str], villages: dict[str, str]
) -> tuple[ShownCandidate, ...]:
    return tuple(
        ShownCandidate(
            candidate.person.member_id,
            candidate.person.full_name,
            candidate.person.birth_year,
            villages.get(candidate.person.village_id, ""),
            heads.get(candidate.person.household_id, ""),
            candidate.person.phone,
            candidate.reasons,
        )
        for candidate in candidates[:3]
    )
