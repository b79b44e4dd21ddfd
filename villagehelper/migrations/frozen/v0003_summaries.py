"""The tally summaries filled from the rows already stored, as revision 0003 shipped it.

A copy of ``villagehelper.tally.summaries.refill`` of that day.  Revision 0003 fills the
tables it creates before it creates their triggers; revision 0007 recounts with it what
the feed left under no village, with the triggers set aside.  The expressions are the
triggers' own (0003): the Vietnam day of a session, its person, its household's village.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

_NEVER = "'9999-12-31T23:59:59.999999Z'"  # closed_at of a follow-up nobody closed yet
_TABLES = (
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

# The counted sessions are read once into a narrow temporary table: help_sessions rows
# are wide (notes, sync columns), and every summary below would otherwise read all of
# them again.
_REFILL = [
    *(f"DELETE FROM {table}" for table in _TABLES),
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
                          AND c.occurred_at > f.occurred_at), {_NEVER})
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


def refill(connection: Connection) -> None:
    """Recompute every summary table from the sessions, households and catalog; only
    while no tally trigger exists (they would count the inserts a second time)."""
    for statement in _REFILL:
        connection.execute(text(statement))
