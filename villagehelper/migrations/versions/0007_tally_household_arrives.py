"""A household that arrives after its sessions takes their tally counts into its village.

The summary triggers (0003) count a session under its household's village, looked up
when the session is written: with foreign keys on, the household is always there first.
The sync feed is applied with foreign keys off (``Store.feed_transaction``), in version
order, and a household edited after visits were logged to it comes after them: a laptop
or a server replica that did not hold the household yet counted those visits under no
village ('') and kept them there, so the village's figures (the laptop's weekly report,
the server's commune tally, and every snapshot new laptops start from) came out short.

The new trigger moves the counts of a household's sessions from '' into its village
when the household is inserted, as ``tally_household_moved`` does when a household
changes village.  Counts already left under '' are recounted here once, with the fill
of 0003 (``frozen.v0003_summaries``); the suspension of the triggers (0005) is read and
done here as it was the day this revision shipped.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Connection, text

from villagehelper.migrations.frozen import v0003_summaries

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NAME = "tally_household_arrived"
EVENT = (
    "AFTER INSERT ON households "
    "WHEN EXISTS (SELECT 1 FROM help_sessions WHERE household_id = NEW.id)"
)
NOWHERE = "''"  # the village a session is counted under while its household is missing
_DAY = "date(substr(s.occurred_at, 1, 19), '+7 hours')"  # as in 0003
_COUNT_TABLES = (("tally_days", "day", _DAY), ("tally_months", "month", f"substr({_DAY}, 1, 7)"))
_KIND = "CASE WHEN k.person = '' THEN 'household' ELSE 'person' END"


def _moved(village: str, sign: str) -> list[str]:
    """Count the new household's sessions and reach in (+) or out of (-) ``village``."""
    counts = [
        f"""INSERT INTO {table} ({time}, village_id, volunteer_id, service_code,
                sessions, done, follow_up, failed)
            SELECT {value}, {village}, s.volunteer_id, s.service_code,
                {sign}count(*), {sign}sum(s.outcome = 'done'),
                {sign}sum(s.outcome = 'follow_up'), {sign}sum(s.outcome = 'failed')
            FROM help_sessions s WHERE s.household_id = NEW.id AND s.voided = 0
            GROUP BY 1, 3, 4
            ON CONFLICT ({time}, village_id, volunteer_id, service_code) DO UPDATE SET
                sessions = sessions + excluded.sessions, done = done + excluded.done,
                follow_up = follow_up + excluded.follow_up, failed = failed + excluded.failed"""
        for table, time, value in _COUNT_TABLES
    ]
    return [
        *counts,
        f"""INSERT INTO tally_reach (day, village_id, kind, service_code, reached)
            SELECT k.last_day, {village}, {_KIND}, k.service_code, {sign}count(*)
            FROM tally_last_seen k WHERE k.household_id = NEW.id
            GROUP BY 1, 3, 4
            ON CONFLICT (day, village_id, kind, service_code) DO UPDATE SET
                reached = reached + excluded.reached""",
        f"""INSERT INTO tally_reach_totals (village_id, kind, service_code, reached)
            SELECT {village}, {_KIND}, k.service_code, {sign}count(*)
            FROM tally_last_seen k WHERE k.household_id = NEW.id
            GROUP BY 2, 3
            ON CONFLICT (village_id, kind, service_code) DO UPDATE SET
                reached = reached + excluded.reached""",
    ]


def _statements() -> list[str]:
    emptied = [
        f"DELETE FROM {table} WHERE village_id = {NOWHERE} AND sessions = 0"
        for table, _time, _value in _COUNT_TABLES
    ]
    return [
        *_moved(NOWHERE, "-"),
        *_moved("NEW.village_id", ""),
        *emptied,
        f"DELETE FROM tally_reach WHERE village_id = {NOWHERE} AND reached = 0",
        f"DELETE FROM tally_reach_totals WHERE village_id = {NOWHERE} AND reached = 0",
    ]


def trigger_sql() -> str:
    body = ";\n".join(_statements())
    return f"CREATE TRIGGER {NAME} {EVENT}\nBEGIN\n{body};\nEND"


def _stranded(connection: Connection) -> bool:
    """Counts under no village (left by the feed before this trigger existed)."""
    return bool(
        connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM tally_days WHERE village_id = '') OR "
                "EXISTS (SELECT 1 FROM tally_reach_totals WHERE village_id = '')"
            )
        ).scalar()
    )


def _suspended(connection: Connection) -> bool:
    """Whether a first download set the tally triggers aside (their SQL kept in
    ``tally_suspended_triggers``) and has not ended yet."""
    return bool(
        connection.execute(text("SELECT EXISTS (SELECT 1 FROM tally_suspended_triggers)")).scalar()
    )


def _recount(connection: Connection) -> None:
    """Drop the tally triggers, refill every summary from the rows, put them back (in
    their order): the triggers must not count the refill's inserts a second time."""
    triggers = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tally%' "
            "ORDER BY rowid"
        )
    ).all()
    for name, _sql in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    v0003_summaries.refill(connection)
    for _name, sql in triggers:
        connection.exec_driver_sql(sql)


def upgrade() -> None:
    connection = op.get_bind()
    if _suspended(connection):
        # A first download cut short: the tally triggers are set aside until it ends,
        # when every summary is refilled; this one waits with them.
        connection.execute(
            text(
                "INSERT INTO tally_suspended_triggers (position, name, sql) "
                "SELECT coalesce(max(position), -1) + 1, :name, :sql "
                "FROM tally_suspended_triggers"
            ),
            {"name": NAME, "sql": trigger_sql()},
        )
        return
    op.execute(trigger_sql())
    if _stranded(connection):
        _recount(connection)


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")
