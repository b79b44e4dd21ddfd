"""The tally summary tables: derived tables that let the weekly report count a million
sessions without reading them (:mod:`villagehelper.tally.summaries` explains each and
reads them).

They are never written by the application: SQLite triggers on help_sessions, households
and services (migration 0003) keep them exact in the same transaction as every write,
whatever path the write took (forms, imports, the demo writer, sync).  Declared on the
store's :class:`~villagehelper.store.models.Base`, so importing this module puts them in
``Base.metadata`` beside the synced entities: the schema test compares that whole with
what the migrations build.  Days are Vietnam dates "YYYY-MM-DD", instants stored UTC
text.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from villagehelper.store.models import Base


class _OutcomeCounts:
    """Non-void sessions per village, volunteer and service, after the table's own first
    key (a day or a month): the same columns, in the same order, in both tables."""

    village_id: Mapped[str] = mapped_column(String(36), primary_key=True, sort_order=1)
    volunteer_id: Mapped[str] = mapped_column(String(36), primary_key=True, sort_order=2)
    service_code: Mapped[str] = mapped_column(String(40), primary_key=True, sort_order=3)
    sessions: Mapped[int] = mapped_column(Integer, sort_order=4)
    done: Mapped[int] = mapped_column(Integer, sort_order=5)
    follow_up: Mapped[int] = mapped_column(Integer, sort_order=6)
    failed: Mapped[int] = mapped_column(Integer, sort_order=7)
    __table_args__ = ({"sqlite_with_rowid": False},)


class TallyDay(_OutcomeCounts, Base):
    """Non-void sessions of one Vietnam day, village, volunteer and service.

    Keys of every summary are ordered so that the rows one visit touches sit together
    (here: today, the household's village, the volunteer): a commit then writes a few
    pages more, not dozens, which keeps the durable commit quick."""

    __tablename__ = "tally_days"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)


class TallyMonth(_OutcomeCounts, Base):
    """:class:`TallyDay` summed per calendar month ("YYYY-MM"): a year to date reads
    ten months and a few weeks of days instead of three hundred days."""

    __tablename__ = "tally_months"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)


class TallyLastSeen(Base):
    """The last Vietnam day a household ("" person) or one of its people was helped,
    with one service or ("" service) with any."""

    __tablename__ = "tally_last_seen"
    household_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person: Mapped[str] = mapped_column(String(46), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_day: Mapped[str] = mapped_column(String(10))
    __table_args__ = (
        # Finds the other households of a member (see TallySplitMember).
        Index(
            "ix_tally_last_seen_person",
            "person",
            "household_id",
            sqlite_where=text("service_code = ''"),
        ),
        {"sqlite_with_rowid": False},
    )


class TallyReach(Base):
    """How many people / households of a village were last helped on ``day``."""

    __tablename__ = "tally_reach"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    village_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    reached: Mapped[int] = mapped_column(Integer)
    __table_args__ = ({"sqlite_with_rowid": False},)


class TallyReachTotal(Base):
    """:class:`TallyReach` summed over all days: the people / households a village has
    ever had counted.  It changes only when a key appears or goes, not each time one
    is seen again, and lets a period starting early in the data read the few days
    before it (total minus those) instead of all the days after."""

    __tablename__ = "tally_reach_totals"
    village_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    reached: Mapped[int] = mapped_column(Integer)
    __table_args__ = ({"sqlite_with_rowid": False},)


class TallySplitMember(Base):
    """Members whose non-void sessions sit in more than one household (normally none)."""

    __tablename__ = "tally_split_members"
    member_id: Mapped[str] = mapped_column(String(46), primary_key=True)
    __table_args__ = ({"sqlite_with_rowid": False},)


class TallyFollowUp(Base):
    """A non-void follow-up session and when the next non-void session of the same
    household and service closed it (far future while it is still open)."""

    __tablename__ = "tally_follow_ups"
    household_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    opened_at: Mapped[str] = mapped_column(String(27), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(String(36))
    closed_at: Mapped[str] = mapped_column(String(27))
    __table_args__ = (
        # Open ones sit at the end (closed "never"); closing one moves its entry to
        # "now", next to them.
        Index(
            "ix_tally_follow_ups_open",
            "closed_at",
            "opened_at",
            "service_code",
            "volunteer_id",
            "household_id",
        ),
        {"sqlite_with_rowid": False},
    )


class TallyFirstDone(Base):
    """When a person of a household was first helped successfully with a service."""

    __tablename__ = "tally_first_done"
    household_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person: Mapped[str] = mapped_column(String(46), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_at: Mapped[str] = mapped_column(String(27))
    __table_args__ = ({"sqlite_with_rowid": False},)


class TallyBasicPerson(Base):
    """A person of a household who has every basic skill (services flagged
    ``basic_skill`` and active), and when the last of them was first done."""

    __tablename__ = "tally_basic_people"
    household_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person: Mapped[str] = mapped_column(String(46), primary_key=True)
    completed_at: Mapped[str] = mapped_column(String(27))
    __table_args__ = (
        Index("ix_tally_basic_people_completed", "completed_at", "household_id"),
        {"sqlite_with_rowid": False},
    )


class TallySuspendedTrigger(Base):
    """A summary trigger set aside while a first download writes a whole commune.

    Rows exist only while the summaries are suspended (see
    :func:`villagehelper.tally.summaries.suspend`): each holds a trigger's own SQL, as
    SQLite stored it, so resuming recreates exactly what this database had."""

    __tablename__ = "tally_suspended_triggers"
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sql: Mapped[str] = mapped_column(Text)
