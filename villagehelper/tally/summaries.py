"""Summary tables behind the tally engine, and how to read them.

SQLite triggers (migration 0003) keep every table below exact in the transaction of each
write to ``help_sessions``, ``households`` or ``services``.  A session counts while it is
not voided; days are Vietnam dates ("YYYY-MM-DD"), instants the stored UTC text.

* ``tally_days``: sessions / done / follow-up / failed per day, service, village (of the
  session's current household) and volunteer.  Sums over days give a period's counts,
  the previous period's and the cumulative (lũy kế) without reading sessions.
* ``tally_last_seen``: for each household, and each person of a household, the last day
  they were helped, with each service and ("" service) with any.  ``tally_reach`` counts
  those rows per last day, kind (person / household), service and village, and
  ``tally_reach_totals`` over all days.  When no counted session lies after a period, a
  person was helped in the period exactly when their last day is in it, so the
  distinct counts of any period that reaches the present are a sum over ``tally_reach``
  (see :func:`reach_since`).
* ``tally_split_members``: members with counted sessions in more than one household.
  The reach counts a person per household, the report counts a member once; the engine
  reads sessions instead while this table is not empty (normally it always is).
* ``tally_follow_ups``: each counted follow-up with the instant the next counted session
  of its household and service closed it (:data:`NEVER` while open), so "open at the end
  of the period" is ``opened_at < end <= closed_at``.
* ``tally_first_done`` and ``tally_basic_people``: when a person of a household first
  succeeded with each service, and, for people who have every basic skill (services
  flagged ``basic_skill`` and active, read from the catalog as it is now), when the last
  of them was first done.

Writes must go through INSERT / UPDATE / DELETE: an ``INSERT OR REPLACE`` into
``help_sessions`` would delete the old row without firing its delete trigger (SQLite
fires those only with ``recursive_triggers`` on) and count the session twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    exists,
    false,
    func,
    literal,
    select,
    text,
    union_all,
)

from villagehelper.ops.session_filter import SessionFilter, summary_conditions
from villagehelper.store.models import HelpSession, Household, utc_text
from villagehelper.tally.tables import (
    TallyBasicPerson,
    TallyDay,
    TallyFollowUp,
    TallyMonth,
    TallyReach,
    TallyReachTotal,
    TallySplitMember,
)

NEVER = "9999-12-31T23:59:59.999999Z"
ALL_SERVICES = ""  # service_code of a tally_last_seen / tally_reach row over every service
PERSON = "person"
HOUSEHOLD = "household"

_DAYS = TallyDay.__table__
_MONTHS = TallyMonth.__table__
_REACH = TallyReach.__table__
_REACH_TOTALS = TallyReachTotal.__table__
_FOLLOW_UPS = TallyFollowUp.__table__
_BASIC = TallyBasicPerson.__table__
_SESSIONS = HelpSession.__table__
_HOUSEHOLDS = Household.__table__

SUMMARY_TABLES = (
    "tally_days",
    "tally_months",
    "tally_last_seen",
    "tally_reach",
    "tally_reach_totals",
    "tally_split_members",
    "tally_follow_ups",
    "tally_first_done",
    "tally_basic_people",
)

# The same expressions as the triggers' (migration 0003).  The counted sessions are read
# once into a narrow temporary table: help_sessions rows are wide (notes, sync columns),
# and every summary below would otherwise read all of them again.
_REFILL = [
    *(f"DELETE FROM {table}" for table in SUMMARY_TABLES),
    """CREATE TEMP TABLE tally_counted AS
        SELECT s.id, s.household_id,
            coalesce(s.member_id, 'household:' || s.household_id) AS person,
            s.service_code, s.volunteer_id, s.outcome, s.occurred_at,
            date(substr(s.occurred_at, 1, 19), '+7 hours') AS day,
            coalesce(h.village_id, '') AS village_id
        FROM help_sessions s LEFT JOIN households h ON h.id = s.household_id
        WHERE s.voided = 0""",
    """INSERT INTO tally_days (day, village_id, volunteer_id, service_code,
            sessions, done, follow_up, failed)
        SELECT day, village_id, volunteer_id, service_code, count(*), sum(outcome = 'done'),
            sum(outcome = 'follow_up'), sum(outcome = 'failed')
        FROM tally_counted GROUP BY 1, 2, 3, 4""",
    """INSERT INTO tally_months (month, village_id, volunteer_id, service_code,
            sessions, done, follow_up, failed)
        SELECT substr(day, 1, 7), village_id, volunteer_id, service_code,
            sum(sessions), sum(done), sum(follow_up), sum(failed)
        FROM tally_days GROUP BY 1, 2, 3, 4""",
    *(
        f"""INSERT INTO tally_last_seen (household_id, person, service_code, last_day)
            SELECT household_id, {person}, {service}, max(day)
            FROM tally_counted GROUP BY 1, 2, 3"""
        for person in ("''", "person")
        for service in ("''", "service_code")
    ),
    """INSERT INTO tally_reach (day, village_id, kind, service_code, reached)
        SELECT k.last_day, coalesce(h.village_id, ''),
            CASE WHEN k.person = '' THEN 'household' ELSE 'person' END, k.service_code,
            count(*)
        FROM tally_last_seen k LEFT JOIN households h ON h.id = k.household_id
        GROUP BY 1, 2, 3, 4""",
    """INSERT INTO tally_reach_totals (village_id, kind, service_code, reached)
        SELECT village_id, kind, service_code, sum(reached) FROM tally_reach
        GROUP BY 1, 2, 3""",
    """INSERT INTO tally_split_members (member_id)
        SELECT person FROM tally_last_seen
        WHERE service_code = '' AND person != '' AND substr(person, 1, 10) != 'household:'
        GROUP BY person HAVING count(*) > 1""",
    "CREATE INDEX temp.tally_counted_next ON tally_counted (household_id, service_code, "
    "occurred_at)",
    f"""INSERT INTO tally_follow_ups (household_id, service_code, opened_at, session_id,
            volunteer_id, closed_at)
        SELECT f.household_id, f.service_code, f.occurred_at, f.id, f.volunteer_id,
            coalesce((SELECT min(c.occurred_at) FROM tally_counted c
                      WHERE c.household_id = f.household_id
                          AND c.service_code = f.service_code
                          AND c.occurred_at > f.occurred_at), '{NEVER}')
        FROM tally_counted f WHERE f.outcome = 'follow_up'""",
    """INSERT INTO tally_first_done (household_id, person, service_code, first_at)
        SELECT household_id, person, service_code, min(occurred_at)
        FROM tally_counted WHERE outcome = 'done' GROUP BY 1, 2, 3""",
    """INSERT INTO tally_basic_people (household_id, person, completed_at)
        SELECT fd.household_id, fd.person, max(fd.first_at) FROM tally_first_done fd
        JOIN services sv ON sv.code = fd.service_code
        WHERE sv.basic_skill = 1 AND sv.active = 1
        GROUP BY fd.household_id, fd.person
        HAVING count(*) = (SELECT count(*) FROM services WHERE basic_skill = 1 AND active = 1)""",
    "DROP TABLE temp.tally_counted",
]


def tally_triggers(connection: Connection) -> list[str]:
    """Names of the triggers that keep the summaries."""
    return list(
        connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tally%'")
        ).scalars()
    )


def refill(connection: Connection) -> None:
    """Recompute every summary table from the sessions, households and catalog.

    For a database whose summary triggers are set aside: a first download refills at
    its end (:func:`resume`), and the tests compare what the triggers kept with a
    refill of a copy whose triggers they dropped.  With the triggers in place the
    inserts below would be counted a second time, so that is refused.  Migrations 0003
    and 0007 run their own frozen copy (``migrations/frozen/v0003_summaries.py``): a
    change here does not reach them, and one that changes what the summaries hold needs
    a new revision to recount them.
    """
    if tally_triggers(connection):
        raise RuntimeError("drop the tally triggers before refilling the summaries")
    for statement in _REFILL:
        connection.execute(text(statement))


# --- suspension during a first download -------------------------------------------------

_SUSPENDED = "tally_suspended_triggers"


def suspended(connection: Connection) -> bool:
    """Whether the summaries are suspended: then they are not kept, and the tally
    engine counts over the sessions instead."""
    return bool(connection.execute(text(f"SELECT EXISTS (SELECT 1 FROM {_SUSPENDED})")).scalar())


def suspend(connection: Connection) -> None:
    """Stop keeping the summaries, in the caller's transaction, until :func:`resume`.

    For a first download: the triggers cost a commune's worth of sessions some 80 µs
    each (most of the download's time), and one refill at the end costs a fraction of
    that.  The triggers' own SQL is kept in ``tally_suspended_triggers``, so the state
    survives a download cut half-way (and says itself that it is in force).
    """
    if suspended(connection):
        return
    triggers = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tally%' "
            "ORDER BY rowid"
        )
    ).all()
    for position, (name, sql) in enumerate(triggers):
        connection.execute(
            text(f"INSERT INTO {_SUSPENDED} (position, name, sql) VALUES (:p, :n, :s)"),
            {"p": position, "n": name, "s": sql},
        )
        connection.execute(text(f'DROP TRIGGER "{name}"'))


def resume(connection: Connection, *, refill_summaries: bool = True) -> None:
    """Refill the summaries from what is stored and keep them again (no-op unless
    suspended), in the caller's transaction.

    ``refill_summaries=False`` is for a caller that wrote exact summaries itself, with
    the rows they count (a commune snapshot copies them from the server's replica).
    """
    if not suspended(connection):
        return
    if refill_summaries:
        refill(connection)
    saved = connection.execute(text(f"SELECT sql FROM {_SUSPENDED} ORDER BY position")).scalars()
    for sql in list(saved):
        connection.exec_driver_sql(sql)
    connection.execute(text(f"DELETE FROM {_SUSPENDED}"))


# --- reading ---------------------------------------------------------------------------


def counted_after(connection: Connection, moment: datetime) -> bool:
    """Whether any counted (non-void) session is at or after ``moment``."""
    return bool(
        connection.execute(
            select(exists().where(_SESSIONS.c.occurred_at >= moment, _SESSIONS.c.voided == false()))
        ).scalar_one()
    )


def has_split_members(connection: Connection) -> bool:
    return bool(connection.execute(select(exists().select_from(TallySplitMember))).scalar_one())


def _day_text(day: date) -> str:
    return day.isoformat()


def _month_text(day: date) -> str:
    return day.isoformat()[:7]


def split_by_month(first: date, last: date) -> tuple[list[tuple[date, date]], list[date]]:
    """Days ``first`` to ``last`` as runs of days in partial months (at most two) and
    the first days of the whole months between them (consecutive)."""
    runs: list[tuple[date, date]] = []
    months: list[date] = []
    month_start = first.replace(day=1)
    while month_start <= last:
        following = (month_start + timedelta(days=32)).replace(day=1)
        run = (max(first, month_start), min(last, following - timedelta(days=1)))
        if run == (month_start, following - timedelta(days=1)):
            months.append(month_start)
        else:
            runs.append(run)
        month_start = following
    return runs, months


_Sums = dict[str, tuple[int, int, int, int]]

# Readers below answer for the filter's village (or the whole commune) under the key
# None, or, ``by_village``, for each village under its id: the summaries are additive
# over villages (a household is in one village), so one grouped read replaces one read
# per village.  Rows of no village (a household the replica lacks) are under "".


def _by_village(counted: SessionFilter, by_village: bool) -> bool:
    if by_village and counted.village_id is not None:
        raise ValueError("read by village: the filter names none")
    return by_village


def day_sums(
    connection: Connection, ranges: dict[str, SessionFilter], *, by_village: bool = False
) -> dict[str | None, dict[str, _Sums]]:
    """(sessions, done, follow-up, failed) per service over each named filter (its days
    both given), in one statement: whole months from ``tally_months``, the rest from
    ``tally_days``; the filter's village, volunteer and service as
    :func:`~villagehelper.ops.session_filter.summary_conditions` states them."""
    parts = []
    for name, counted in ranges.items():
        if counted.start is None or counted.end is None:
            raise ValueError("the summaries are read over days: give both ends")
        grouped = _by_village(counted, by_village)
        runs, months = split_by_month(counted.start, counted.end)
        pieces: list[tuple[FromClause, ColumnElement[bool]]] = [
            (_DAYS, _DAYS.c.day.between(_day_text(a), _day_text(b))) for a, b in runs
        ]
        if months:
            pieces.append(
                (_MONTHS, _MONTHS.c.month.between(_month_text(months[0]), _month_text(months[-1])))
            )
        for table, inside in pieces:
            parts.append(
                select(
                    literal(name).label("part"),
                    (table.c.village_id if grouped else literal("")).label("village"),
                    table.c.service_code,
                    table.c.sessions,
                    table.c.done,
                    table.c.follow_up,
                    table.c.failed,
                ).where(inside, *summary_conditions(counted, table))
            )
    sums: dict[str | None, dict[str, _Sums]] = {}
    if not parts:
        return {None: {name: {} for name in ranges}} if not by_village else {}
    rows = union_all(*parts).subquery()
    query = select(
        rows.c.village,
        rows.c.part,
        rows.c.service_code,
        func.sum(rows.c.sessions),
        func.sum(rows.c.done),
        func.sum(rows.c.follow_up),
        func.sum(rows.c.failed),
    ).group_by(rows.c.village, rows.c.part, rows.c.service_code)
    if not by_village:
        sums[None] = {name: {} for name in ranges}
    for village, part, code, sessions, done, follow_up, failed in connection.execute(query):
        if sessions:
            key = village if by_village else None
            of_village = sums.setdefault(key, {name: {} for name in ranges})
            of_village[part][code] = (int(sessions), int(done), int(follow_up), int(failed))
    return sums


def reach_since(
    connection: Connection, counted: SessionFilter, *, by_village: bool = False
) -> dict[str | None, dict[tuple[str, str], int]]:
    """(kind, service code or :data:`ALL_SERVICES`) → people / households whose last
    counted session is on the filter's first day or later, in its village (a filter
    with a volunteer is refused: the reach does not know who helped).  Equal to those
    helped from that day on only while no counted session lies after the period (the
    caller checks).

    Reads whichever side of ``first`` has fewer days: the days from ``first`` on, or
    the totals minus the days before it (a year to date starts near the data's start).
    """
    grouped = _by_village(counted, by_village)
    earliest, latest = connection.execute(
        select(func.min(_REACH.c.day), func.max(_REACH.c.day))
    ).one()
    if counted.start is None:
        raise ValueError("the reach is read from a first day: give it")
    if earliest is None:
        return {} if grouped else {None: {}}
    first = counted.start
    first_day = _day_text(first)
    spans = date.fromisoformat(latest) - first, first - date.fromisoformat(earliest)
    if spans[0] <= spans[1]:
        return _reach_sums(connection, _REACH.c.day >= first_day, counted, grouped)
    before = _reach_sums(connection, _REACH.c.day < first_day, counted, grouped)
    totals = _reach_sums(connection, None, counted, grouped)
    since: dict[str | None, dict[tuple[str, str], int]] = {} if grouped else {None: {}}
    for village, reached in totals.items():
        earlier = before.get(village, {})
        left = {key: total - earlier.get(key, 0) for key, total in reached.items()}
        since[village] = {key: count for key, count in left.items() if count}
    return since


def _reach_sums(
    connection: Connection,
    days: ColumnElement[bool] | None,
    counted: SessionFilter,
    by_village: bool,
) -> dict[str | None, dict[tuple[str, str], int]]:
    """Reach per (kind, service) over ``days`` of tally_reach, or over all days (from
    tally_reach_totals) when ``days`` is None."""
    table = _REACH if days is not None else _REACH_TOTALS
    conditions = [] if days is None else [days]
    # The reach counts every service as well as each: the service is its rows.
    conditions += summary_conditions(replace(counted, service_code=None), table)
    village = table.c.village_id if by_village else literal("")
    query = (
        select(village, table.c.kind, table.c.service_code, func.sum(table.c.reached))
        .where(*conditions)
        .group_by(village, table.c.kind, table.c.service_code)
    )
    reach: dict[str | None, dict[tuple[str, str], int]] = {} if by_village else {None: {}}
    for village_id, kind, code, total in connection.execute(query):
        if total:
            reach.setdefault(village_id if by_village else None, {})[(kind, code)] = int(total)
    return reach


def open_follow_ups(
    connection: Connection, end: datetime, counted: SessionFilter, *, by_village: bool = False
) -> dict[str | None, dict[str, int]]:
    """Follow-ups among ``counted`` (its days aside) opened before ``end`` and not
    closed before it, per service."""
    grouped = _by_village(counted, by_village)
    end_text = utc_text(end)
    conditions = [_FOLLOW_UPS.c.closed_at >= end_text, _FOLLOW_UPS.c.opened_at < end_text]
    conditions += summary_conditions(counted, _FOLLOW_UPS)
    follow_ups: FromClause = _FOLLOW_UPS
    village: ColumnElement[str] = literal("")
    if grouped:
        # tally_follow_ups names the household, whose village may change: joined now.
        follow_ups = _FOLLOW_UPS.outerjoin(
            _HOUSEHOLDS, _HOUSEHOLDS.c.id == _FOLLOW_UPS.c.household_id
        )
        village = func.coalesce(_HOUSEHOLDS.c.village_id, "")
    query = (
        select(village, _FOLLOW_UPS.c.service_code, func.count())
        .select_from(follow_ups)
        .where(*conditions)
        .group_by(village, _FOLLOW_UPS.c.service_code)
    )
    opened: dict[str | None, dict[str, int]] = {} if grouped else {None: {}}
    for village_id, code, count in connection.execute(query):
        opened.setdefault(village_id if grouped else None, {})[code] = int(count)
    return opened


def households_with_basic_skills(
    connection: Connection, end: datetime, live: list[ColumnElement[bool]], *, by_village: bool
) -> dict[str | None, int]:
    """Households meeting ``live`` (conditions on ``households``) where one person had
    every basic skill before ``end``, in all (key None) or ``by_village``."""
    village = func.coalesce(_HOUSEHOLDS.c.village_id, "") if by_village else literal("")
    query = (
        select(village, func.count(func.distinct(_BASIC.c.household_id)))
        .select_from(_BASIC.join(_HOUSEHOLDS, _HOUSEHOLDS.c.id == _BASIC.c.household_id))
        .where(_BASIC.c.completed_at < utc_text(end), *live)
        .group_by(village)
    )
    covered: dict[str | None, int] = {} if by_village else {None: 0}
    for village_id, count in connection.execute(query):
        covered[village_id if by_village else None] = int(count)
    return covered
