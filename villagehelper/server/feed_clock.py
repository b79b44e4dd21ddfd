"""Feed versions: who hands them out, what a writer waits for, where a feed ends.

Every accepted change gets a version, and a laptop downloads "the rows of my commune and
of the catalog above my cursor" (feed.py).  That is only safe if, within what one laptop
reads, versions are committed in the order they are handed out: a row committed late
under a version below one a laptop already read would be skipped for ever.  Until issue
19 one row (feed_counter) held the last version, and every writer locked it until its
commit: every push of every commune waited for every other push's whole transaction.

Every use of a version was checked for what it needs:

- a page of the feed, a device's cursor, the replicas' and snapshots' cursors: one
  commune's rows and the catalog's, ordered among themselves;
- quarantine's repair and void: one row of one commune, a push's writes: its commune's;
- the restore guard (epochs.py, feed.FeedBehindError): "the highest version this
  database has reached", overall for the epoch marker, and a laptop's cursor against
  its own commune's end;
- ``records.version`` is unique, and a version also names the change that made a field
  (``field_versions``) and answers a push: versions stay unique across communes.

So the order is kept per commune and the uniqueness database-wide, separately.  One lock
row per commune (feed_communes, "" for the catalog): a commune's writers wait for each
other and for no one else.  The versions come, on PostgreSQL, from the sequence
feed_versions: ``nextval`` never waits for another transaction, and is not undone by a
rollback (a gap in the versions, which no reader minds).  A commune's versions are taken
while its row is locked, so each is above all its commune's committed ones.

The catalog is read by every commune's laptops, so writing it locks every commune's row
(it is written when the database is made); a commune's row, made at its first write,
starts at the catalog's end, under a shared lock of the catalog's row.  A commune's end
is thus never below the catalog's: it is the end a laptop of the commune reads to.

SQLite lets one transaction write at a time (``BEGIN IMMEDIATE``): there the next
version is the highest end + 1, read inside that transaction, one writer as before.

What a push does before the lock (push.py): the device's last call and its line of
copies (statements that wait only for the device's own pushes), each change's digest and
field checks (they read nothing stored).  From the rows it reads on, it holds the lock:
a push changes a row field by field from the row as it reads it, so it must read it as
the commune's last push left it; reading before the lock would let two pushes of a
commune each change a row from the same old copy, the second undoing the first.  Taking
versions alone at the end would need the rows locked one by one instead, and a merge
looks rows up by household: kept whole, per commune.  Measured, the checks moved out
are a few per cent of a push (0.5 of 18 ms for 50 villages on PostgreSQL): the gain is
that communes no longer wait for each other, not a shorter lock.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from villagehelper.server.tables import FeedCommune

CATALOG = ""  # the commune code of the shared catalog's rows
SEQUENCE = "feed_versions"  # PostgreSQL only (migration 0007)
_MORE = 16  # versions taken at once when a transaction needs more than it said

# A commune's end is its row's value; a commune without a row has written nothing yet,
# and stands at the catalog's end.
_END_SQL = text(
    f"SELECT max(value) FROM {FeedCommune.__tablename__} "
    f"WHERE commune_code IN (:commune, '{CATALOG}')"
)
_TAKE_SQL = text(f"SELECT nextval('{SEQUENCE}') FROM generate_series(1, :count)")


class VersionClock:
    """Hands out versions for ``commune_code``'s rows inside one write transaction,
    whose commune row (every row, for the catalog) it locks until the commit.

    ``expected``: how many versions the transaction will likely need, taken from the
    sequence in one round trip on PostgreSQL (any left unused are a gap).
    """

    def __init__(self, session: Session, commune_code: str, *, expected: int = 1) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._rows = _locked(session, commune_code)
        self._current = self._rows[0].value
        self._expected = max(expected, 1)
        self._taken: list[int] = []
        if not self._postgres:
            self._last = int(session.scalar(select(func.max(FeedCommune.value))) or 0)

    def next(self) -> int:
        if self._postgres:
            if not self._taken:
                self._taken = self._take(self._expected)
                self._expected = _MORE
            version = self._taken.pop(0)
        else:
            self._last += 1
            version = self._last
        for row in self._rows:
            row.value = version
        self._current = version
        return version

    @property
    def current(self) -> int:
        """The last version handed out to this commune (its feed's end)."""
        return self._current

    def _take(self, count: int) -> list[int]:
        return sorted(self._session.execute(_TAKE_SQL, {"count": count}).scalars())


def _locked(session: Session, commune_code: str) -> list[FeedCommune]:
    """The rows this writer locks, its own first."""
    if commune_code == CATALOG:
        rows = list(
            session.scalars(
                select(FeedCommune).order_by(FeedCommune.commune_code).with_for_update()
            )
        )
        rows.sort(key=lambda row: row.commune_code != CATALOG)
        return rows
    row = _lock_one(session, commune_code)
    if row is not None:
        return [row]
    # The commune's first write: its row starts at the catalog's end, made while no
    # catalog writer runs (they lock every commune's row, this one too once it is made).
    catalog = session.scalars(
        select(FeedCommune).where(FeedCommune.commune_code == CATALOG).with_for_update(read=True)
    ).one()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(FeedCommune)
        .values(commune_code=commune_code, value=catalog.value)
        .on_conflict_do_nothing()
    )
    made = _lock_one(session, commune_code)
    assert made is not None
    return [made]


def _lock_one(session: Session, commune_code: str) -> FeedCommune | None:
    return session.scalars(
        select(FeedCommune).where(FeedCommune.commune_code == commune_code).with_for_update()
    ).one_or_none()


def commune_end(connection: Connection, commune_code: str) -> int:
    """The last version handed out that a laptop of ``commune_code`` reads."""
    return int(connection.execute(_END_SQL, {"commune": commune_code}).scalar() or 0)


def database_end(session: Session) -> int:
    """The highest version this database has reached (epochs.py)."""
    return int(session.scalar(select(func.max(FeedCommune.value))) or 0)


def move_end(session: Session, end: int) -> None:
    """Every feed's end set to ``end``, and on PostgreSQL the next version above it: for
    whoever writes rows in bulk with versions of their own (benchmarks), or puts the
    database back as a backup held it (tests)."""
    session.execute(update(FeedCommune).values(value=end))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(f"SELECT setval('{SEQUENCE}', :value, :called)"),
            {"value": max(end, 1), "called": end >= 1},  # a sequence starts at 1
        )
