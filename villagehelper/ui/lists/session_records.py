"""The records a help session's row is made of (no database import: the tally screen
loads it at start-up).  A change to any of them can change a row of the sessions list
and a number of the tally, so both screens refresh on them."""

SESSION_RECORDS = (
    "help_session",
    "session_void",
    "household_merge",
    "household",
    "member",
    "village",
    "team_member",
    "service",
)
