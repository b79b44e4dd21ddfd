"""The retention rule: a household's personal details are kept for a set number of
months after the last contact with it, then purged the way an erasure does it (so the
purge syncs, and the sessions still count).

The last contact is the household's last help session or the last change to it or one
of its people, as this laptop knows it (``updated_at``: the last edit here or the last
copy that arrived from the server).  That errs on the side of keeping: a laptop that
has just downloaded the commune purges nothing for a while, and the long-serving laptop
of the leader purges for everyone.  Only a leader's laptop (or one not enrolled) purges:
the server takes an erasure from a leader's laptop only.

The rows of the campaigns' lists go with their people; a row linked to nobody goes by
its own last contact, its campaign's end (``villagehelper.ops.list_retention``).

A purge cannot be undone and syncs to every laptop, and a clock set years ahead makes
every household look expired.  So it is two steps: :func:`plan_purge` lists what would
go (households, people, villages, last contact; list rows by campaign) with the verdict on the clock
(``villagehelper.ops.trusted_time``); a leader reads it and :func:`carry_out_purge` erases
those households and rows only, never on a clock found wrong, and only those still expired.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select

from villagehelper.ops.erasure import erase_rows
from villagehelper.ops.list_retention import (
    ExpiredListRow,
    erase_expired_list_rows,
    expired_list_rows,
)
from villagehelper.ops.trusted_time import (
    ClockVerdict,
    UntrustedClockError,
    judge_clock,
    refuse_on_wrong_clock,
)
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.store.erasure import flush_erased
from villagehelper.store.models import HelpSession, Household, Member, Setting, Village

__all__ = [
    "ExpiredHousehold",
    "PurgePlan",
    "Purged",
    "carry_out_purge",
    "clock_refusal",
    "months_before",
    "plan_purge",
]

PURGE_SLICE = 200  # households per transaction: the app's other work waits no longer
LIST_ROWS_SLICE = 500  # list rows per transaction (one row each, no people or sessions)


@dataclass(frozen=True)
class Purged:
    households: int
    people: int
    list_rows: int = 0  # campaigns' list rows linked to nobody
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


@dataclass(frozen=True)
class ExpiredHousehold:
    """A household the rule would purge, as the leader is shown it."""

    id: str
    head_name: str
    village_name: str
    people: int
    last_contact: datetime


@dataclass(frozen=True)
class PurgePlan:
    """What a purge at ``now`` would erase, and whether the clock may be followed."""

    months: int
    now: datetime
    cutoff: datetime
    households: tuple[ExpiredHousehold, ...]
    clock: ClockVerdict
    skipped_not_leader: bool = False
    # Enrolled with a commune server: then the server, not the leader's eyes, vouches
    # for the clock (a sync within the last days), and the purge reaches every laptop.
    syncs: bool = False
    # Campaigns' list rows linked to nobody, of campaigns over before the cutoff.
    list_rows: tuple[ExpiredListRow, ...] = ()

    @property
    def due(self) -> bool:
        """Whether there is anything to purge."""
        return bool(self.households or self.list_rows)

    def refusal(self) -> UntrustedClockError | None:
        """Why this purge may not be carried out on this clock, or None."""
        return clock_refusal(self.clock, syncs=self.syncs)

    @property
    def people(self) -> int:
        return sum(household.people for household in self.households)

    def by_village(self) -> list[tuple[str, int]]:
        """(village, households) in the order of the village names."""
        counts = Counter(household.village_name for household in self.households)
        return sorted(counts.items())

    def list_rows_by_campaign(self) -> list[tuple[str, date, int]]:
        """(campaign, deadline, rows), oldest deadline first: two campaigns of one name
        stay apart by their deadlines."""
        counts = Counter((row.campaign_name, row.deadline) for row in self.list_rows)
        return [(name, deadline, rows) for (name, deadline), rows in counts.items()]


def _expired_households(store: Store, cutoff: datetime) -> list[ExpiredHousehold]:
    """Households not yet erased whose last contact is before ``cutoff``."""
    last_session = (
        select(HelpSession.household_id, func.max(HelpSession.occurred_at).label("at"))
        .group_by(HelpSession.household_id)
        .subquery()
    )
    last_edit = (
        select(
            Member.household_id,
            func.max(Member.updated_at).label("at"),
            func.count().label("people"),
        )
        .group_by(Member.household_id)
        .subquery()
    )
    query = (
        select(
            Household.id,
            Household.head_name,
            Village.name,
            last_edit.c.people,
            Household.updated_at,
            last_session.c.at,
            last_edit.c.at,
        )
        .join(Village, Village.id == Household.village_id)
        .outerjoin(last_session, last_session.c.household_id == Household.id)
        .outerjoin(last_edit, last_edit.c.household_id == Household.id)
        .where(
            Household.erased_at.is_(None),
            Household.updated_at < cutoff,
            or_(last_session.c.at.is_(None), last_session.c.at < cutoff),
            or_(last_edit.c.at.is_(None), last_edit.c.at < cutoff),
        )
        .order_by(Village.name, Household.head_sort_key, Household.id)
    )
    with store.reading() as session:
        rows = session.execute(query).all()
    return [
        ExpiredHousehold(
            household_id,
            head,
            village,
            people or 0,
            # The text columns of the subqueries come back as stored ("…Z").
            max(_as_time(moment) for moment in (edited, session_at, member_at) if moment),
        )
        for household_id, head, village, people, edited, session_at, member_at in rows
    ]


def _as_time(value: datetime | str) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def plan_purge(store: Store, months: int, now: datetime | None = None) -> PurgePlan:
    """What the rule would erase at ``now`` (default: the store's clock), nothing erased.

    On a clock found wrong the list is still made (the leader may want to see it) but
    :func:`carry_out_purge` will refuse it."""
    moment = now if now is not None else store.now()
    clock = judge_clock(store, moment)
    cutoff = months_before(moment, months)
    with store.reading() as session:
        role = session.get(Setting, "sync_role")
    if role is not None and role.value != "leader":
        return PurgePlan(months, moment, cutoff, (), clock, skipped_not_leader=True)
    expired = tuple(_expired_households(store, cutoff))
    with store.reading() as session:
        rows = tuple(expired_list_rows(session, cutoff))
    return PurgePlan(months, moment, cutoff, expired, clock, syncs=role is not None, list_rows=rows)


_ACTION_VI = "xóa thông tin cá nhân theo thời hạn lưu"
_ACTION_EN = "purge personal data by the retention rule"


def clock_refusal(verdict: ClockVerdict, *, syncs: bool) -> UntrustedClockError | None:
    """A wrong clock never purges; on a laptop that syncs, neither does one the server
    has not confirmed lately (the clock may have jumped since the last sync)."""
    try:
        refuse_on_wrong_clock(verdict, _ACTION_VI, _ACTION_EN)
    except UntrustedClockError as refused:
        return refused
    if syncs and not verdict.trusted:
        return UntrustedClockError(
            f"Chưa thể {_ACTION_VI}: máy này đồng bộ với máy chủ xã nhưng đồng hồ của máy chưa "
            "được máy chủ xác nhận trong 7 ngày qua. Hãy đồng bộ trước, rồi làm lại.",
            f"Cannot {_ACTION_EN}: this laptop syncs with the commune server, but the server "
            "has not confirmed its clock in the last 7 days. Sync first, then try again.",
        )
    return None


def carry_out_purge(store: Store, plan: PurgePlan) -> Purged:
    """Erase the households and list rows of ``plan`` (which a leader has read and
    confirmed) that the rule still finds expired now: a household helped, or a row
    changed, since the list was made stays.

    Refused (:class:`~villagehelper.ops.trusted_time.UntrustedClockError`) when the clock
    is wrong, or not confirmed lately on a laptop that syncs (:func:`clock_refusal`),
    judged again now: the list may have been read before a sync told."""
    if plan.skipped_not_leader:
        return Purged(0, 0, skipped_not_leader=True)
    refused = clock_refusal(judge_clock(store, max(plan.now, store.now())), syncs=plan.syncs)
    if refused is not None:
        raise refused
    listed = {household.id for household in plan.households}
    expired = [h.id for h in _expired_households(store, plan.cutoff) if h.id in listed]
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
    rows = _purge_list_rows(store, plan, changes)
    if expired or rows:
        flush_erased(store.engine)
    return Purged(len(expired), people, rows, changes=changes)


def _purge_list_rows(store: Store, plan: PurgePlan, changes: Changes) -> int:
    listed = {row.id for row in plan.list_rows}
    if not listed:
        return 0
    with store.reading() as session:
        due = [row.id for row in expired_list_rows(session, plan.cutoff) if row.id in listed]
    erased = 0
    for start in range(0, len(due), LIST_ROWS_SLICE):
        with store.transaction() as session:
            erased += erase_expired_list_rows(
                session, due[start : start + LIST_ROWS_SLICE], changes
            )
    return erased
