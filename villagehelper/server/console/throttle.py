"""Wrong passwords, counted in the database.

Counted against the name typed (known or not: the answer must not tell which names
exist) and against the address (addresses.py: a forwarded one only from a trusted
proxy).  Past :data:`NAME_LIMIT` wrong passwords for a name, or :data:`ADDRESS_LIMIT`
from an address, within :data:`WINDOW`, a sign-in is refused before its password is
looked at, even a right one, until the oldest counted failure is older than the window.

In the database, not in memory like the laptops' throttles (limits.py): a restart forgets
nothing, and several server processes share one count.  Two processes may each let one
more try through at the edge (count, then write); that is a guess or two, not a flood.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from villagehelper.server.database import ServerDB
from villagehelper.server.tables import SignInFailure
from villagehelper.text import clean_text

WINDOW = timedelta(minutes=15)
NAME_LIMIT = 5
ADDRESS_LIMIT = 20
NAME = "name"
ADDRESS = "address"


def name_key(name: str) -> str:
    return clean_text(name).casefold()[:80]


def refused(db: ServerDB, name: str, address: str) -> bool:
    """Is a sign-in for this name, from this address, refused now?"""
    since = db.clock() - WINDOW
    with db.reading() as session:
        by_name = _count(session, NAME, name_key(name), since)
        by_address = _count(session, ADDRESS, address[:80], since)
    return by_name >= NAME_LIMIT or by_address >= ADDRESS_LIMIT


def note_failure(db: ServerDB, name: str, address: str) -> None:
    now = db.clock()
    with db.transaction() as session:
        # Failures past the window count for nothing: gone, so the table stays small.
        session.execute(delete(SignInFailure).where(SignInFailure.at < now - WINDOW))
        session.add(SignInFailure(kind=NAME, key=name_key(name), at=now))
        session.add(SignInFailure(kind=ADDRESS, key=address[:80], at=now))


def forget_name(db: ServerDB, name: str) -> None:
    """A right password: the name's count starts again (the address's does not)."""
    with db.transaction() as session:
        session.execute(
            delete(SignInFailure).where(
                SignInFailure.kind == NAME, SignInFailure.key == name_key(name)
            )
        )


def _count(session: Session, kind: str, key: str, since: datetime) -> int:
    query = select(func.count()).where(
        SignInFailure.kind == kind, SignInFailure.key == key, SignInFailure.at >= since
    )
    return int(session.scalar(query) or 0)
