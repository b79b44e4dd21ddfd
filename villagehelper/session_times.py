"""When a help session can have happened: the rule the commune server holds sessions to.

A laptop stamps a session with its own clock.  A clock that is wrong by years (a dead
CMOS battery puts a laptop back to its firmware's date; a person "fixes" the year by
hand) would put the session in a week nobody reports on, or in one that has not come
yet, and every tally of the commune would count it there.  The commune server judges
each session it receives against two limits and *quarantines* the ones outside them
(``villagehelper.server.plausibility``: kept, not counted, listed for a leader):

- **after the server's time of receipt + :data:`FUTURE_MARGIN`** (one day).  Nothing can
  have happened after the moment it reached the server; the day of margin absorbs a
  laptop set to the wrong time zone (up to 14 hours off in UTC, the wall clock right) and
  ordinary drift, so only a clock wrong by days or years is caught.
- **before :data:`EARLIEST_SESSION`** (1 January 2025, Vietnam time, the year of
  VillageHelper's first release).  Why a fixed floor and not "long before the laptop's
  enrolment": a team may use a laptop on its own for months before it has a server,
  then enrol it, and every session of those months is genuine; a team may also import
  the spreadsheet it kept before; and the server has no other witness of when a session
  was logged (a session's id is made by the same wrong clock).  So any margin counted
  back from enrolment would either refuse real work or let a wrong clock through.  A
  fixed date before which the app did not exist is the one limit that a dead battery's
  clock (2000–2020 on the PCs the teams use) always crosses and real work never does.
  The cost: a paper register from before 2025 imported into the app is held back too;
  its weeks were reported on paper at the time, and the leader sees every such session
  in the list (:mod:`villagehelper.ops.implausible`).

The server's own clock is the reference.  A server whose clock is itself before
:data:`EARLIEST_SESSION` cannot be trusted to say what is "future": it then applies the
floor only (quarantining the whole commune's work because the server's battery died
would be worse than the problem).

Core module: the server judges with it, and the laptops use it to explain a judgement
and to check a leader's corrected date before it is sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from villagehelper.clock import VIETNAM, as_utc, format_vn_date, to_vietnam

FUTURE_MARGIN = timedelta(days=1)
EARLIEST_SESSION = as_utc(datetime(2025, 1, 1, tzinfo=VIETNAM))

# The ``device_id`` of the void the commune server writes for a quarantined session
# (device ids are otherwise UUIDs): how every laptop tells that void from a person's.
QUARANTINE_DEVICE = "commune-server:session-time"


class Implausible(StrEnum):
    FUTURE = "future"  # after the server's time of receipt + FUTURE_MARGIN
    TOO_EARLY = "too_early"  # before EARLIEST_SESSION


def implausibility(occurred_at: datetime, received_at: datetime) -> Implausible | None:
    """Why a session stamped ``occurred_at`` that reached the server at ``received_at``
    (the server's clock) cannot be right, or None if it can."""
    occurred_at, received_at = as_utc(occurred_at), as_utc(received_at)
    if occurred_at < EARLIEST_SESSION:
        return Implausible.TOO_EARLY
    server_clock_sane = received_at >= EARLIEST_SESSION
    if server_clock_sane and occurred_at > received_at + FUTURE_MARGIN:
        return Implausible.FUTURE
    return None


def void_reason(why: Implausible, occurred_at: datetime, received_at: datetime) -> str:
    """The reason written on the server's void (Vietnamese, as every void's reason is;
    the laptops show their own two-language text from :func:`explain`)."""
    occurred, received = _day(occurred_at), _day(received_at)
    if why == Implausible.FUTURE:
        return (
            f"Máy chủ xã không tính: ngày {occurred} ở sau ngày máy chủ nhận ({received}); "
            "đồng hồ máy ghi sai. Tổ trưởng hãy sửa lại ngày đúng."
        )
    return (
        f"Máy chủ xã không tính: ngày {occurred} trước khi có VillageHelper "
        f"({_day(EARLIEST_SESSION)}); đồng hồ máy ghi sai. Tổ trưởng hãy sửa lại ngày đúng."
    )


def explain(why: Implausible, occurred_at: datetime, received_at: datetime) -> tuple[str, str]:
    """What a person reads about one quarantined session, and what to do (vi, en)."""
    occurred, received = _day(occurred_at), _day(received_at)
    todo_vi = "Tổ trưởng hãy sửa lại ngày đúng của lượt này; khi đó lượt mới được tính."
    todo_en = "A team leader should correct its date; it counts once corrected."
    if why == Implausible.FUTURE:
        return (
            f"Ngày {occurred} ở sau ngày máy chủ xã nhận lượt này ({received}): đồng hồ "
            f"của máy ghi đang chạy sai. {todo_vi}",
            f"Dated {occurred}, after the commune server received it ({received}): the "
            f"laptop's clock was wrong. {todo_en}",
        )
    return (
        f"Ngày {occurred} trước khi có VillageHelper ({_day(EARLIEST_SESSION)}): đồng hồ "
        f"của máy ghi đang chạy sai. {todo_vi}",
        f"Dated {occurred}, before VillageHelper existed ({_day(EARLIEST_SESSION)}): the "
        f"laptop's clock was wrong. {todo_en}",
    )


def _day(moment: datetime) -> str:
    return format_vn_date(to_vietnam(moment).date())
