"""The retention rule: a household's personal details are kept for a set number of
months after the last contact with it, then purged the way an erasure does it (so the
purge syncs, and the sessions still count).

The last contact is the household's last help session or the last change to it or one
of its people, as this laptop knows it (``updated_at``: the last edit here or the last
copy that arrived from the server).  That errs on the side of keeping: a laptop that
has just downloaded the commune purges nothing for a while, and the long-serving laptop
of the leader purges for everyone.  Only a leader's laptop (or one not enrolled) purges:
the server takes an erasure from a leader's laptop only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, or_, select

from villagehelper.ops.erasure import erase_rows
from villagehelper.preferences import DEFAULT_RETENTION_MONTHS as DEFAULT_MONTHS
from villagehelper.preferences import LONGEST_RETENTION_MONTHS as LONGEST_MONTHS
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.store.erasure import flush_erased
from villagehelper.store.models import HelpSession, Household, Member, Setting

__all__ = ["DEFAULT_MONTHS", "LONGEST_MONTHS", "Purged", "months_before", "purge_expired"]

PURGE_SLICE = 200  # households per transaction: the app's other work waits no longer


@dataclass(frozen=True)
class Purged:
    households: int
    people: int
    skipped_not_leader: bool = False
    changes: Changes = field(default_factory=Changes, compare=False)


def months_before(moment: datetime, months: int) -> datetime:
    """The same instant ``months`` calendar months earlier (the day clamped to the
    month's length: 31 March minus one month is 28 or 29 February)."""
    moment = moment.astimezone(UTC)
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    next_month = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    last_day = (next_month - datetime(year, month, 1, tzinfo=UTC)).days
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _expired_household_ids(store: Store, cutoff: datetime) -> list[str]:
    """Households not yet erased whose last contact is before ``cutoff``."""
    last_session = (
        select(HelpSession.household_id, func.max(HelpSession.occurred_at).label("at"))
        .group_by(HelpSession.household_id)
        .subquery()
    )
    last_edit = (
        select(Member.household_id, func.max(Member.updated_at).label("at"))
        .group_by(Member.household_id)
        .subquery()
    )
    query = (
        select(Household.id)
        .outerjoin(last_session, last_session.c.household_id == Household.id)
        .outerjoin(last_edit, last_edit.c.household_id == Household.id)
        .where(
            Household.erased_at.is_(None),
            Household.updated_at < cutoff,
            or_(last_session.c.at.is_(None), last_session.c.at < cutoff),
            or_(last_edit.c.at.is_(None), last_edit.c.at < cutoff),
        )
        .order_by(Household.id)
    )
    with store.reading() as session:
        return list(session.scalars(query))


def purge_expired(store: Store, months: int, now: datetime) -> Purged:
    """Erase every household whose last contact is more than ``months`` months before
    ``now``, with its people; the sessions stay as counts."""
    with store.reading() as session:
        role = session.get(Setting, "sync_role")
    if role is not None and role.value != "leader":
        return Purged(0, 0, skipped_not_leader=True)
    cutoff = months_before(now, months)
    expired = _expired_household_ids(store, cutoff)
    changes = Changes()
    people = 0
    for start in range(0, len(expired), PURGE_SLICE):
        with store.transaction() as session:
            households = session.scalars(
                select(Household).where(Household.id.in_(expired[start : start + PURGE_SLICE]))
            ).all()
            for household in households:
                members = session.scalars(
                    select(Member).where(Member.household_id == household.id)
                ).all()
                erase_rows(session, household, members, None, changes)
                people += len(members)
    if expired:
        flush_erased(store.engine)
    return Purged(len(expired), people, changes=changes)
