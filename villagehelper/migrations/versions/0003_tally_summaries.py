"""Tally summaries: tables the weekly report reads instead of a million sessions.

The tables are described in :mod:`villagehelper.tally.summaries`.  They are kept by
SQLite triggers, not by Python code, because sessions reach ``help_sessions`` along
several paths (the forms' ORM writes, the demo's bulk ``executemany``, imports, sync's
remote apply and its merge replay, which re-points ``household_id`` in bulk): a trigger
sees every one of them, in the same transaction, so a summary can never lag behind.

Each change of a counted session is applied as "take the old row out, put the new row
in"; a row counts while it is not voided.  Taking a row out of a "first / last" summary
looks the remaining sessions up through ``ix_sessions_household``, which every
household's sessions share, so it stays a handful of index reads.

The trigger text is written out here, not imported, so that this revision always
creates what it created the day it shipped; a later change of a trigger is a new
revision.  The initial fill is frozen alike, in ``frozen.v0003_summaries``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from villagehelper.migrations.frozen import v0003_summaries

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NEVER = "'9999-12-31T23:59:59.999999Z'"  # closed_at of a follow-up nobody closed yet
_COUNTED_COLUMNS = (
    "voided",
    "household_id",
    "member_id",
    "service_code",
    "outcome",
    "volunteer_id",
    "occurred_at",
)


def _day(row: str) -> str:
    # The Vietnam date (UTC+7, no DST since 1975).  Fractional seconds are cut first:
    # SQLite rounds them to the millisecond, which would put 16:59:59.9999Z (23:59:59
    # in Vietnam) on the next day.
    return f"date(substr({row}.occurred_at, 1, 19), '+7 hours')"


def _person(row: str) -> str:
    return f"coalesce({row}.member_id, 'household:' || {row}.household_id)"


def _village(household_id: str) -> str:
    # '' only for a session without its household, which foreign keys forbid; a
    # trigger must never make a write fail.
    return f"coalesce((SELECT village_id FROM households WHERE id = {household_id}), '')"


def _count_tables(row: str) -> list[tuple[str, str, str]]:
    """(table, its time column, the value of session ``row`` in it) of the tables that
    count sessions: per day, and the same per month for long periods."""
    return [
        ("tally_days", "day", _day(row)),
        ("tally_months", "month", f"substr({_day(row)}, 1, 7)"),
    ]


def _kind(person: str) -> str:
    return f"CASE WHEN {person} = '' THEN 'household' ELSE 'person' END"


def _matches_key(session: str, key: str) -> str:
    """``session`` belongs to the tally_last_seen / tally_first_done row ``key``."""
    return (
        f"({key}.service_code = '' OR {session}.service_code = {key}.service_code) AND "
        f"({key}.person = '' OR {_person(session)} = {key}.person)"
    )


def _add(row: str, when: str) -> list[str]:
    """Statements counting session ``row`` (NEW), each guarded by ``when``."""
    counts = [
        # Per day (month), service, village and volunteer.
        f"""INSERT INTO {table} ({time}, village_id, volunteer_id, service_code,
                sessions, done, follow_up, failed)
            SELECT {value}, {_village(f"{row}.household_id")}, {row}.volunteer_id,
                {row}.service_code, 1, {row}.outcome = 'done',
                {row}.outcome = 'follow_up', {row}.outcome = 'failed'
            WHERE {when}
            ON CONFLICT ({time}, village_id, volunteer_id, service_code) DO UPDATE SET
                sessions = sessions + 1, done = done + excluded.done,
                follow_up = follow_up + excluded.follow_up, failed = failed + excluded.failed"""
        for table, time, value in _count_tables(row)
    ]
    return [
        *counts,
        # Last day seen: the household and the person, with this service and with any.
        f"""INSERT INTO tally_last_seen (household_id, person, service_code, last_day)
            SELECT {row}.household_id, k.person, k.service_code, {_day(row)}
            FROM (SELECT '' AS person, '' AS service_code
                  UNION ALL SELECT '', {row}.service_code
                  UNION ALL SELECT {_person(row)}, ''
                  UNION ALL SELECT {_person(row)}, {row}.service_code) AS k
            WHERE {when}
            ON CONFLICT (household_id, person, service_code) DO UPDATE SET
                last_day = excluded.last_day
            WHERE excluded.last_day > tally_last_seen.last_day""",
        # Any session closes the earlier follow-ups of its household and service.
        f"""UPDATE tally_follow_ups SET closed_at = {row}.occurred_at
            WHERE household_id = {row}.household_id AND service_code = {row}.service_code
                AND opened_at < {row}.occurred_at AND closed_at > {row}.occurred_at
                AND {when}""",
        f"""INSERT OR REPLACE INTO tally_follow_ups (household_id, service_code, opened_at,
                session_id, volunteer_id, closed_at)
            SELECT {row}.household_id, {row}.service_code, {row}.occurred_at, {row}.id,
                {row}.volunteer_id,
                coalesce((SELECT s.occurred_at FROM help_sessions s
                          WHERE s.household_id = {row}.household_id
                              AND s.occurred_at > {row}.occurred_at
                              AND s.service_code = {row}.service_code AND s.voided = 0
                          ORDER BY s.occurred_at LIMIT 1), {_NEVER})
            WHERE {row}.outcome = 'follow_up' AND {when}""",
        f"""INSERT INTO tally_first_done (household_id, person, service_code, first_at)
            SELECT {row}.household_id, {_person(row)}, {row}.service_code, {row}.occurred_at
            WHERE {row}.outcome = 'done' AND {when}
            ON CONFLICT (household_id, person, service_code) DO UPDATE SET
                first_at = excluded.first_at
            WHERE excluded.first_at < tally_first_done.first_at""",
    ]


def _remove(row: str, when: str) -> list[str]:
    """Statements taking session ``row`` (OLD) out again, each guarded by ``when``.

    Run after the row changed or went, so the lookups of what remains see the table
    without it (or with its new values, which the matching _add then counts)."""
    counts = []
    for table, time, value in _count_tables(row):
        key = (
            f"{time} = {value} AND village_id = {_village(f'{row}.household_id')} "
            f"AND volunteer_id = {row}.volunteer_id AND service_code = {row}.service_code"
        )
        counts += [
            f"""UPDATE {table} SET sessions = sessions - 1,
                    done = done - ({row}.outcome = 'done'),
                    follow_up = follow_up - ({row}.outcome = 'follow_up'),
                    failed = failed - ({row}.outcome = 'failed')
                WHERE {key} AND {when}""",
            f"DELETE FROM {table} WHERE {key} AND sessions = 0 AND {when}",
        ]
    last_seen_keys = (
        f"household_id = {row}.household_id AND person IN ('', {_person(row)}) "
        f"AND service_code IN ('', {row}.service_code) AND last_day = {_day(row)}"
    )
    first_done_key = (
        f"household_id = {row}.household_id AND person = {_person(row)} "
        f"AND service_code = {row}.service_code AND first_at = {row}.occurred_at "
        f"AND {row}.outcome = 'done'"
    )
    # The unary + keeps ix_sessions_follow_up (outcome, …) out of the plan: through it
    # the lookup would read every successful session there is, not one household's.
    remaining_done = (
        "FROM help_sessions s WHERE s.household_id = tally_first_done.household_id "
        "AND s.service_code = tally_first_done.service_code AND +s.outcome = 'done' "
        f"AND s.voided = 0 AND {_person('s')} = tally_first_done.person"
    )
    return [
        *counts,
        # Only keys last seen on this session's day can change: gone when nothing of
        # them remains, else moved back to the latest remaining session's day.
        f"""DELETE FROM tally_last_seen WHERE {last_seen_keys} AND {when}
                AND NOT EXISTS (SELECT 1 FROM help_sessions s
                    WHERE s.household_id = tally_last_seen.household_id AND s.voided = 0
                        AND {_matches_key("s", "tally_last_seen")})""",
        f"""UPDATE tally_last_seen SET last_day = (
                SELECT {_day("s")} FROM help_sessions s
                WHERE s.household_id = tally_last_seen.household_id AND s.voided = 0
                    AND {_matches_key("s", "tally_last_seen")}
                ORDER BY s.occurred_at DESC LIMIT 1)
            WHERE {last_seen_keys} AND {when}""",
        f"""DELETE FROM tally_follow_ups WHERE household_id = {row}.household_id
                AND service_code = {row}.service_code AND opened_at = {row}.occurred_at
                AND session_id = {row}.id AND {when}""",
        # Follow-ups this session closed: the next remaining session closes them now.
        f"""UPDATE tally_follow_ups SET closed_at = coalesce(
                (SELECT s.occurred_at FROM help_sessions s
                 WHERE s.household_id = tally_follow_ups.household_id
                     AND s.occurred_at > tally_follow_ups.opened_at
                     AND s.service_code = tally_follow_ups.service_code AND s.voided = 0
                 ORDER BY s.occurred_at LIMIT 1), {_NEVER})
            WHERE household_id = {row}.household_id AND service_code = {row}.service_code
                AND closed_at = {row}.occurred_at AND {when}""",
        f"""DELETE FROM tally_first_done WHERE {first_done_key} AND {when}
                AND NOT EXISTS (SELECT 1 {remaining_done})""",
        f"""UPDATE tally_first_done SET first_at = (
                SELECT s.occurred_at {remaining_done} ORDER BY s.occurred_at LIMIT 1)
            WHERE {first_done_key} AND {when}""",
    ]


def _reach_total(sign: str, row: str) -> list[str]:
    """Count the tally_last_seen row ``row`` in (+) or out of (-) tally_reach_totals."""
    key = (
        f"village_id = {_village(f'{row}.household_id')} AND "
        f"kind = {_kind(f'{row}.person')} AND service_code = {row}.service_code"
    )
    if sign == "+":
        return [
            f"""INSERT INTO tally_reach_totals (village_id, kind, service_code, reached)
                VALUES ({_village(f"{row}.household_id")}, {_kind(f"{row}.person")},
                    {row}.service_code, 1)
                ON CONFLICT (village_id, kind, service_code) DO UPDATE SET
                    reached = reached + 1"""
        ]
    return [
        f"UPDATE tally_reach_totals SET reached = reached - 1 WHERE {key}",
        f"DELETE FROM tally_reach_totals WHERE {key} AND reached = 0",
    ]


def _reach(sign: str, row: str) -> list[str]:
    """Count the tally_last_seen row ``row`` in (+) or out of (-) tally_reach."""
    key = (
        f"day = {row}.last_day AND village_id = {_village(f'{row}.household_id')} AND "
        f"kind = {_kind(f'{row}.person')} AND service_code = {row}.service_code"
    )
    if sign == "+":
        return [
            f"""INSERT INTO tally_reach (day, village_id, kind, service_code, reached)
                VALUES ({row}.last_day, {_village(f"{row}.household_id")},
                    {_kind(f"{row}.person")}, {row}.service_code, 1)
                ON CONFLICT (day, village_id, kind, service_code) DO UPDATE SET
                    reached = reached + 1"""
        ]
    return [
        f"UPDATE tally_reach SET reached = reached - 1 WHERE {key}",
        f"DELETE FROM tally_reach WHERE {key} AND reached = 0",
    ]


# A tally_last_seen row of a member (not a household, not a household's unnamed person)
# with any service: one per household the member has counted sessions in.
_NAMED_MEMBER = (
    "{row}.service_code = '' AND {row}.person != '' AND substr({row}.person, 1, 10) != 'household:'"
)

_BASIC_COUNT = "(SELECT count(*) FROM services WHERE basic_skill = 1 AND active = 1)"


def _basic_person(row: str) -> list[str]:
    """Recompute whether the person of tally_first_done row ``row`` has every basic skill."""
    return [
        f"DELETE FROM tally_basic_people WHERE household_id = {row}.household_id "
        f"AND person = {row}.person",
        f"""INSERT INTO tally_basic_people (household_id, person, completed_at)
            SELECT fd.household_id, fd.person, max(fd.first_at) FROM tally_first_done fd
            JOIN services sv ON sv.code = fd.service_code
            WHERE fd.household_id = {row}.household_id AND fd.person = {row}.person
                AND sv.basic_skill = 1 AND sv.active = 1
            GROUP BY fd.household_id, fd.person HAVING count(*) = {_BASIC_COUNT}""",
    ]


_ALL_BASIC_PEOPLE = [
    "DELETE FROM tally_basic_people",
    f"""INSERT INTO tally_basic_people (household_id, person, completed_at)
        SELECT fd.household_id, fd.person, max(fd.first_at) FROM tally_first_done fd
        JOIN services sv ON sv.code = fd.service_code
        WHERE sv.basic_skill = 1 AND sv.active = 1
        GROUP BY fd.household_id, fd.person HAVING count(*) = {_BASIC_COUNT}""",
]

# Only a basic skill's first success can change who has them all.
_IS_BASIC = (
    "EXISTS (SELECT 1 FROM services WHERE code = {row}.service_code "
    "AND basic_skill = 1 AND active = 1)"
)


def _household_moved() -> list[str]:
    """A household changed village: its counts and reach move with it (out of the old
    village with negative counts, into the new one), then emptied rows go."""
    statements = []
    for village, sign in (("OLD.village_id", "-"), ("NEW.village_id", "")):
        statements += [
            f"""INSERT INTO {table} ({time}, village_id, volunteer_id, service_code,
                    sessions, done, follow_up, failed)
                SELECT {value}, {village}, s.volunteer_id, s.service_code,
                    {sign}count(*), {sign}sum(s.outcome = 'done'),
                    {sign}sum(s.outcome = 'follow_up'), {sign}sum(s.outcome = 'failed')
                FROM help_sessions s WHERE s.household_id = NEW.id AND s.voided = 0
                GROUP BY 1, 3, 4
                ON CONFLICT ({time}, village_id, volunteer_id, service_code) DO UPDATE SET
                    sessions = sessions + excluded.sessions, done = done + excluded.done,
                    follow_up = follow_up + excluded.follow_up,
                    failed = failed + excluded.failed"""
            for table, time, value in _count_tables("s")
        ]
        statements += [
            f"""INSERT INTO tally_reach (day, village_id, kind, service_code, reached)
                SELECT k.last_day, {village}, {_kind("k.person")}, k.service_code,
                    {sign}count(*)
                FROM tally_last_seen k WHERE k.household_id = NEW.id
                GROUP BY 1, 3, 4
                ON CONFLICT (day, village_id, kind, service_code) DO UPDATE SET
                    reached = reached + excluded.reached""",
            f"""INSERT INTO tally_reach_totals (village_id, kind, service_code, reached)
                SELECT {village}, {_kind("k.person")}, k.service_code, {sign}count(*)
                FROM tally_last_seen k WHERE k.household_id = NEW.id
                GROUP BY 2, 3
                ON CONFLICT (village_id, kind, service_code) DO UPDATE SET
                    reached = reached + excluded.reached""",
        ]
    statements += [
        f"""DELETE FROM {table} WHERE village_id = OLD.village_id AND sessions = 0
            AND {time} IN (SELECT {value} FROM help_sessions s WHERE s.household_id = NEW.id)"""
        for table, time, value in _count_tables("s")
    ]
    return [
        *statements,
        f"""DELETE FROM tally_reach WHERE reached = 0
            AND (day, village_id, kind, service_code) IN (
                SELECT k.last_day, OLD.village_id, {_kind("k.person")}, k.service_code
                FROM tally_last_seen k WHERE k.household_id = NEW.id)""",
        "DELETE FROM tally_reach_totals WHERE village_id = OLD.village_id AND reached = 0",
    ]


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)


def _triggers() -> dict[str, tuple[str, list[str]]]:
    """name → (event and condition, statements)."""
    columns = ", ".join(_COUNTED_COLUMNS)
    return {
        "tally_session_added": (
            "AFTER INSERT ON help_sessions WHEN NEW.voided = 0",
            _add("NEW", "1"),
        ),
        "tally_session_changed": (
            f"AFTER UPDATE OF {columns} ON help_sessions WHEN {_changed(_COUNTED_COLUMNS)}",
            # Out with the old row, then in with the new: in that order, because both
            # may touch the same follow-up (its own row) or the same key.
            _remove("OLD", "OLD.voided = 0") + _add("NEW", "NEW.voided = 0"),
        ),
        "tally_session_deleted": (
            "AFTER DELETE ON help_sessions WHEN OLD.voided = 0",
            _remove("OLD", "1"),
        ),
        "tally_household_moved": (
            "AFTER UPDATE OF village_id ON households WHEN OLD.village_id IS NOT NEW.village_id",
            _household_moved(),
        ),
        "tally_last_seen_added": (
            "AFTER INSERT ON tally_last_seen",
            [
                *_reach("+", "NEW"),
                *_reach_total("+", "NEW"),
                f"""INSERT OR IGNORE INTO tally_split_members (member_id)
                    SELECT NEW.person WHERE {_NAMED_MEMBER.format(row="NEW")}
                        AND EXISTS (SELECT 1 FROM tally_last_seen o
                            WHERE o.person = NEW.person AND o.service_code = ''
                                AND o.household_id != NEW.household_id)""",
            ],
        ),
        "tally_last_seen_moved": (
            "AFTER UPDATE OF last_day ON tally_last_seen WHEN OLD.last_day IS NOT NEW.last_day",
            [*_reach("-", "OLD"), *_reach("+", "NEW")],
        ),
        "tally_last_seen_deleted": (
            "AFTER DELETE ON tally_last_seen",
            [
                *_reach("-", "OLD"),
                *_reach_total("-", "OLD"),
                f"""DELETE FROM tally_split_members WHERE member_id = OLD.person
                    AND {_NAMED_MEMBER.format(row="OLD")}
                    AND (SELECT count(*) FROM tally_last_seen o
                         WHERE o.person = OLD.person AND o.service_code = '') < 2""",
            ],
        ),
        "tally_first_done_added": (
            f"AFTER INSERT ON tally_first_done WHEN {_IS_BASIC.format(row='NEW')}",
            _basic_person("NEW"),
        ),
        "tally_first_done_moved": (
            f"AFTER UPDATE OF first_at ON tally_first_done WHEN {_IS_BASIC.format(row='NEW')}",
            _basic_person("NEW"),
        ),
        "tally_first_done_deleted": (
            f"AFTER DELETE ON tally_first_done WHEN {_IS_BASIC.format(row='OLD')}",
            _basic_person("OLD"),
        ),
        # The catalog decides what "every basic skill" means: any change of it redoes
        # the (small) list of people who have them all.
        "tally_basic_catalog_changed": (
            "AFTER UPDATE OF code, basic_skill, active ON services WHEN "
            + _changed(("code", "basic_skill", "active")),
            _ALL_BASIC_PEOPLE,
        ),
        "tally_basic_catalog_added": (
            "AFTER INSERT ON services WHEN NEW.basic_skill = 1 AND NEW.active = 1",
            _ALL_BASIC_PEOPLE,
        ),
        "tally_basic_catalog_deleted": (
            "AFTER DELETE ON services WHEN OLD.basic_skill = 1 AND OLD.active = 1",
            _ALL_BASIC_PEOPLE,
        ),
    }


def _create_tables() -> None:
    for table, time, width in (("tally_days", "day", 10), ("tally_months", "month", 7)):
        op.create_table(
            table,
            sa.Column(time, sa.String(width), primary_key=True),
            sa.Column("village_id", sa.String(36), primary_key=True),
            sa.Column("volunteer_id", sa.String(36), primary_key=True),
            sa.Column("service_code", sa.String(40), primary_key=True),
            sa.Column("sessions", sa.Integer(), nullable=False),
            sa.Column("done", sa.Integer(), nullable=False),
            sa.Column("follow_up", sa.Integer(), nullable=False),
            sa.Column("failed", sa.Integer(), nullable=False),
            sqlite_with_rowid=False,
        )
    op.create_table(
        "tally_last_seen",
        sa.Column("household_id", sa.String(36), primary_key=True),
        sa.Column("person", sa.String(46), primary_key=True),
        sa.Column("service_code", sa.String(40), primary_key=True),
        sa.Column("last_day", sa.String(10), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_tally_last_seen_person",
        "tally_last_seen",
        ["person", "household_id"],
        sqlite_where=sa.text("service_code = ''"),
    )
    op.create_table(
        "tally_reach",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("village_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("service_code", sa.String(40), primary_key=True),
        sa.Column("reached", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "tally_reach_totals",
        sa.Column("village_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("service_code", sa.String(40), primary_key=True),
        sa.Column("reached", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "tally_split_members",
        sa.Column("member_id", sa.String(46), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "tally_follow_ups",
        sa.Column("household_id", sa.String(36), primary_key=True),
        sa.Column("service_code", sa.String(40), primary_key=True),
        sa.Column("opened_at", sa.String(27), primary_key=True),
        sa.Column("session_id", sa.String(36), primary_key=True),
        sa.Column("volunteer_id", sa.String(36), nullable=False),
        sa.Column("closed_at", sa.String(27), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_tally_follow_ups_open",
        "tally_follow_ups",
        ["closed_at", "opened_at", "service_code", "volunteer_id", "household_id"],
    )
    op.create_table(
        "tally_first_done",
        sa.Column("household_id", sa.String(36), primary_key=True),
        sa.Column("person", sa.String(46), primary_key=True),
        sa.Column("service_code", sa.String(40), primary_key=True),
        sa.Column("first_at", sa.String(27), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "tally_basic_people",
        sa.Column("household_id", sa.String(36), primary_key=True),
        sa.Column("person", sa.String(46), primary_key=True),
        sa.Column("completed_at", sa.String(27), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_tally_basic_people_completed",
        "tally_basic_people",
        ["completed_at", "household_id"],
    )


def upgrade() -> None:
    _create_tables()
    # Filled from the rows already there before any trigger exists, so nothing is
    # counted twice; the triggers then take over within this same transaction.
    v0003_summaries.refill(op.get_bind())
    for name, (event, statements) in _triggers().items():
        body = ";\n".join(statements)
        op.execute(f"CREATE TRIGGER {name} {event}\nBEGIN\n{body};\nEND")


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
